import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const ROOT = join(__dirname, '..', '..');
/** A server process compiles the whole application from source at start: slow on a busy machine. */
const SERVER_TEST_TIMEOUT = 180_000;

/** A port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
    probe.once('error', reject);
  });
}

/**
 * The server as docker-compose.yml starts it (api/main.ts, configured only by the environment:
 * NODE_ENV=production, DATABASE_URL, ADMIN_USERNAME / ADMIN_PASSWORD from .env) on an empty
 * database: with the variables the administrator signs in; without them nobody can, and the log
 * says how to fix it.
 */
describe('first administrator from the environment (server process, empty database)', () => {
  const databases: TestDatabase[] = [];
  const servers: ChildProcess[] = [];
  afterAll(async () => {
    for (const server of servers) await stop(server);
    for (const db of databases) await db.drop();
  });

  async function stop(server: ChildProcess): Promise<void> {
    if (server.exitCode !== null || server.signalCode !== null) return;
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 10_000)))]);
    clearTimeout(timer);
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
  }

  async function start(env: Record<string, string>): Promise<{ base: string; log: () => string; server: ChildProcess }> {
    const db = await createTestDatabase();
    databases.push(db);
    const port = await freePort();
    const server = spawn(process.execPath, ['-r', join(ROOT, 'test/support/ts-register.cjs'), join(ROOT, 'api/main.ts')], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      // only what compose sets: nothing inherited from the test run but PATH and HOME
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        NODE_ENV: 'production',
        DATABASE_URL: db.databaseUrl,
        DATA_DIR: db.dataDir,
        PORT: String(port),
        HOST: '127.0.0.1',
        WORKERS: '1',
        SEED_PROCESSES: 'false',
        ...env,
      },
    });
    servers.push(server);
    let output = '';
    server.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      server.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('listening on http://')) resolve();
      });
      server.once('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
    });
    return { base: `http://127.0.0.1:${port}`, log: () => output, server };
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
