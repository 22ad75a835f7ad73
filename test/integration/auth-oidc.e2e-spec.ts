import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload, type KeyLike } from 'jose';
import { mapClaims } from '../../api/auth/oidc-verifier';
import { bearer, login, testAuthConfig } from '../support/auth';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { startTestApp, type TestApp } from '../support/test-app';

const ISSUER = 'https://idp.test/realms/itsm';
const AUDIENCE = 'itsm-api';

describe('OpenID Connect access tokens (local JWKS server, real database)', () => {
  let db: TestDatabase;
  let t: TestApp;
  let jwksServer: Server;
  let jwksRequests = 0;
  let providerKey: KeyLike;
  let otherKey: KeyLike;

  beforeAll(async () => {
    // given: a provider publishing its RS256 public key as a JWKS on 127.0.0.1
    const provider = await generateKeyPair('RS256');
    providerKey = provider.privateKey;
    otherKey = (await generateKeyPair('RS256')).privateKey;
    const jwk = { ...(await exportJWK(provider.publicKey)), kid: 'provider-key-1', alg: 'RS256', use: 'sig' };
    jwksServer = createServer((req, res) => {
      jwksRequests++;
      if (req.url !== '/realms/itsm/certs') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const { port } = jwksServer.address() as AddressInfo;

    db = await createTestDatabase();
    t = await startTestApp(db, {
      config: {
        auth: testAuthConfig({
          seedDemoUsers: true,
          oidc: {
            issuer: ISSUER,
            jwksUrl: `http://127.0.0.1:${port}/realms/itsm/certs`,
            audience: AUDIENCE,
            usernameClaim: 'preferred_username',
            rolesClaim: 'realm_access.roles',
            groupsClaim: 'groups',
          },
        }),
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
    await new Promise((resolve) => jwksServer?.close(resolve));
  });

  function providerToken(claims: JWTPayload, options: { key?: KeyLike; kid?: string; issuer?: string; audience?: string; expiresAt?: number } = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? 'provider-key-1' })
      .setIssuer(options.issuer ?? ISSUER)
      .setAudience(options.audience ?? AUDIENCE)
      .setSubject(String(claims.sub ?? 'b1f0c3e2-oidc-subject'))
      .setIssuedAt(now - 10)
      .setExpirationTime(options.expiresAt ?? now + 300)
      .sign(options.key ?? providerKey);
  }

  const olivia = {
    sub: 'f:realm:olivia',
    preferred_username: 'olivia',
    name: 'Olivia O.',
    realm_access: { roles: ['staff', 'offline_access', 'auditor'] },
    groups: ['/servicedesk', 'resolvers'],
  };

  it('maps a provider token to the caller: subject, username, known roles and groups', async () => {
    // given
    const token = await providerToken(olivia);

    // when
    const me = await t.http.get('/api/auth/me').set('Authorization', bearer(token));

    // then
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      id: 'f:realm:olivia',
      username: 'olivia',
      displayName: 'Olivia O.',
      email: null,
      roles: ['staff', 'auditor'],
      groups: ['servicedesk', 'resolvers'],
      source: 'oidc',
    });
    expect(jwksRequests).toBeGreaterThan(0);
  });

  it('applies roles from the provider: an OIDC admin may manage users, an OIDC staff member may not', async () => {
    // given
    const adminToken = await providerToken({ sub: 'f:realm:ada', preferred_username: 'ada', realm_access: { roles: ['admin'] } });
    const staffToken = await providerToken(olivia);

    // when
    const asAdmin = await t.http.get('/api/users').set('Authorization', bearer(adminToken));
    const asStaff = await t.http.get('/api/users').set('Authorization', bearer(staffToken));

    // then
    expect(asAdmin.status).toBe(200);
    expect(asStaff.status).toBe(403);
  });

  it('refuses tokens of another key, another audience or issuer, expired ones, and HMAC tokens claiming the issuer', async () => {
    // given
    const now = Math.floor(Date.now() / 1000);
    const refused = {
      'another key, same kid': await providerToken(olivia, { key: otherKey }),
      'another key, unknown kid': await providerToken(olivia, { key: otherKey, kid: 'attacker-key' }),
      'another audience': await providerToken(olivia, { audience: 'some-other-api' }),
      'an unknown issuer': await providerToken(olivia, { issuer: 'https://evil.test' }),
      expired: await providerToken(olivia, { expiresAt: now - 120 }),
      'HS256 with the issuer': await new SignJWT(olivia).setProtectedHeader({ alg: 'HS256' }).setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('5m').sign(new TextEncoder().encode('k'.repeat(32))),
    };

    for (const [what, token] of Object.entries(refused)) {
      // when
      const res = await t.http.get('/api/auth/me').set('Authorization', bearer(token));
      // then
      expect([what, res.status, res.body.code]).toEqual([what, 401, 'UNAUTHENTICATED']);
    }
  });

  it('keeps local sign-in working next to the provider, and leaves password changes to the provider', async () => {
    // when
    const local = await login(t, 'staff', 'demo');
    const change = await t.http.post('/api/auth/password').set('Authorization', bearer(await providerToken(olivia))).send({ currentPassword: 'whatever', newPassword: 'whatever-else' });

    // then
    expect((await t.http.get('/api/auth/me').set('Authorization', bearer(local.accessToken))).body.source).toBe('local');
    expect(change.status).toBe(403);
  });

  it('maps claim paths: defaults, dot paths, space-separated strings, unknown roles dropped', () => {
    // given
    const defaults = { usernameClaim: 'preferred_username', rolesClaim: 'roles', groupsClaim: 'groups' };

    // then
    expect(mapClaims({ sub: 's1', preferred_username: 'u1', roles: ['admin', 'root'], groups: ['a', 'b c'] }, defaults)).toMatchObject({
      id: 's1',
      username: 'u1',
      roles: ['admin'],
      groups: ['a'],
      source: 'oidc',
    });
    expect(mapClaims({ sub: 's2', email: 'x@y.z', resource_access: { itsm: { roles: 'staff auditor' } } }, { usernameClaim: 'email', rolesClaim: 'resource_access.itsm.roles', groupsClaim: 'groups' })).toMatchObject({
      username: 'x@y.z',
      roles: ['staff', 'auditor'],
      groups: [],
    });
    // without the username claim, the subject is the username
    expect(mapClaims({ sub: 'only-sub' }, defaults).username).toBe('only-sub');
  });
});
