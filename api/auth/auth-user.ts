import type { Request } from 'express';

/** The roles a user may hold (several at once). */
/** `worker`: a service account of external task workers (api/external-tasks). */
export const ROLES = ['admin', 'process-owner', 'staff', 'auditor', 'worker'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Usernames and group names: what the identity API and diagrams accept. */
export const NAME_PATTERN = /^[A-Za-z0-9._@+-]{1,128}$/;

/**
 * The authenticated caller of a request, whoever vouched for it: this server's own access token
 * (`local`) or an external OpenID Connect provider (`oidc`). Roles and groups are fresh from the
 * database for local users, from the token's claims for OIDC users.
 */
export interface AuthUser {
  /** app_user.id for local users; the provider's `sub` for OIDC users. */
  id: string;
  /** What task assignees and candidateUsers refer to. */
  username: string;
  displayName: string | null;
  roles: Role[];
  /** Group names: what candidateGroups in diagrams refer to. */
  groups: string[];
  source: 'local' | 'oidc';
}

/** A request after AuthGuard has run on it. */
export interface AuthenticatedRequest extends Request {
  authUser?: AuthUser;
}

/** The caller that AuthGuard attached to the request, or null (public route, no token). */
export function authUserOf(req: Request): AuthUser | null {
  return (req as AuthenticatedRequest).authUser ?? null;
}

export function hasRole(user: AuthUser | null | undefined, ...roles: Role[]): boolean {
  return !!user && roles.some((r) => user.roles.includes(r));
}

export function inGroup(user: AuthUser | null | undefined, group: string): boolean {
  return !!user && user.groups.includes(group);
}
