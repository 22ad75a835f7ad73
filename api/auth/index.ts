/**
 * Identity and authorisation: what other modules use. AuthGuard and RolesGuard are global
 * (APP_GUARD): every route needs a bearer token unless it is @Public(). Typical controller:
 *
 *   @Controller('api/things')
 *   class ThingsController {
 *     @Get() list(@CurrentUser() user: AuthUser) { ... }             // any signed-in user
 *     @Roles('staff', 'admin') @Post() create(@CurrentUser() user: AuthUser) { ... }
 *     @Public() @Get('open') open() { ... }
 *   }
 *
 * Object-level rules (who sees which instance or task, who may act on it) live in AccessService
 * (access.ts): SQL predicates for lists, checks for single objects (404 hidden, 403 forbidden).
 */
export { AuthModule } from './auth.module';
export { AuthGuard } from './auth.guard';
export { RolesGuard } from './roles.guard';
export { AccessService, SqlParams, Visibility, viewerOf, type InstanceAccess, type TaskAccess, type Viewer } from './access';
export { AccessDenied, logDenial } from './access-denied';
export { Authenticated, CurrentUser, Public, Roles } from './decorators';
export { IS_PUBLIC_KEY, ROLES_KEY } from './metadata';
export { AuthService, type TokenResponse } from './auth.service';
export { ROLES, NAME_PATTERN, authUserOf, hasRole, inGroup, isRole, type AuthUser, type AuthenticatedRequest, type Role } from './auth-user';
export { TOKEN_VERIFIERS, unauthenticated, type TokenVerifier, type UnverifiedToken } from './token-verifier';
export { LocalTokens } from './local-tokens';
export { OidcTokenVerifier } from './oidc-verifier';
export { DEMO_GROUPS, DEMO_PASSWORD, DEMO_USERS } from './identity-seeder';
export { REFRESH_COOKIE } from './auth.controller';
export { AUTH_CONFIG } from './tokens';
