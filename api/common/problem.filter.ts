import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { EngineError } from '../../engine';
import { logDenial } from '../auth/access-denied';
import { PROBLEM_CONTENT_TYPE, problem, statusFor, type Problem } from './problem';

/**
 * Every error leaves the server as RFC 9457 problem+json. Engine errors map by code (one switch);
 * framework and body-parser errors keep their 4xx status; anything else is a bug: logged with
 * its stack and answered 500 without internals. Every denial (401, 403, a hidden object's 404)
 * is logged here once, with the user, the route and the reason (logDenial).
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    sendProblem(error, req, res, this.logger);
  }
}

/**
 * Express error middleware for errors raised before Nest routes the request (body parsers,
 * multer): the same problem answers as the filter.
 */
export function expressProblemHandler(error: unknown, req: Request, res: Response, _next: NextFunction): void {
  sendProblem(error, req, res, new Logger('http'));
}

function sendProblem(error: unknown, req: Request, res: Response, logger: Logger): void {
  const body = { ...toProblem(error, req), instance: req.originalUrl ?? req.url, ...(req.id !== undefined ? { requestId: String(req.id) } : {}) };
  if (body.status >= 500) logger.error({ err: error, route: `${req.method} ${req.originalUrl}` }, 'unhandled error');
  logDenial(error, req, body.status);
  if (res.headersSent) return;
  res.status(body.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
}

function toProblem(error: unknown, req: Request): Problem {
  if (error instanceof EngineError) {
    return problem(statusFor(error.code), error.code, error.message, error.details ?? {});
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    const message = typeof response === 'string' ? response : (response as { message?: unknown }).message;
    const detail = Array.isArray(message) ? message.join('; ') : String(message ?? error.message);
    if (status === 404 && /^Cannot (GET|POST|PUT|PATCH|DELETE)/.test(detail)) {
      return problem(404, 'ROUTE_NOT_FOUND', `no route ${req.method} ${req.path}`);
    }
    return problem(status, httpCode(status), detail);
  }
  const e = error as { type?: string; status?: number; statusCode?: number; code?: string; message?: string; limit?: number };
  // body-parser and multer errors carry their own 4xx status.
  if (e?.type === 'entity.parse.failed' || (error instanceof SyntaxError && e.status === 400)) return problem(400, 'MALFORMED_JSON', `the request body is not valid JSON: ${e.message}`);
  if (e?.type === 'entity.too.large' || e?.code === 'LIMIT_FILE_SIZE') {
    return problem(413, 'PAYLOAD_TOO_LARGE', `the request body is larger than the limit${e.limit ? ` of ${e.limit} bytes` : ''}`);
  }
  if (e?.code?.startsWith?.('LIMIT_')) return problem(400, 'INVALID_UPLOAD', `upload refused: ${e.message}`);
  if (e?.type === 'charset.unsupported' || e?.type === 'encoding.unsupported') return problem(415, 'UNSUPPORTED_MEDIA_TYPE', String(e.message));
  const status = e?.status ?? e?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return problem(status, httpCode(status), String(e.message ?? 'bad request'));
  return problem(500, 'INTERNAL_ERROR', 'an unexpected error occurred; it has been logged');
}

function httpCode(status: number): string {
  switch (status) {
    case 400: return 'BAD_REQUEST';
    case 401: return 'UNAUTHENTICATED';
    case 403: return 'FORBIDDEN';
    case 404: return 'NOT_FOUND';
    case 405: return 'METHOD_NOT_ALLOWED';
    case 409: return 'CONFLICT';
    case 413: return 'PAYLOAD_TOO_LARGE';
    case 415: return 'UNSUPPORTED_MEDIA_TYPE';
    case 429: return 'TOO_MANY_REQUESTS';
    default: return `HTTP_${status}`;
  }
}
