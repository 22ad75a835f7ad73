import { applyDecorators, createParamDecorator, SetMetadata, UseGuards, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { authUserOf, type AuthUser, type Role } from './auth-user';
import { AuthGuard } from './auth.guard';
import { RolesGuard } from './roles.guard';
import { IS_PUBLIC_KEY, ROLES_KEY } from './metadata';
import { unauthenticated } from './token-verifier';

/** The route (or every route of the controller) needs no authentication; AuthGuard lets it through. */
export const Public = () => SetMetadata(IS_PUBLIC_KEY, true);

/** The caller needs at least one of these roles (checked by RolesGuard; a method's list replaces its controller's). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/**
 * Guards a controller or route here and now: AuthGuard then RolesGuard, with the roles given (any
 * of them). Equivalent to `@UseGuards(AuthGuard, RolesGuard) @Roles(...)`.
 */
export function Authenticated(...roles: Role[]) {
  return roles.length ? applyDecorators(UseGuards(AuthGuard, RolesGuard), Roles(...roles)) : applyDecorators(UseGuards(AuthGuard, RolesGuard));
}

/**
 * The authenticated caller (set by AuthGuard). `@CurrentUser()` throws 401 when there is none;
 * `@CurrentUser({ optional: true })` gives null instead (public routes).
 */
export const CurrentUser = createParamDecorator((options: { optional?: boolean } | undefined, ctx: ExecutionContext): AuthUser | null => {
  const user = authUserOf(ctx.switchToHttp().getRequest<Request>());
  if (!user && !options?.optional) throw unauthenticated('authentication required');
  return user;
});
