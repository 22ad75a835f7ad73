import { SignJWT } from 'jose';
import request from 'supertest';
import { LOCAL_ISSUER } from '../../api/config/config';
import { bearer, createUser, setCookie, testAuthConfig, TEST_PASSWORD } from '../support/auth';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * Issue 10, part 6: accounts. Failed logins from an attacker cannot lock the administrator out;
 * a revoked session's access tokens stop working at once; every answer carries security headers.
 * The app trusts X-Forwarded-For from loopback (TRUST_PROXY=loopback) so that one test process
 * can speak from several client addresses.
 */
describe('hostile: accounts (HTTP, real database)', () => {
  let db: TestDatabase;
  let t: TestApp;
  const ADMIN_ADDRESS = '198.51.100.7';
  const ATTACKER = '203.0.113.9';

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db, { config: { auth: testAuthConfig(), trustProxy: 'loopback' } });
    await createUser(t, { username: 'root', roles: ['admin'] });
    await createUser(t, { username: 'carol', roles: ['staff'] });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const login = (username: string, password: string, from: string) =>
    t.http.post('/api/auth/login').set('X-Forwarded-For', from).send({ username, password });

  describe('login throttling', () => {
    beforeEach(async () => {
      await t.sql.query(`DELETE FROM login_attempt`);
      await t.sql.query(`DELETE FROM login_known`);
    });

    it('five wrong passwords from an attacker lock out the attacker, not the administrator at a known address', async () => {
      // given: the administrator signed in from their address before
      expect((await login('root', TEST_PASSWORD, ADMIN_ADDRESS)).status).toBe(200);

      // when: five wrong passwords for root from the attacker's address (the issue's lockout)
      for (let i = 0; i < 5; i++) expect((await login('root', `guess-${i}`, ATTACKER)).status).toBe(401);

      // then: the attacker's address is refused even with the right password, for the window
      const attacker = await login('root', TEST_PASSWORD, ATTACKER);
      expect(attacker.status).toBe(429);
      expect(attacker.headers['content-type']).toContain('application/problem+json');
      expect(Number(attacker.headers['retry-after'])).toBeGreaterThan(800);
      // and: the administrator signs in from their address at once, and right after that again
      expect((await login('root', TEST_PASSWORD, ADMIN_ADDRESS)).status).toBe(200);
      expect((await login('root', TEST_PASSWORD, ADMIN_ADDRESS)).status).toBe(200);
    });

    it('failures spread over many addresses slow unknown addresses with a growing delay; known addresses and devices are not slowed', async () => {
      // given: the administrator signed in once in a browser (device cookie) and once from their address
      const browser = request.agent(t.app.getHttpServer());
      const first = await browser.post('/api/auth/login').set('X-Forwarded-For', '192.0.2.1').send({ username: 'root', password: TEST_PASSWORD });
      expect(first.status).toBe(200);
      const device = setCookie(first, 'itsm_device');
      expect(device?.attributes).toMatch(/HttpOnly/i);
      expect(device?.attributes).toMatch(/SameSite=Strict/i);
      expect((await login('root', TEST_PASSWORD, ADMIN_ADDRESS)).status).toBe(200);

      // when: five wrong passwords, each from another address (no address reaches its own limit)
      for (let i = 0; i < 5; i++) expect((await login('root', 'guess', `203.0.113.${10 + i}`)).status).toBe(401);

      // then: a further attempt from an unknown address waits (a short delay, not a lock) ...
      const unknown = await login('root', TEST_PASSWORD, '203.0.113.99');
      expect(unknown.status).toBe(429);
      expect(Number(unknown.headers['retry-after'])).toBeLessThanOrEqual(2);
      // ... the known address and the known browser (from a new address) are not slowed
      expect((await login('root', TEST_PASSWORD, ADMIN_ADDRESS)).status).toBe(200);
      const fromBrowser = await browser.post('/api/auth/login').set('X-Forwarded-For', '192.0.2.200').send({ username: 'root', password: TEST_PASSWORD });
      expect(fromBrowser.status).toBe(200);

      // when: the distributed attack goes on (failures recorded as the limiter counts them)
      const retryAfterWith = async (failures: number) => {
        await t.sql.query(`DELETE FROM login_attempt WHERE NOT success`);
        await t.sql.query(`INSERT INTO login_attempt (username, ip, at, success) SELECT 'root', '203.0.113.' || g, now(), false FROM generate_series(1, $1) g`, [failures]);
        const res = await login('root', TEST_PASSWORD, '203.0.113.250');
        expect(res.status).toBe(429);
        return Number(res.headers['retry-after']);
      };

      // then: the delay doubles with each failure and stops growing at the window
      const delays = [await retryAfterWith(7), await retryAfterWith(9), await retryAfterWith(12), await retryAfterWith(40)];
      // (Retry-After counts from the last failure, recorded a moment before: it may read one second less)
      [4, 16, 128, 900].forEach((expected, i) => expect([expected - 1, expected]).toContain(delays[i]));
      expect((await login('root', TEST_PASSWORD, ADMIN_ADDRESS)).status).toBe(200);
    });
  });

  describe('sessions', () => {
    const me = (token: string) => t.http.get('/api/auth/me').set('Authorization', bearer(token));

    it('ends the access tokens of a session revoked for refresh-token reuse at once', async () => {
      // given: a session, refreshed once; and a second session of the same user
      const signedIn = (await login('carol', TEST_PASSWORD, '192.0.2.50').expect(200)).body;
      const other = (await login('carol', TEST_PASSWORD, '192.0.2.50').expect(200)).body;
      const refreshed = (await t.http.post('/api/auth/refresh').send({ refreshToken: signedIn.refreshToken }).expect(200)).body;
      expect((await me(refreshed.accessToken)).status).toBe(200);
      expect((await me(signedIn.accessToken)).status).toBe(200); // same session, still live

      // when: the rotated refresh token is presented again (a stolen copy): the session is revoked
      expect((await t.http.post('/api/auth/refresh').send({ refreshToken: signedIn.refreshToken })).status).toBe(401);

      // then: both access tokens of that session are refused at once (not 15 minutes later)
      for (const token of [refreshed.accessToken, signedIn.accessToken]) {
        const res = await me(token);
        expect(res.status).toBe(401);
        expect(res.body.detail).toMatch(/session of this access token has ended/);
      }
      // and: the other session is untouched
      expect((await me(other.accessToken)).status).toBe(200);
    });

    it('ends the access token at logout, on any route', async () => {
      const session = (await login('carol', TEST_PASSWORD, '192.0.2.50').expect(200)).body;
      expect((await t.http.get('/api/tasks').set('Authorization', bearer(session.accessToken))).status).toBe(200);
      await t.http.post('/api/auth/logout').send({ refreshToken: session.refreshToken }).expect(204);
      expect((await t.http.get('/api/tasks').set('Authorization', bearer(session.accessToken))).status).toBe(401);
      expect((await me(session.accessToken)).status).toBe(401);
    });

    it('refuses a validly signed access token that names no session, or a session that does not exist', async () => {
      const [row] = await t.sql.query(`SELECT value FROM app_setting WHERE key = 'auth.signing-secret'`);
      const [carol] = await t.sql.query(`SELECT id FROM app_user WHERE username = 'carol'`);
      const sign = (claims: Record<string, unknown>) =>
        new SignJWT({ preferred_username: 'carol', roles: ['staff'], groups: [], ...claims })
          .setProtectedHeader({ alg: 'HS256' }).setSubject(carol.id).setIssuer(LOCAL_ISSUER).setAudience(LOCAL_ISSUER)
          .setIssuedAt().setExpirationTime('5m').sign(new TextEncoder().encode(row.value));
      const noSession = await me(await sign({}));
      expect(noSession.status).toBe(401);
      expect(noSession.body.detail).toMatch(/names no session/);
      expect((await me(await sign({ sid: '00000000-0000-4000-8000-000000000000' }))).status).toBe(401);
    });
  });

  it('answers every route with security headers', async () => {
    for (const path of ['/api/health', '/api/auth/me', '/api/docs/openapi.json']) {
      const res = await t.http.get(path);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      const csp = res.headers['content-security-policy'] as string;
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toMatch(/script-src 'self'(;|$)/);
      expect(csp).not.toMatch(/script-src[^;]*unsafe/);
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });
});
