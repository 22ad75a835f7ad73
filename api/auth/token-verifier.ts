import { decodeJwt, decodeProtectedHeader, errors, type JWTPayload, type ProtectedHeaderParameters } from 'jose';
import { EngineError, EngineErrorCode } from '../../engine';
import type { AuthUser } from './auth-user';

/** A bearer token's header and claims, read before any signature check: only to pick a verifier. */
export interface UnverifiedToken {
  header: ProtectedHeaderParameters;
  claims: JWTPayload;
}

/**
 * One source of trusted access tokens (this server's own, an OpenID Connect provider, ...).
 * The AuthService asks each verifier in turn whether a token is its kind, then lets that one
 * verify it; a token no verifier accepts is refused.
 */
export interface TokenVerifier {
  readonly name: string;
  /** True when the token claims to come from this verifier's issuer (nothing is trusted yet). */
  accepts(token: UnverifiedToken): boolean;
  /** Verifies signature, expiry, issuer and audience, and maps the token to the caller; throws {@link unauthenticated} otherwise. */
  verify(token: string): Promise<AuthUser>;
}

/** Injection token: the TokenVerifier[] the AuthService consults, in order. */
export const TOKEN_VERIFIERS = Symbol('TOKEN_VERIFIERS');

/** A 401. `detail` goes to the client; the reason logged is the same text. */
export function unauthenticated(detail: string, cause?: unknown): EngineError {
  return new EngineError(EngineErrorCode.Unauthenticated, detail, { cause });
}

export function decodeUnverified(token: string): UnverifiedToken | null {
  try {
    return { header: decodeProtectedHeader(token), claims: decodeJwt(token) };
  } catch {
    return null;
  }
}

/** A jose verification failure as the 401 the client sees. */
export function tokenFailure(error: unknown, what = 'access token'): EngineError {
  if (error instanceof EngineError) return error;
  if (error instanceof errors.JWTExpired) return unauthenticated(`the ${what} has expired`, error);
  if (error instanceof errors.JWTClaimValidationFailed) return unauthenticated(`the ${what} is not valid here (${error.claim} claim)`, error);
  if (error instanceof errors.JWKSNoMatchingKey) return unauthenticated(`the ${what} is signed by an unknown key`, error);
  if (error instanceof errors.JOSEError) return unauthenticated(`the ${what} is invalid`, error);
  return unauthenticated(`the ${what} could not be verified`, error);
}
