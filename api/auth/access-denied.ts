import { Logger } from '@nestjs/common';
import { EngineError, EngineErrorCode, type EngineErrorOptions } from '../../engine';
import { authUserOf } from './auth-user';
import type { Request } from 'express';

/**
 * A refusal by the authorisation rules (401, 403, or a 404 that hides an object the caller may
 * not see). The client sees `code` and `message` only, exactly as for any other error of that
 * code (a hidden object's 404 is the same body as an unknown id's); `reason` is what the log
 * says.
 */
export class AccessDenied extends EngineError {
  constructor(
    code: EngineErrorCode,
    message: string,
    readonly reason: string,
    options: EngineErrorOptions = {},
  ) {
    super(code, message, options);
  }
}

const logger = new Logger('auth');

/**
 * Logs a denial at warn level with the user, the route and the reason: every AccessDenied, and
 * every other 403 (e.g. the engine's segregation-of-duties refusals). Called by the problem
 * filter, so each denial is logged once, whoever raised it.
 */
export function logDenial(error: unknown, req: Request, status: number): void {
  if (!(error instanceof EngineError)) return;
  if (!(error instanceof AccessDenied) && error.code !== EngineErrorCode.Forbidden) return;
  const rule = typeof error.details?.rule === 'string' ? error.details.rule : undefined;
  logger.warn({
    msg: 'access denied',
    user: authUserOf(req)?.username ?? null,
    route: `${req.method} ${req.originalUrl ?? req.url}`,
    reason: error instanceof AccessDenied ? error.reason : error.message,
    ...(rule ? { rule } : {}),
    status,
  });
}
