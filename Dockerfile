# Production image on Node.js 24 (LTS): the build stage compiles the server and the browser app,
# the runtime stage holds only production dependencies and the build, and runs as an unprivileged user.
# `docker compose up --build` (see README "Running with Docker Compose").
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# smqp is installed from engine/broker (package.json overrides): node_modules/smqp links to it
COPY engine/broker ./engine/broker
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
ENV NODE_ENV=production PORT=3000 DATA_DIR=/app/data
WORKDIR /app
COPY --from=build --chown=root:root /app/package.json ./
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/engine/broker ./engine/broker
COPY --from=build --chown=root:root /app/dist ./dist
COPY --from=build --chown=root:root /app/modeler/dist ./modeler/dist
# DATA_DIR: the history key file (history.key) when HISTORY_KEY is not set, or the embedded
# PGlite database when DATABASE_URL is not set. The only directory the server writes to.
RUN mkdir -p /app/data && chown node:node /app/data
VOLUME ["/app/data"]
# the image's unprivileged user (uid 1000); the application files stay owned by root, read-only to it
USER node
EXPOSE 3000
# ready = database reachable, migrations applied, timer poller alive (GET /api/health/ready)
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/api/main.js"]
