import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { EngineError } from '../../engine';
import { AccessDenied } from './access-denied';
import type { AuthenticatedRequest } from './auth-user';
import { AuthService } from './auth.service';
import { IS_PUBLIC_KEY } from './metadata';
import { unauthenticated } from './token-verifier';

/**
 * Authenticates every request it guards from its `Authorization: Bearer <token>` header and
 * attaches the caller (read it with `@CurrentUser()` or `authUserOf(req)`). No or a bad token:
 * 401 problem+json with `WWW-Authenticate: Bearer`, and the denial is logged with the route and
 * the reason. Routes marked `@Public()` pass without a token (a valid one still sets the caller).
 * Registered globally (APP_GUARD, before RolesGuard), so every route needs a token unless it is
 * `@Public()`; running twice on a request is harmless.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(AuthService) private readonly auth: AuthService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
    if (req.authUser) return true;
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC_KEY, [ctx.getHandler(), ctx.getClass()]) === true;
    const header = req.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    try {
      if (!header) throw unauthenticated('authentication required: send Authorization: Bearer <access token>');
      if (!match) throw unauthenticated('the Authorization header must be "Bearer <access token>"');
      req.authUser = await this.auth.authenticate(match[1]);
      return true;
    } catch (error) {
      if (isPublic) return true;
      if (!(error instanceof EngineError)) throw error;
      const res = ctx.switchToHttp().getResponse<Response>();
      res.setHeader('WWW-Authenticate', header ? 'Bearer realm="itsm-orchestrator", error="invalid_token"' : 'Bearer realm="itsm-orchestrator"');
      // logged (user, route, reason) by the problem filter, like every denial
      throw new AccessDenied(error.code, error.message, error.message, { cause: error.cause, details: error.details });
    }
  }
}
