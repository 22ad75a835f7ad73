import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';

const root = join(__dirname, '..', '..');

interface ComposeService {
  image?: string;
  build?: unknown;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  ports?: string[];
}

/** No Docker engine here: the compose file is validated by parsing it and checking its wiring. */
describe('docker-compose.yml', () => {
  const compose = load(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as { services: Record<string, ComposeService> };

  it('runs PostgreSQL with a health check', () => {
    const pg = compose.services.postgres!;
    expect(pg.image).toMatch(/^postgres:/);
    expect(pg.healthcheck?.test.join(' ')).toContain('pg_isready');
  });

  it('builds the app, waits for a healthy database and wires DATABASE_URL to it', () => {
    const app = compose.services.app!;
    expect(app.build).toBeDefined();
    expect(app.depends_on?.postgres?.condition).toBe('service_healthy');
    const url = new URL(app.environment!.DATABASE_URL!);
    expect(url.hostname).toBe('postgres');
    const pgEnv = compose.services.postgres!.environment!;
    expect(decodeURIComponent(url.username)).toBe(pgEnv.POSTGRES_USER);
    expect(url.pathname).toBe(`/${pgEnv.POSTGRES_DB}`);
    expect(app.healthcheck?.test.join(' ')).toContain('/api/health');
    expect(app.ports).toContain('3000:3000');
  });

  it('has a Dockerfile that builds and starts the server', () => {
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/RUN npm ci/);
    expect(dockerfile).toMatch(/RUN npm run build/);
    expect(dockerfile).toMatch(/CMD \["node", "dist\/api\/main.js"\]/);
  });
});
