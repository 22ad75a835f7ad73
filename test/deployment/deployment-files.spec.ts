import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const root = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');

interface ComposeService {
  image?: string;
  build?: unknown;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  ports?: string[];
  volumes?: string[];
}

/** `${VAR}`, `${VAR:-default}`, `${VAR:?message}` … in a compose file: the variable names. */
function variablesOf(text: string): Set<string> {
  return new Set([...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?:[:?+-][^}]*)?\}/g)].map((m) => m[1]!));
}

/** `NAME=value` lines of an env file (comments and blank lines skipped). */
function envFile(text: string): Map<string, string> {
  const entries = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line))
    .map((m) => [m![1]!, m![2]!] as const);
  return new Map(entries);
}

/** No Docker engine here: the compose file is validated by parsing it and checking its wiring. */
describe('docker-compose.yml', () => {
  const text = read('docker-compose.yml');
  const compose = parse(text) as { services: Record<string, ComposeService>; volumes?: Record<string, unknown> };
  const app = compose.services.app!;
  const pg = compose.services.postgres!;

  it('has exactly the PostgreSQL and app services', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['app', 'postgres']);
  });

  it('runs PostgreSQL with a pg_isready health check and its data in a named volume', () => {
    expect(pg.image).toMatch(/^postgres:\d+/);
    expect(pg.healthcheck?.test.join(' ')).toMatch(/pg_isready -U itsm -d itsm/);
    expect(pg.volumes).toContain('pgdata:/var/lib/postgresql/data');
    expect(compose.volumes).toHaveProperty('pgdata');
  });

  it('builds the app, starts it once the database is healthy, and checks its readiness probe', () => {
    expect(app.build).toBe('.');
    expect(app.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(app.healthcheck?.test.join(' ')).toContain('http://127.0.0.1:3000/api/health/ready');
    expect(app.ports).toEqual(['${APP_PORT:-3000}:3000']);
    expect(app.volumes).toContain('appdata:/app/data');
  });

  it('wires DATABASE_URL to the postgres service with its user, password and database', () => {
    const url = new URL(app.environment!.DATABASE_URL!.replace(/\$\{POSTGRES_PASSWORD[^}]*\}/, 'secret'));
    expect(url.hostname).toBe('postgres');
    expect(decodeURIComponent(url.username)).toBe(pg.environment!.POSTGRES_USER);
    expect(url.pathname).toBe(`/${pg.environment!.POSTGRES_DB}`);
    expect(app.environment!.DATABASE_URL).toContain('${POSTGRES_PASSWORD:?');
    expect(pg.environment!.POSTGRES_PASSWORD).toMatch(/^\$\{POSTGRES_PASSWORD:\?/);
  });

  it('runs in production mode and requires the first administrator from .env (compose stops when unset)', () => {
    expect(app.environment!.NODE_ENV).toBe('production');
    expect(app.environment!.ADMIN_USERNAME).toMatch(/^\$\{ADMIN_USERNAME:\?.+\}$/);
    expect(app.environment!.ADMIN_PASSWORD).toMatch(/^\$\{ADMIN_PASSWORD:\?.+\}$/);
  });

  it('documents every variable it reads in .env.example, whose values the server accepts', () => {
    const example = envFile(read('.env.example'));
    const used = [...variablesOf(text)].sort();
    expect(used.length).toBeGreaterThan(3);
    expect(used.filter((v) => !example.has(v))).toEqual([]);
    expect([...example.keys()].filter((v) => !used.includes(v))).toEqual([]);
    // the example's values sign in out of the box: a username and password the server accepts
    expect(example.get('ADMIN_USERNAME')).toMatch(/^[A-Za-z0-9._@+-]{1,128}$/);
    expect(example.get('ADMIN_PASSWORD')!.length).toBeGreaterThanOrEqual(8);
    expect(example.get('POSTGRES_PASSWORD')).toMatch(/^[A-Za-z0-9]+$/);
  });

  it('keeps .env out of git and out of the Docker build context', () => {
    expect(read('.gitignore').split('\n')).toContain('.env');
    expect(read('.dockerignore').split('\n')).toContain('.env');
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const from = [...dockerfile.matchAll(/^FROM (\S+)(?: AS (\S+))?/gm)].map((m) => ({ image: m[1]!, stage: m[2] }));

  it('builds in one stage and runs from a second one, both on Node.js 24', () => {
    expect(from).toHaveLength(2);
    for (const f of from) expect(f.image).toMatch(/^node:24(\.\d+)*-bookworm-slim$/);
    expect(from[0]!.stage).toBe('build');
    expect(dockerfile).toMatch(/RUN npm ci/);
    expect(dockerfile).toMatch(/RUN npm run build/);
    expect(dockerfile).toMatch(/COPY --from=build/);
    expect(dockerfile).toMatch(/CMD \["node", "dist\/api\/main.js"\]/);
  });

  it('has the broker package npm links smqp to (engine/broker) before npm ci and in the runtime stage', () => {
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string>; overrides: Record<string, string> };
    expect(pkg.dependencies.smqp).toBe('file:engine/broker');
    expect(pkg.overrides.smqp).toBe('$smqp');
    const build = dockerfile.slice(0, dockerfile.lastIndexOf('FROM '));
    expect(build.indexOf('COPY engine/broker ./engine/broker')).toBeGreaterThan(-1);
    expect(build.indexOf('COPY engine/broker ./engine/broker')).toBeLessThan(build.indexOf('RUN npm ci'));
    expect(dockerfile.slice(dockerfile.lastIndexOf('FROM '))).toMatch(/^COPY --from=build .*\/app\/engine\/broker \.\/engine\/broker$/m);
  });

  it('runs as the unprivileged node user', () => {
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('FROM '));
    expect(runtime).toMatch(/^USER node$/m);
  });

  it('checks health against the readiness probe', () => {
    const healthcheck = /^HEALTHCHECK .*$/m.exec(dockerfile.replace(/\\\n/g, ' '))?.[0] ?? '';
    expect(healthcheck).toContain('/api/health/ready');
    expect(healthcheck).toMatch(/--interval=\d+s/);
  });
});
