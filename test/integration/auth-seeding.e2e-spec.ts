import { jwtVerify } from 'jose';
import { defaultAuthConfig, loadConfig, LOCAL_ISSUER } from '../../api/config/config';
import { bearer, login, setCookie, testAuthConfig } from '../support/auth';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { startTestApp, type TestApp } from '../support/test-app';

describe('identity configuration (environment)', () => {
  it('seeds demo users only on the embedded default: no DATABASE_URL and not production', () => {
    // when / then
    expect(loadConfig({}).auth!.seedDemoUsers).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test' }).auth!.seedDemoUsers).toBe(true);
    expect(loadConfig({ DATABASE_URL: 'postgres://db/app' }).auth!.seedDemoUsers).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production' }).auth!.seedDemoUsers).toBe(false);
    // cluster workers of an embedded primary get the PGlite URL but are still the embedded default
    expect(loadConfig({ DATABASE_URL: 'postgres://127.0.0.1:5999/postgres', EMBEDDED_PRIMARY: '1' }).auth!.seedDemoUsers).toBe(true);
    expect(defaultAuthConfig({ databaseUrl: null, production: false }).seedDemoUsers).toBe(true);
    expect(defaultAuthConfig({ databaseUrl: 'postgres://db/app', production: false }).seedDemoUsers).toBe(false);
  });

  it('reads token lifetimes, the first admin, the cookie flag and the OIDC provider', () => {
    // when
    const c = loadConfig({
      NODE_ENV: 'production',
      AUTH_SECRET: 's'.repeat(32),
      ACCESS_TOKEN_TTL: '300',
      REFRESH_TOKEN_TTL: '86400',
      ADMIN_USERNAME: 'root',
      ADMIN_PASSWORD: 'correct horse',
      OIDC_ISSUER: 'https://idp.example/realms/itsm',
      OIDC_JWKS_URL: 'https://idp.example/realms/itsm/protocol/openid-connect/certs',
      OIDC_AUDIENCE: 'itsm',
      OIDC_ROLES_CLAIM: 'realm_access.roles',
    }).auth!;

    // then
    expect(c).toMatchObject({
      secret: 's'.repeat(32),
      accessTokenTtlSeconds: 300,
      refreshTokenTtlSeconds: 86400,
      seedDemoUsers: false,
      initialAdmin: { username: 'root', password: 'correct horse' },
      cookieSecure: true,
      oidc: {
        issuer: 'https://idp.example/realms/itsm',
        jwksUrl: 'https://idp.example/realms/itsm/protocol/openid-connect/certs',
        audience: 'itsm',
        usernameClaim: 'preferred_username',
        rolesClaim: 'realm_access.roles',
        groupsClaim: 'groups',
      },
    });
    expect(loadConfig({}).auth).toMatchObject({ secret: null, accessTokenTtlSeconds: 900, initialAdmin: null, oidc: null, cookieSecure: false });
  });

  it('refuses bad identity settings with a message naming the variable', () => {
    expect(() => loadConfig({ AUTH_SECRET: 'too-short' })).toThrow(/AUTH_SECRET: must be at least 32 characters/);
    expect(() => loadConfig({ ADMIN_USERNAME: 'root' })).toThrow(/ADMIN_PASSWORD: is required/);
    expect(() => loadConfig({ ADMIN_USERNAME: 'root', ADMIN_PASSWORD: 'short' })).toThrow(/ADMIN_PASSWORD: must be at least 8/);
    expect(() => loadConfig({ OIDC_ISSUER: 'https://idp.example' })).toThrow(/OIDC_JWKS_URL: is required/);
    expect(() => loadConfig({ OIDC_ISSUER: LOCAL_ISSUER, OIDC_JWKS_URL: 'https://idp.example/jwks' })).toThrow(/OIDC_ISSUER: must differ/);
  });
});

