import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import express, { type NextFunction, type Request, type Response } from 'express';
import { EngineError, EngineErrorCode } from '../../engine';
import { logDenial } from '../auth/access-denied';
import { authUserOf } from '../auth/auth-user';
import { assertSafeRequest } from '../common/input-guard';
import { statusFor } from '../common/problem';

/**
 * Errors of the Camunda 7 compatible API (/engine-rest) in Camunda's shape,
 * `{type, message, code}` with `Content-Type: application/json` exactly (the external task
 * client ignores bodies whose type carries a charset), instead of the native problem+json.
 * Statuses follow the native API (a conflict is a 409 where Camunda answers 500: nothing here
 * answers 5xx for a client's mistake); `type` names the Camunda exception class a Camunda
 * client expects for the case.
 */
export interface CamundaError {
  type: string;
  message: string;
  /** Camunda's exception code: 0 for engine exceptions, null for REST-layer ones. */
  code: number | null;
  [extension: string]: unknown;
}

export const CAMUNDA_CONTENT_TYPE = 'application/json';

/** Writes a JSON answer with `Content-Type: application/json` and no charset parameter. */
export function sendJson(res: Response, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.status(status);
  if (status === 204 || body === undefined) {
    res.end();
    return;
  }
  const bytes = Buffer.from(JSON.stringify(body), 'utf8');
  res.setHeader('Content-Type', CAMUNDA_CONTENT_TYPE);
  res.setHeader('Content-Length', String(bytes.length));
  res.end(bytes);
}

/** The Camunda error for any error thrown while serving an /engine-rest request. */
export function toCamundaError(error: unknown, req: Request): { status: number; body: CamundaError } {
  if (error instanceof EngineError) return fromEngineError(error, req);
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    const raw = typeof response === 'string' ? response : (response as { message?: unknown }).message;
    const message = Array.isArray(raw) ? raw.join('; ') : String(raw ?? error.message);
    if (status === 404 && /^Cannot (GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)/.test(message)) {
      return { status: 404, body: rest(`No resource ${req.method} ${req.path} in the Camunda 7 compatible API`) };
    }
    return { status, body: status < 500 ? rest(message, 'InvalidRequestException') : rest('an unexpected error occurred; it has been logged', 'ProcessEngineException', 0) };
  }
  const e = error as { type?: string; status?: number; statusCode?: number; code?: string; message?: string; limit?: number };
  if (e?.type === 'entity.parse.failed' || (error instanceof SyntaxError && e.status === 400)) {
    return { status: 400, body: rest(`the request body is not valid JSON: ${e.message}`, 'JsonParseException') };
  }
  if (e?.type === 'entity.too.large' || e?.code === 'LIMIT_FILE_SIZE') {
    return { status: 413, body: rest(`the request body is larger than the limit${e.limit ? ` of ${e.limit} bytes` : ''}`) };
  }
  if (typeof e?.code === 'string' && e.code.startsWith('LIMIT_')) return { status: 400, body: rest(`upload refused: ${e.message}`, 'InvalidRequestException') };
  if (e?.type === 'charset.unsupported' || e?.type === 'encoding.unsupported') return { status: 415, body: rest(String(e.message)) };
  const status = e?.status ?? e?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return { status, body: rest(String(e.message ?? 'bad request'), 'InvalidRequestException') };
  return { status: 500, body: rest('an unexpected error occurred; it has been logged', 'ProcessEngineException', 0) };
}

function rest(message: string, type = 'RestException', code: number | null = null): CamundaError {
  return { type, message, code };
}

