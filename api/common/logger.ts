import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LoggerService } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

/** The request a log line is written for (every line of a request carries its id). */
const requestContext = new AsyncLocalStorage<{ requestId: string }>();

/**
 * Logs (pino) for the whole server, Nest's own messages included: JSON lines, or pretty coloured
 * lines (pino-pretty) for a person at a terminal. `format` (LOG_FORMAT) decides; without it,
 * pretty when stdout is a terminal outside production. Every line written while a request is
 * handled carries `requestId`.
 */
export function createLogger(level: string, options: { format?: 'pretty' | 'json'; production?: boolean } = {}): Logger {
  const format = options.format ?? (process.stdout.isTTY && !options.production ? 'pretty' : 'json');
  const settings: pino.LoggerOptions = {
    level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
    mixin: () => {
      const store = requestContext.getStore();
      return store ? { requestId: store.requestId } : {};
    },
  };
  if (format === 'json') return pino(settings);
  return pino(settings, pretty({ colorize: process.stdout.isTTY === true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,context', messageFormat: '{if context}[{context}] {end}{msg}', sync: true }));
}

/** A client's X-Request-Id is kept when it is well-formed (1-128 letters, digits, `.` `_` `:` `-`). */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * pino-http's `genReqId`: the request's id, from a well-formed `X-Request-Id` or a new UUID,
 * echoed in the `X-Request-Id` answer header.
 */
export function requestId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

/**
 * Runs the rest of the request inside its log context, so that every line logged for it (Nest,
 * auth, engine, commands) carries `requestId`. Mounted after the body parsers, which would
 * otherwise lose the async context.
 */
export function withRequestContext(req: Request, _res: Response, next: NextFunction): void {
  const id = typeof req.id === 'string' ? req.id : String(req.id ?? '');
  if (!id) return next();
  requestContext.run({ requestId: id }, next);
}

/** The id of the request being handled here, if any (passed along when a command runs in another process). */
export function currentRequestId(): string | null {
  return requestContext.getStore()?.requestId ?? null;
}

/** Runs `work` in the log context of request `id` (a command forwarded from another process, api/affinity). */
export function inRequestContext<T>(id: string | null, work: () => T): T {
  return id ? requestContext.run({ requestId: id }, work) : work();
}

/** Routes Nest's LoggerService calls to pino. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string) {
    this.write('info', message, context);
  }
  error(message: unknown, trace?: string, context?: string) {
    this.write('error', message, context, trace);
  }
  warn(message: unknown, context?: string) {
    this.write('warn', message, context);
  }
  debug(message: unknown, context?: string) {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: string) {
    this.write('trace', message, context);
  }

  private write(level: 'info' | 'error' | 'warn' | 'debug' | 'trace', message: unknown, context?: string, trace?: string) {
    if (message && typeof message === 'object') this.logger[level]({ context, trace, ...(message as object) });
    else this.logger[level]({ context, trace }, String(message));
  }
}
