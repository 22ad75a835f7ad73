import { jwtVerify, SignJWT } from 'jose';
import { LOCAL_ISSUER } from '../config/config';
import type { AuthUser, Role } from './auth-user';
import type { IdentityCheck } from './user-cache';
import { tokenFailure, unauthenticated, type TokenVerifier, type UnverifiedToken } from './token-verifier';

const ALGORITHM = 'HS256';
/** Verified access tokens kept (their text is their identity; the oldest goes first). */
const VERIFIED_TOKENS = 2000;
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
  /**
   * Tokens whose signature and claims jose accepted, by their text: the same text verifies the same
   * way with the same key until `exp`, so a request presenting it again skips the HMAC and claim
   * checks (its expiry is checked every time, as jose does). The user and session are read on every
   * request regardless.
   */
  private readonly verified = new Map<string, { sub: string; iat: number; sid: unknown; exp: number }>();

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
    const { sub, iat, sid } = await this.verifiedClaims(token);
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

  /** The claims of a token with a valid signature, issuer, audience and lifetime (jose's checks, or their remembered outcome). */
  private async verifiedClaims(token: string): Promise<{ sub: string; iat: number; sid: unknown }> {
    const known = this.verified.get(token);
    // jose: expired when exp <= now, in whole seconds
    if (known && known.exp > Math.floor(Date.now() / 1000)) return known;
    if (known) this.verified.delete(token);
    let claims: { sub: string; iat: number; sid: unknown; exp: number };
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: [ALGORITHM], issuer: LOCAL_ISSUER, audience: LOCAL_ISSUER, requiredClaims: ['sub', 'iat', 'exp'] });
      claims = { sub: String(payload.sub), iat: Number(payload.iat), sid: payload.sid, exp: Number(payload.exp) };
    } catch (error) {
      throw tokenFailure(error);
    }
    if (this.verified.size >= VERIFIED_TOKENS) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, claims);
    return claims;
  }
}
