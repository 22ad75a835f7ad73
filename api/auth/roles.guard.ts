import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { EngineErrorCode } from '../../engine';
import { AccessDenied } from './access-denied';
import { authUserOf, hasRole, type Role } from './auth-user';
import { ROLES_KEY } from './metadata';

/**
 * Enforces `@Roles(...)` (any one of the roles suffices): 403 problem+json otherwise, logged
 * with the user, the route and the reason. Registered globally after AuthGuard; a route without
 * `@Roles` passes (any authenticated caller; object-level rules are AccessService's).
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(@Inject(Reflector) private readonly reflector: Reflector) {}

  canActivate(ctx: ExecutionContext): boolean {
    if (ctx.getType() !== 'http') return true;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [ctx.getHandler(), ctx.getClass()]);
    if (!roles?.length) return true;
    const req = ctx.switchToHttp().getRequest();
    const user = authUserOf(req);
    // denials are logged (user, route, reason) by the problem filter
    if (!user) throw new AccessDenied(EngineErrorCode.Unauthenticated, 'authentication required', 'no authenticated user for a role-restricted route');
    if (hasRole(user, ...roles)) return true;
    throw new AccessDenied(
      EngineErrorCode.Forbidden,
      `this needs one of the roles: ${roles.join(', ')}`,
      `needs one of the roles ${roles.join(', ')}; has ${user.roles.join(', ') || 'none'}`,
    );
  }
}
