import { decodeJwt, SignJWT } from 'jose';
import { LOCAL_ISSUER } from '../../api/config/config';
import { bearer, createUser, login, setCookie, testAuthConfig, TEST_PASSWORD } from '../support/auth';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { startTestApp, type TestApp } from '../support/test-app';

describe('authentication: login, tokens, refresh, logout, password change (HTTP, real database)', () => {
  let db: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    // The embedded default (no DATABASE_URL, not production) seeds the demo users.
    t = await startTestApp(db, { config: { auth: testAuthConfig({ seedDemoUsers: true }) } });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  async function signingKey(): Promise<Uint8Array> {
    const [row] = await t.sql.query(`SELECT value FROM app_setting WHERE key = 'auth.signing-secret'`);
    return new TextEncoder().encode(row.value);
  }

  it('creates the demo users on the embedded default, each signing in with password "demo"', async () => {
    // given: a fresh embedded-default database
    // when: each demo user signs in
    const sessions = await Promise.all(['admin', 'owner', 'staff', 'staff2', 'auditor'].map((u) => login(t, u, 'demo')));

    // then
    expect(sessions.map((s) => [s.user.username, s.user.roles])).toEqual([
      ['admin', ['admin']],
      ['owner', ['process-owner']],
      ['staff', ['staff']],
      ['staff2', ['staff']],
      ['auditor', ['auditor']],
    ]);
    expect(sessions[2].user.groups).toEqual(['resolvers', 'servicedesk', 'staff']);
    expect(sessions[3].user.groups).toEqual(['resolvers', 'servicedesk', 'staff']);
    const hashes = await t.sql.query(`SELECT password_hash FROM app_user`);
    expect(hashes).toHaveLength(5);
    for (const { password_hash } of hashes) expect(password_hash).toMatch(/^\$argon2id\$/);
  });

  it('answers a Bearer access token (JWT, 15 minutes), a refresh token and an httpOnly SameSite=Strict cookie', async () => {
    // given
    await createUser(t, { username: 'Alice', roles: ['staff', 'auditor'], groups: ['servicedesk'], displayName: 'Alice A.' });

    // when: signing in with another case of the username
    const res = await t.http.post('/api/auth/login').send({ username: 'alice', password: TEST_PASSWORD });

    // then
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toMatchObject({
      tokenType: 'Bearer',
      expiresIn: 900,
      refreshToken: expect.any(String),
      user: { id: expect.any(String), username: 'Alice', displayName: 'Alice A.', roles: ['staff', 'auditor'], groups: ['servicedesk'] },
    });
    expect(JSON.stringify(res.body)).not.toContain(TEST_PASSWORD);
    expect(JSON.stringify(res.body)).not.toContain('argon2');
    const claims = decodeJwt(res.body.accessToken);
    expect(claims).toMatchObject({ sub: res.body.user.id, preferred_username: 'Alice', roles: ['staff', 'auditor'], groups: ['servicedesk'], iss: LOCAL_ISSUER });
    expect(claims.exp! - claims.iat!).toBe(900);
    const cookie = setCookie(res, 'itsm_refresh');
    expect(cookie?.value).toBe(res.body.refreshToken);
    expect(cookie?.attributes).toMatch(/HttpOnly/);
    expect(cookie?.attributes).toMatch(/SameSite=Strict/);
    expect(cookie?.attributes).toMatch(/Path=\/api\/auth/);

    // and: the access token identifies the caller
    const me = await t.http.get('/api/auth/me').set('Authorization', bearer(res.body.accessToken));
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ id: res.body.user.id, username: 'Alice', displayName: 'Alice A.', email: null, roles: ['staff', 'auditor'], groups: ['servicedesk'], source: 'local' });
  });

  it('answers 401 with WWW-Authenticate without a token or with a malformed header', async () => {
    // when
    const none = await t.http.get('/api/auth/me');
    const basic = await t.http.get('/api/auth/me').set('Authorization', 'Basic YWRtaW46ZGVtbw==');
    const garbage = await t.http.get('/api/auth/me').set('Authorization', 'Bearer not-a-jwt');

    // then
    for (const res of [none, basic, garbage]) {
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    }
  });

  it('gives a wrong password, an unknown user, a disabled user and a password-less user the same 401', async () => {
    // given
    await createUser(t, { username: 'bob' });
    await createUser(t, { username: 'dora', disabled: true });
    await createUser(t, { username: 'ext', password: null });

    // when
    const attempts = await Promise.all([
      t.http.post('/api/auth/login').send({ username: 'bob', password: 'wrong-password' }),
      t.http.post('/api/auth/login').send({ username: 'nobody-by-this-name', password: TEST_PASSWORD }),
      t.http.post('/api/auth/login').send({ username: 'dora', password: TEST_PASSWORD }),
      t.http.post('/api/auth/login').send({ username: 'ext', password: '' + TEST_PASSWORD }),
    ]);

    // then: nothing tells them apart
    for (const res of attempts) {
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', detail: 'invalid username or password' });
      expect(setCookie(res, 'itsm_refresh')).toBeNull();
    }
    // (each answer names its own request id: that differs per request, not per kind of failure)
    const bodies = attempts.map((r) => JSON.stringify({ ...r.body, instance: undefined, requestId: undefined }));
    expect(new Set(bodies).size).toBe(1);
    for (const res of attempts) expect(res.body.requestId).toBe(res.headers['x-request-id']);
    // and: every attempt is recorded for the rate limit, without the password
    const recorded = await t.sql.query(`SELECT username, success FROM login_attempt WHERE username IN ('bob', 'nobody-by-this-name', 'dora', 'ext') ORDER BY username`);
    expect(recorded.map((r: any) => [r.username, r.success])).toEqual([['bob', false], ['dora', false], ['ext', false], ['nobody-by-this-name', false]]);

    // and: a malformed body is a 400, not a 401
    const bad = await t.http.post('/api/auth/login').send({ username: 'bob' });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('INVALID_REQUEST');
  });

  it('rotates refresh tokens, and reuse of a rotated token revokes the whole session', async () => {
    // given
    await createUser(t, { username: 'carol', roles: ['staff'] });
    const first = await login(t, 'carol');

    // when: refreshed twice in a row
    const second = await t.http.post('/api/auth/refresh').send({ refreshToken: first.refreshToken });
    const third = await t.http.post('/api/auth/refresh').send({ refreshToken: second.body.refreshToken });

    // then: each answer is a new pair
    expect(second.status).toBe(200);
    expect(third.status).toBe(200);
    expect(second.body.refreshToken).not.toBe(first.refreshToken);
    expect(third.body.refreshToken).not.toBe(second.body.refreshToken);
    expect(third.body.user).toMatchObject({ username: 'carol', roles: ['staff'] });
    const me = await t.http.get('/api/auth/me').set('Authorization', bearer(third.body.accessToken));
    expect(me.status).toBe(200);

    // when: the first (already rotated) token is presented again, as a thief would
    const replay = await t.http.post('/api/auth/refresh').send({ refreshToken: first.refreshToken });

    // then: refused, and the latest token of that session is dead too
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('UNAUTHENTICATED');
    const legit = await t.http.post('/api/auth/refresh').send({ refreshToken: third.body.refreshToken });
    expect(legit.status).toBe(401);
    const live = await t.sql.query(`SELECT count(*)::int AS n FROM refresh_token r JOIN app_user u ON u.id = r.user_id WHERE u.username = 'carol' AND r.revoked_at IS NULL`);
    expect(live[0].n).toBe(0);
    // and: only hashes are stored
    const stored = await t.sql.query(`SELECT token_hash FROM refresh_token WHERE token_hash = $1`, [first.refreshToken]);
    expect(stored).toHaveLength(0);
  });

  it('refreshes from the itsm_refresh cookie (browsers) and sets the rotated cookie', async () => {
    // given
    await createUser(t, { username: 'erin' });
    const res = await t.http.post('/api/auth/login').send({ username: 'erin', password: TEST_PASSWORD });
    const cookie = setCookie(res, 'itsm_refresh')!;

    // when: no body, only the cookie
    const refreshed = await t.http.post('/api/auth/refresh').set('Cookie', `other=1; itsm_refresh=${encodeURIComponent(cookie.value)}`);

    // then
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.user.username).toBe('erin');
    expect(setCookie(refreshed, 'itsm_refresh')?.value).toBe(refreshed.body.refreshToken);

    // and: without any refresh token
    const none = await t.http.post('/api/auth/refresh');
    expect(none.status).toBe(401);
  });

  it('logout revokes the refresh token and clears the cookie', async () => {
    // given
    await createUser(t, { username: 'frank' });
    const session = await login(t, 'frank');

    // when
    const out = await t.http.post('/api/auth/logout').send({ refreshToken: session.refreshToken });

    // then
    expect(out.status).toBe(204);
    const cleared = setCookie(out, 'itsm_refresh');
    expect(cleared?.value).toBe('');
    expect(cleared?.attributes).toMatch(/Expires=Thu, 01 Jan 1970/);
    const refresh = await t.http.post('/api/auth/refresh').send({ refreshToken: session.refreshToken });
    expect(refresh.status).toBe(401);
    // and: logging out twice, or with an unknown token, is still fine
    expect((await t.http.post('/api/auth/logout').send({ refreshToken: session.refreshToken })).status).toBe(204);
    expect((await t.http.post('/api/auth/logout').send({ refreshToken: 'unknown' })).status).toBe(204);
  });

  it('changes the password: the old one fails, the new one works, other sessions end', async () => {
    // given: two sessions of one user
    await createUser(t, { username: 'gina', roles: ['staff'] });
    const a = await login(t, 'gina');
    const b = await login(t, 'gina');
    await new Promise((r) => setTimeout(r, 1100)); // access tokens carry whole seconds

    // when: a wrong current password, a too short new one, then a right change from session a
    const wrong = await t.http.post('/api/auth/password').set('Authorization', bearer(a.accessToken)).send({ currentPassword: 'nope-nope', newPassword: 'brand-new-secret' });
    const short = await t.http.post('/api/auth/password').set('Authorization', bearer(a.accessToken)).send({ currentPassword: TEST_PASSWORD, newPassword: 'short' });
    const anonymous = await t.http.post('/api/auth/password').send({ currentPassword: TEST_PASSWORD, newPassword: 'brand-new-secret' });
    const changed = await t.http.post('/api/auth/password').set('Authorization', bearer(a.accessToken)).send({ currentPassword: TEST_PASSWORD, newPassword: 'brand-new-secret' });

    // then
    expect(wrong.status).toBe(403);
    expect(short.status).toBe(400);
    expect(short.body.detail).toMatch(/newPassword/);
    expect(short.body.detail).not.toContain('short');
    expect(anonymous.status).toBe(401);
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ tokenType: 'Bearer', user: { username: 'gina' } });
    // the old password fails, the new one works
    expect((await t.http.post('/api/auth/login').send({ username: 'gina', password: TEST_PASSWORD })).status).toBe(401);
    expect((await t.http.post('/api/auth/login').send({ username: 'gina', password: 'brand-new-secret' })).status).toBe(200);
    // the other session's refresh token and older access tokens are refused; the new pair works
    expect((await t.http.post('/api/auth/refresh').send({ refreshToken: b.refreshToken })).status).toBe(401);
    expect((await t.http.get('/api/auth/me').set('Authorization', bearer(b.accessToken))).status).toBe(401);
    expect((await t.http.get('/api/auth/me').set('Authorization', bearer(changed.body.accessToken))).status).toBe(200);
    expect((await t.http.post('/api/auth/refresh').send({ refreshToken: changed.body.refreshToken })).status).toBe(200);
  });

  it('refuses an expired access token with 401', async () => {
    // given: a token signed with the server's own key whose exp has passed
    const user = await createUser(t, { username: 'hank', roles: ['admin'] });
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({ preferred_username: 'hank', roles: ['admin'], groups: [] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user.id)
      .setIssuer(LOCAL_ISSUER)
      .setAudience(LOCAL_ISSUER)
      .setIssuedAt(now - 3600)
      .setExpirationTime(now - 60)
      .sign(await signingKey());

    // when
    const res = await t.http.get('/api/auth/me').set('Authorization', bearer(expired));

    // then
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: 'UNAUTHENTICATED', detail: 'the access token has expired' });
    expect(res.headers['www-authenticate']).toContain('invalid_token');
  });

  it('refuses tampered, foreign-key and unsigned tokens with 401', async () => {
    // given: a real token of a staff member
    await createUser(t, { username: 'ivan', roles: ['staff'] });
    const { accessToken } = await login(t, 'ivan');
    const [header, payload, signature] = accessToken.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());

    // when: the payload is changed to claim admin, keeping the signature
    const elevated = Buffer.from(JSON.stringify({ ...claims, roles: ['admin'] })).toString('base64url');
    const tampered = `${header}.${elevated}.${signature}`;
    // when: signed with another key
    const foreign = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('x'.repeat(48)));
    // when: alg none
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    // when: another issuer nobody configured
    const stranger = await new SignJWT({ ...claims, iss: 'https://idp.example' }).setProtectedHeader({ alg: 'HS256' }).sign(await signingKey());

    // then
    for (const token of [tampered, foreign, unsigned, stranger]) {
      const res = await t.http.get('/api/auth/me').set('Authorization', bearer(token));
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('UNAUTHENTICATED');
    }
    // and: the untouched token still works
    expect((await t.http.get('/api/auth/me').set('Authorization', bearer(accessToken))).status).toBe(200);
  });

  it('puts the API behind the token: health and sign-in stay public', async () => {
    // given
    await createUser(t, { username: 'judy', roles: ['staff'] });
    const { accessToken } = await login(t, 'judy');

    // when
    const health = await t.http.get('/api/health');
    const anonymous = await t.http.get('/api/tasks');
    const signedIn = await t.http.get('/api/tasks').set('Authorization', bearer(accessToken));

    // then
    expect(health.status).toBe(200);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toContain('Bearer');
    expect(signedIn.status).toBe(200);
  });
});