describe('seeding the first users (real database)', () => {
  const databases: TestDatabase[] = [];
  const apps: TestApp[] = [];

  async function database(): Promise<TestDatabase> {
    const db = await createTestDatabase();
    databases.push(db);
    return db;
  }
  async function start(db: TestDatabase, config: Parameters<typeof startTestApp>[1]): Promise<TestApp> {
    const t = await startTestApp(db, config);
    apps.push(t);
    return t;
  }
  async function stop(t: TestApp): Promise<void> {
    apps.splice(apps.indexOf(t), 1);
    await t.close();
  }
  afterAll(async () => {
    for (const t of apps) await t.close();
    for (const db of databases) await db.drop();
  });

  const production = (db: TestDatabase, initialAdmin: { username: string; password: string } | null) => ({
    config: { production: true, auth: { ...defaultAuthConfig({ databaseUrl: db.databaseUrl, production: true }), initialAdmin } },
  });

  it('production mode creates only the first admin from the environment, and no demo users', async () => {
    // given: production mode (DATABASE_URL set / NODE_ENV=production) with ADMIN_USERNAME and ADMIN_PASSWORD
    const db = await database();
    const t = await start(db, production(db, { username: 'root', password: 'root-password-1' }));

    // then
    const users = await t.sql.query(`SELECT username, roles FROM app_user`);
    expect(users).toEqual([{ username: 'root', roles: ['admin'] }]);
    expect(await t.sql.query(`SELECT name FROM app_group`)).toEqual([]);
    expect((await t.http.post('/api/auth/login').send({ username: 'admin', password: 'demo' })).status).toBe(401);
    const res = await t.http.post('/api/auth/login').send({ username: 'root', password: 'root-password-1' });
    expect(res.status).toBe(200);
    expect(setCookie(res, 'itsm_refresh')?.attributes).toMatch(/Secure/);

    // when: restarted with another ADMIN_USERNAME
    await stop(t);
    const again = await start(db, production(db, { username: 'root2', password: 'root-password-2' }));

    // then: the table was not empty, nobody new
    expect(await again.sql.query(`SELECT username FROM app_user`)).toEqual([{ username: 'root' }]);
  });

  it('production mode without ADMIN_USERNAME creates nobody', async () => {
    // given
    const db = await database();

    // when
    const t = await start(db, production(db, null));

    // then
    expect(await t.sql.query(`SELECT username FROM app_user`)).toEqual([]);
  });

  it('seeds the demo users once, with several processes starting at once, sharing one signing key', async () => {
    // given: an embedded-default database
    const db = await database();
    const config = { config: { auth: testAuthConfig({ seedDemoUsers: true }) } };

    // when: three processes start at once (on PostgreSQL; PGlite is one database session that
    // every connection shares, so processes starting at once are not a setup it supports: there
    // they start one after the other)
    const [p1, p2, p3] =
      db.kind === 'postgresql'
        ? await Promise.all([start(db, config), start(db, config), start(db, config)])
        : [await start(db, config), await start(db, config), await start(db, config)];

    // then: one set of demo users and groups
    const users = await p1.sql.query(`SELECT username FROM app_user ORDER BY username`);
    expect(users.map((u: any) => u.username)).toEqual(['admin', 'auditor', 'owner', 'staff', 'staff2']);
    const groups = await p1.sql.query(`SELECT name FROM app_group ORDER BY name`);
    expect(groups.map((g: any) => g.name)).toEqual(['resolvers', 'servicedesk', 'staff']);
    // and: a token from one process is accepted by the others
    const session = await login(p1, 'staff', 'demo');
    for (const p of [p2, p3]) expect((await p.http.get('/api/auth/me').set('Authorization', bearer(session.accessToken))).body.username).toBe('staff');
    expect((await p3.http.post('/api/auth/refresh').send({ refreshToken: session.refreshToken })).status).toBe(200);

    // when: an administrator removed a demo user, and the server restarts
    await p1.sql.query(`DELETE FROM app_user WHERE username = 'staff2'`);
    for (const p of [p1, p2, p3]) await stop(p);
    const restarted = await start(db, config);

    // then: demo users are a first-start thing only
    expect((await restarted.sql.query(`SELECT username FROM app_user WHERE username = 'staff2'`)).length).toBe(0);
  });

  it('signs with AUTH_SECRET when it is set, and stores no generated key', async () => {
    // given
    const db = await database();
    const secret = 'a-configured-secret-of-at-least-32-chars';
    const t = await start(db, { config: { auth: testAuthConfig({ seedDemoUsers: true, secret, accessTokenTtlSeconds: 120 }) } });

    // when
    const session = await login(t, 'auditor', 'demo');

    // then
    const { payload } = await jwtVerify(session.accessToken, new TextEncoder().encode(secret), { issuer: LOCAL_ISSUER, audience: LOCAL_ISSUER });
    expect(payload).toMatchObject({ preferred_username: 'auditor', roles: ['auditor'] });
    expect(payload.exp! - payload.iat!).toBe(120);
    expect(session.expiresIn).toBe(120);
    expect(await t.sql.query(`SELECT key FROM app_setting WHERE key = 'auth.signing-secret'`)).toEqual([]);
  });
});