function fromEngineError(error: EngineError, req: Request): { status: number; body: CamundaError } {
  const details = error.details ?? {};
  switch (error.code) {
    case EngineErrorCode.InvalidDefinition: {
      // Camunda Modeler recognises a refused diagram by this prefix (its DIAGRAM_PARSE_ERROR).
      const problems = Array.isArray(details.problems) ? (details.problems as { elementId?: string; message?: string; rule?: string }[]) : [];
      const lines = problems.map((p) => `* ${p.message ?? p.rule ?? 'invalid'}${p.elementId ? ` | ${p.elementId}` : ''}`);
      return {
        status: 400,
        body: {
          type: 'ParseException',
          message: `ENGINE-09005 Could not parse BPMN process. Errors: ${lines.length ? `\n${lines.join('\n')}` : error.message}`,
          code: 0,
          details: { 'process.bpmn': { errors: problems.map((p) => ({ message: p.message ?? p.rule ?? 'invalid', elementIds: p.elementId ? [p.elementId] : [] })), warnings: [] } },
        },
      };
    }
    case EngineErrorCode.FormValidationFailed:
      return { status: 400, body: { type: 'BadUserRequestException', message: error.message, code: 0, ...(details.errors ? { errors: details.errors } : {}) } };
    case EngineErrorCode.MessageNotCorrelated:
      return { status: 400, body: rest(`org.camunda.bpm.engine.MismatchingMessageCorrelationException: ${error.message}`) };
    case EngineErrorCode.Forbidden:
      return { status: 403, body: { type: 'AuthorizationException', message: error.message, code: 0, userId: authUserOf(req)?.username ?? null, missingAuthorizations: [] } };
    case EngineErrorCode.Unauthenticated:
      return { status: 401, body: rest(error.message, 'AuthenticationException') };
    case EngineErrorCode.RevisionConflict:
      return { status: 409, body: { type: 'OptimisticLockingException', message: error.message, code: 1 } };
    default: {
      const status = statusFor(error.code);
      if (status >= 500) return { status: 500, body: rest('an unexpected error occurred; it has been logged', 'ProcessEngineException', 0) };
      const type = status === 400 || status === 404 ? 'InvalidRequestException' : status === 409 || status === 422 ? 'BadUserRequestException' : 'RestException';
      return { status, body: { type, message: error.message, code: type === 'BadUserRequestException' ? 0 : null } };
    }
  }
}

const logger = new Logger('engine-rest');

/** Answers an error in Camunda's shape; logs 5xx with their stack and every denial once. */
export function sendCamundaError(error: unknown, req: Request, res: Response): void {
  const { status, body } = toCamundaError(error, req);
  if (status >= 500) logger.error({ err: error, route: `${req.method} ${req.originalUrl}` }, 'unhandled error');
  logDenial(error, req, status);
  if (status === 401) res.setHeader('WWW-Authenticate', ['Basic realm="itsm-orchestrator"', 'Bearer realm="itsm-orchestrator"']);
  sendJson(res, status, body);
}

/** Scoped to the /engine-rest controllers (`@UseFilters`): every error, guards' included, in Camunda's shape. */
@Catch()
export class CamundaExceptionFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendCamundaError(error, http.getRequest<Request>(), http.getResponse<Response>());
  }
}

/**
 * Express middleware for /engine-rest, mounted before the app's own body parsers: parses JSON
 * (and raw XML) bodies and applies the same checks as the native API (a decodable path; an
 * object body; no NUL characters, lone surrogates or excessive nesting in the body or query),
 * answering refusals in Camunda's shape. The app's parsers then find the body parsed and its
 * checks find nothing to refuse.
 */
export function engineRestEdge(maxBodyBytes: number, maxDefinitionBytes: number) {
  return [
    express.json({ limit: maxBodyBytes, strict: false }),
    express.raw({ type: ['application/xml', 'text/xml', 'application/bpmn+xml', 'application/octet-stream'], limit: maxDefinitionBytes }),
    (error: unknown, req: Request, res: Response, _next: NextFunction) => sendCamundaError(error, req, res),
    (req: Request, res: Response, next: NextFunction) => {
      try {
        for (const segment of req.path.split('/')) {
          try {
            decodeURIComponent(segment);
          } catch {
            throw new EngineError(EngineErrorCode.InvalidRequest, 'the request path is not valid percent-encoded UTF-8');
          }
        }
        if (req.is('application/json') && req.body !== undefined && (req.body === null || typeof req.body !== 'object' || Array.isArray(req.body))) {
          throw new EngineError(EngineErrorCode.InvalidRequest, 'the JSON body must be an object');
        }
        assertSafeRequest(req);
      } catch (error) {
        sendCamundaError(error, req, res);
        return;
      }
      next();
    },
  ];
}
