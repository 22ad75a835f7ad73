import { startMainProcess, type ServerProcess } from '../support/server-process';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/** A server process compiles the whole application from source at start: slow on a busy machine. */
const SERVER_TEST_TIMEOUT = 180_000;

/**
 * The server as docker-compose.yml starts it (api/main.ts, configured only by the environment:
 * NODE_ENV=production, DATABASE_URL, ADMIN_USERNAME / ADMIN_PASSWORD from .env) on an empty
 * database: with the variables the administrator signs in; without them nobody can, and the log
 * says how to fix it.
 */
describe('first administrator from the environment (server process, empty database)', () => {
  const databases: TestDatabase[] = [];
  const servers: ServerProcess[] = [];
  afterAll(async () => {
    for (const server of servers) await server.stop();
    for (const db of databases) await db.drop();
  });

  async function start(env: Record<string, string>): Promise<ServerProcess> {
    const db = await createTestDatabase();
    databases.push(db);
    const server = await startMainProcess({ DATABASE_URL: db.databaseUrl, DATA_DIR: db.dataDir, ...env });
    servers.push(server);
    return server;
  }

  async function login(base: string, username: string, password: string): Promise<{ status: number; body: any }> {
    const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
    return { status: res.status, body: await res.json() };
  }

  it('creates the administrator from ADMIN_USERNAME / ADMIN_PASSWORD, who signs in and administers', async () => {
    // given: an empty database, the variables of .env.example
    const { base, log } = await start({ ADMIN_USERNAME: 'admin', ADMIN_PASSWORD: 'change-me-first-admin' });

    // when
    const signedIn = await login(base, 'admin', 'change-me-first-admin');

    // then
    expect(signedIn.status).toBe(200);
    const me = await fetch(`${base}/api/auth/me`, { headers: { authorization: `Bearer ${signedIn.body.accessToken}` } });
    expect(await me.json()).toMatchObject({ username: 'admin', roles: ['admin'] });
    const users = await fetch(`${base}/api/users`, { headers: { authorization: `Bearer ${signedIn.body.accessToken}` } });
    expect(users.status).toBe(200);
    expect(log()).toContain('created the first administrator from ADMIN_USERNAME');
    expect(log()).not.toContain('change-me-first-admin');
    // no demo users in production
    expect((await login(base, 'staff', 'demo')).status).toBe(401);
  }, SERVER_TEST_TIMEOUT);

  it('without ADMIN_USERNAME / ADMIN_PASSWORD creates nobody and logs how to create the first administrator', async () => {
    // given / when
    const { base, log } = await start({});

    // then
    expect((await login(base, 'admin', 'demo')).status).toBe(401);
    const line = log()
      .split('\n')
      .find((l) => l.includes('ADMIN_USERNAME'));
    expect(line).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({ level: 40, msg: 'no user exists: set ADMIN_USERNAME and ADMIN_PASSWORD to create the first administrator' });
  }, SERVER_TEST_TIMEOUT);
});
