import { jwtVerify, SignJWT } from 'jose';
import { LOCAL_ISSUER } from '../config/config';
import type { AuthUser, Role } from './auth-user';
import type { IdentityCheck } from './user-cache';
import { tokenFailure, unauthenticated, type TokenVerifier, type UnverifiedToken } from './token-verifier';

const ALGORITHM = 'HS256';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Claims of this server's access tokens. */
export interface AccessClaims {
  sub: string;
  preferred_username: string;
  name?: string;
  roles: Role[];
  groups: string[];
  /** The session (refresh token family) the token belongs to. */
  sid: string;
}

/** The user of a token and whether its session (refresh token family) still holds a live refresh token (see UserCache). */
export type IdentityLookup = (userId: string, sessionId: string) => Promise<IdentityCheck>;

/**
 * This server's own access tokens: short-lived HS256 JWTs (`iss` and `aud` "itsm-orchestrator")
 * naming their session (`sid`, the refresh token family). Verification re-reads the user and the
 * session on every request, so a disabled user, changed roles or groups, a password change
 * (tokens issued before it), a logout and a session revoked for refresh-token reuse take effect
 * at once, not when the token expires.
 */
export class LocalTokens implements TokenVerifier {
  readonly name = 'local';

  constructor(
    private readonly key: Uint8Array,
    readonly ttlSeconds: number,
    private readonly identity: IdentityLookup,
  ) {}

  async sign(user: { id: string; username: string; displayName: string | null; roles: Role[]; groups: string[] }, sessionId: string): Promise<string> {
    const claims: Omit<AccessClaims, 'sub'> = { preferred_username: user.username, roles: user.roles, groups: user.groups, sid: sessionId };
    if (user.displayName) claims.name = user.displayName;
    return new SignJWT({ ...claims })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setSubject(user.id)
      .setIssuer(LOCAL_ISSUER)
      .setAudience(LOCAL_ISSUER)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(this.key);
  }

  accepts(token: UnverifiedToken): boolean {
    return token.claims.iss === LOCAL_ISSUER;
  }

  async verify(token: string): Promise<AuthUser> {
    let sub: string;
    let iat: number;
    let sid: unknown;
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: [ALGORITHM], issuer: LOCAL_ISSUER, audience: LOCAL_ISSUER, requiredClaims: ['sub', 'iat', 'exp'] });
      sub = String(payload.sub);
      iat = Number(payload.iat);
      sid = payload.sid;
    } catch (error) {
      throw tokenFailure(error);
    }
    if (typeof sid !== 'string' || !UUID.test(sid)) throw unauthenticated('the access token names no session; sign in again');
    // The user (cached, checked by its identity version) and the session: one statement.
    const { user, alive } = UUID.test(sub) ? await this.identity(sub, sid) : { user: null, alive: false };
    if (!user) throw unauthenticated('the user of this access token no longer exists');
    if (!alive) throw unauthenticated('the session of this access token has ended (signed out, or revoked); sign in again');
    if (user.disabled) throw unauthenticated('this user is disabled');
    // iat has whole seconds: compare with the second of the change.
    if (user.passwordChangedAt && iat < Math.floor(Date.parse(user.passwordChangedAt) / 1000)) {
      throw unauthenticated('the access token was issued before the last password change; sign in again');
    }
    return { id: user.id, username: user.username, displayName: user.displayName, roles: user.roles, groups: user.groups, source: 'local' };
  }
}
