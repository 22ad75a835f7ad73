import { jwtVerify, SignJWT } from 'jose';
import { LOCAL_ISSUER } from '../config/config';
import type { UsersService } from '../users/users.service';
import type { AuthUser, Role } from './auth-user';
import { tokenFailure, unauthenticated, type TokenVerifier, type UnverifiedToken } from './token-verifier';

const ALGORITHM = 'HS256';

/** Claims of this server's access tokens. */
export interface AccessClaims {
  sub: string;
  preferred_username: string;
  name?: string;
  roles: Role[];
  groups: string[];
}

/**
 * This server's own access tokens: short-lived HS256 JWTs (`iss` and `aud` "itsm-orchestrator").
 * Verification re-reads the user, so a disabled user, changed roles or groups, and a password
 * change (tokens issued before it) take effect at once, not when the token expires.
 */
export class LocalTokens implements TokenVerifier {
  readonly name = 'local';

  constructor(
    private readonly key: Uint8Array,
    private readonly users: UsersService,
    readonly ttlSeconds: number,
  ) {}

  async sign(user: { id: string; username: string; displayName: string | null; roles: Role[]; groups: string[] }): Promise<string> {
    const claims: Omit<AccessClaims, 'sub'> = { preferred_username: user.username, roles: user.roles, groups: user.groups };
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
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: [ALGORITHM], issuer: LOCAL_ISSUER, audience: LOCAL_ISSUER, requiredClaims: ['sub', 'iat', 'exp'] });
      sub = String(payload.sub);
      iat = Number(payload.iat);
    } catch (error) {
      throw tokenFailure(error);
    }
    const user = /^[0-9a-f-]{36}$/i.test(sub) ? await this.users.find(sub) : null;
    if (!user) throw unauthenticated('the user of this access token no longer exists');
    if (user.disabled) throw unauthenticated('this user is disabled');
    // iat has whole seconds: compare with the second of the change.
    if (user.passwordChangedAt && iat < Math.floor(Date.parse(user.passwordChangedAt) / 1000)) {
      throw unauthenticated('the access token was issued before the last password change; sign in again');
    }
    return { id: user.id, username: user.username, displayName: user.displayName, roles: user.roles, groups: user.groups, source: 'local' };
  }
}
