import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { OidcConfig } from '../config/config';
import { isRole, NAME_PATTERN, type AuthUser } from './auth-user';
import { tokenFailure, unauthenticated, type TokenVerifier, type UnverifiedToken } from './token-verifier';

/** Asymmetric algorithms only: a provider's JWKS never verifies an HMAC token. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/**
 * Access tokens of an external OpenID Connect provider: signature checked against its JWKS
 * (fetched and cached by jose, refetched for an unknown key id), `iss`, `aud` and `exp` checked,
 * then the configured claims mapped to the caller. Roles outside the four known ones are
 * ignored; group paths such as Keycloak's "/servicedesk" lose their leading slash.
 */
export class OidcTokenVerifier implements TokenVerifier {
  readonly name = 'oidc';
  private readonly jwks: ReturnType<typeof createRemoteJWKSet>;

  constructor(private readonly config: OidcConfig) {
    this.jwks = createRemoteJWKSet(new URL(config.jwksUrl), { timeoutDuration: 5000, cooldownDuration: 30_000 });
  }

  accepts(token: UnverifiedToken): boolean {
    return token.claims.iss === this.config.issuer;
  }

  async verify(token: string): Promise<AuthUser> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.jwks, {
        algorithms: ALGORITHMS,
        issuer: this.config.issuer,
        ...(this.config.audience ? { audience: this.config.audience } : {}),
        requiredClaims: ['sub', 'exp'],
        clockTolerance: 30,
      }));
    } catch (error) {
      throw tokenFailure(error);
    }
    return mapClaims(payload, this.config);
  }
}

/** Maps verified claims to the caller. Exported for unit tests. */
export function mapClaims(payload: JWTPayload, config: Pick<OidcConfig, 'usernameClaim' | 'rolesClaim' | 'groupsClaim'>): AuthUser {
  const sub = String(payload.sub);
  const rawName = claimAt(payload, config.usernameClaim);
  const username = typeof rawName === 'string' && rawName !== '' ? rawName : sub;
  if (!NAME_PATTERN.test(username)) throw unauthenticated(`the token's ${config.usernameClaim} is not a valid username`);
  const name = payload['name'];
  return {
    id: sub,
    username,
    displayName: typeof name === 'string' ? name : null,
    roles: [...new Set(strings(claimAt(payload, config.rolesClaim)).filter(isRole))],
    groups: [...new Set(strings(claimAt(payload, config.groupsClaim)).map((g) => g.replace(/^\/+/, '')).filter((g) => NAME_PATTERN.test(g)))],
    source: 'oidc',
  };
}

/** The value at a dot path (`realm_access.roles`); an exact key with dots wins. */
export function claimAt(payload: Record<string, unknown>, path: string): unknown {
  if (Object.prototype.hasOwnProperty.call(payload, path)) return payload[path];
  let value: unknown = payload;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.prototype.hasOwnProperty.call(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** A claim as a list of strings: an array of strings, or one space- or comma-separated string. */
function strings(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (typeof value === 'string') return value.split(/[\s,]+/).filter(Boolean);
  return [];
}
