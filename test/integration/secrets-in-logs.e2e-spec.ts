import { Client } from 'pg';
import { startHttpServer, type ServerProcess } from '../support/server-process';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const ADMIN_PASSWORD = 'first-admin-secret-1';
const CAROL_PASSWORD = 'carols-first-secret-2';
const CAROL_NEW_PASSWORD = 'carols-second-secret-3';
const RESET_PASSWORD = 'reset-by-admin-secret-4';
const WRONG_PASSWORD = 'a-wrong-guess-secret-5';

/**
 * Passwords are never stored or logged in clear, and neither are tokens: a real server process
 * logging at trace level goes through sign-in, failed sign-in, user creation, password change and
 * reset, refresh and denials; its whole log output is searched for every secret.
 */
describe('secrets in the logs', () => {
  let db: TestDatabase;
  let server: ServerProcess;
  let base = '';

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startHttpServer(db.databaseUrl, { ...process.env, LOG_LEVEL: 'trace', ADMIN_USERNAME: 'root', ADMIN_PASSWORD });
    base = server.base;
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await db?.drop();
  });

  async function call(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any }> {
    const res = await fetch(base + path, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  it('never writes a password, a password hash or a token to the log or the user table in clear', async () => {
    // when: the administrator signs in and creates carol; carol signs in, fails once, changes her
    // password; the administrator resets it; a refresh; denials with a token
    const root = await call('POST', '/api/auth/login', { username: 'root', password: ADMIN_PASSWORD });
    expect(root.status).toBe(200);
    expect((await call('POST', '/api/users', { username: 'carol', password: CAROL_PASSWORD, roles: ['staff'] }, root.body.accessToken)).status).toBe(201);
    const carol = await call('POST', '/api/auth/login', { username: 'carol', password: CAROL_PASSWORD });
    expect(carol.status).toBe(200);
    expect((await call('POST', '/api/auth/login', { username: 'carol', password: WRONG_PASSWORD })).status).toBe(401);
    const changed = await call('POST', '/api/auth/password', { currentPassword: CAROL_PASSWORD, newPassword: CAROL_NEW_PASSWORD }, carol.body.accessToken);
    expect(changed.status).toBe(200);
    const refreshed = await call('POST', '/api/auth/refresh', { refreshToken: changed.body.refreshToken });
    expect(refreshed.status).toBe(200);
    expect((await call('GET', '/api/users', undefined, refreshed.body.accessToken)).status).toBe(403);
    expect((await call('POST', `/api/users/${carol.body.user.id}/password`, { newPassword: RESET_PASSWORD }, root.body.accessToken)).status).toBe(204);
    expect((await call('GET', '/api/tasks', undefined, `${root.body.accessToken}x`)).status).toBe(401);
    await new Promise((r) => setTimeout(r, 500)); // let the log lines arrive

    // then: the log is there and speaks of these requests ...
    expect(server.log()).toContain('"url":"/api/auth/login"');
    expect(server.log()).toContain('"msg":"access denied"');
    // ... but holds no secret
    const secrets = [ADMIN_PASSWORD, CAROL_PASSWORD, CAROL_NEW_PASSWORD, RESET_PASSWORD, WRONG_PASSWORD];
    const tokens = [root, carol, changed, refreshed].flatMap((r) => [r.body.accessToken, r.body.refreshToken]);
    for (const secret of [...secrets, ...tokens]) expect(server.log().includes(secret)).toBe(false);
    expect(server.log()).not.toMatch(/\$argon2id\$/);

    // and the user table holds argon2id hashes only
    const client = new Client({ connectionString: db.databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT username, password_hash FROM app_user ORDER BY username`);
      expect(rows.map((r) => r.username)).toEqual(['carol', 'root']);
      for (const row of rows) {
        expect(row.password_hash).toMatch(/^\$argon2id\$/);
        for (const secret of secrets) expect(row.password_hash.includes(secret)).toBe(false);
      }
      const { rows: refresh } = await client.query(`SELECT * FROM refresh_token`);
      const stored = JSON.stringify(refresh);
      for (const token of tokens) expect(stored.includes(token)).toBe(false);
    } finally {
      await client.end();
    }
  });
});
