import 'reflect-metadata';
import type { Server } from 'node:http';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import pinoHttp from 'pino-http';
import { AppModule } from './app.module';
import type { HostOptions } from './engine-host/host-options';
import { DEFAULT_HTTP_KEEP_ALIVE_SECONDS, type AppConfig } from './config/config';
import { createLogger, PinoNestLogger } from './common/logger';
import { expressProblemHandler, ProblemFilter } from './common/problem.filter';
import { createOpenApiDocument } from './openapi/document';
import { rejectUnsafeInput, SafeInputPipe } from './common/input-guard';
import { answerClientErrorsAsProblems } from './common/client-errors';
import { requestId, withRequestContext } from './common/logger';
import { httpMetrics } from './metrics/http-metrics';
import { metricsOnMainPort } from './metrics/metrics-access';
import { engineRestEdge } from './engine-rest/camunda-errors';

/** Builds the configured Nest application (not yet listening). Used by main.ts and the tests. */
export async function createApp(config: AppConfig, options: HostOptions = {}): Promise<NestExpressApplication> {
  // Test hooks (a movable clock, extra handlers) can never be switched on in production.
  if (config.production && (options.clock || options.handlers)) throw new Error('test hooks (clock, handlers) are refused in production mode');
  const logger = createLogger(config.logLevel, { format: config.logFormat, production: config.production });
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, options), {
    bodyParser: false,
    abortOnError: false,
    logger: new PinoNestLogger(logger),
  });
  app.enableShutdownHooks();
  app.disable('x-powered-by');
  if (config.trustProxy) app.set('trust proxy', config.trustProxy);
  app.use(securityHeaders());
  app.use(httpMetrics);
  // Probes and scrapes come every few seconds: not logged. Every request gets an id (X-Request-Id).
  app.use(pinoHttp({ logger, genReqId: requestId, autoLogging: { ignore: (req) => req.url === '/metrics' || /^\/api\/health(\/(live|ready))?$/.test(req.url ?? '') } }));
  app.use(metricsOnMainPort(config.metrics ?? { port: null, token: null }));
  // The Camunda 7 compatible API parses and checks its bodies itself, answering errors in Camunda's shape.
  app.use('/engine-rest', ...engineRestEdge(config.maxBodyBytes, config.maxDefinitionBytes));
  app.use(express.json({ limit: config.maxBodyBytes, strict: false }));
  app.use(express.raw({ type: ['application/xml', 'text/xml', 'application/bpmn+xml', 'application/octet-stream'], limit: config.maxDefinitionBytes }));
  app.use(expressProblemHandler);
  app.use(withRequestContext);
  app.use(rejectNonObjectJson);
  app.use(rejectUnsafeInput);
  app.useGlobalFilters(new ProblemFilter());
  app.useGlobalPipes(new SafeInputPipe());
  answerClientErrorsAsProblems(app.getHttpServer());
  keepIdleConnections(app.getHttpServer(), config.httpKeepAliveSeconds ?? DEFAULT_HTTP_KEEP_ALIVE_SECONDS);

  const document = createOpenApiDocument(app);
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs/openapi.json' });

  if (config.staticDir && existsSync(join(config.staticDir, 'index.html'))) {
    const dir = config.staticDir;
    app.use(express.static(dir, { index: false, maxAge: '1h' }));
    // Client-side routes of the browser app fall back to its index.html; /api and /engine-rest stay the APIs'.
    app.use((req: Request, res: Response, next: NextFunction) => {
      if (req.method !== 'GET' || req.path.startsWith('/api') || req.path.startsWith('/engine-rest')) return next();
      res.sendFile(join(dir, 'index.html'));
    });
  }
  return app;
}

/**
 * Idle keep-alive connections stay open `seconds` (HTTP_KEEP_ALIVE_SECONDS): the client or proxy, whose
 * idle timeout is shorter, closes them first. The header timeout (60 s) is kept above it: Node's
 * documentation asks for that, some versions having counted a connection's idle time against it.
 */
function keepIdleConnections(server: Server, seconds: number): void {
  server.keepAliveTimeout = seconds * 1000;
  server.headersTimeout = Math.max(server.headersTimeout, seconds * 1000 + 1000);
}

/**
 * Security headers on every answer (helmet): no MIME sniffing, never framed (frame-ancestors
 * 'none' and X-Frame-Options DENY), no referrer, and a Content Security Policy under which the
 * browser app runs: scripts only from this origin (no inline script, no eval); styles from this
 * origin plus inline styles, which bpmn-js, dmn-js and form-js set on the elements they draw;
 * images also as data: and blob: URLs (diagram exports, icons).
 */
export function securityHeaders() {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        scriptSrcAttr: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    // The server may be reached over plain http on a local network: no HSTS, no upgrade of requests.
    strictTransportSecurity: false,
  });
}

/** express.json with strict:false accepts any JSON value; command bodies must be objects. */
function rejectNonObjectJson(req: Request, res: Response, next: NextFunction) {
  if (req.is('application/json') && req.body !== undefined && (req.body === null || typeof req.body !== 'object' || Array.isArray(req.body))) {
    res.status(400).type('application/problem+json').send(
      JSON.stringify({ type: 'https://itsm-orchestrator.dev/problems/invalid-request', title: 'Bad Request', status: 400, code: 'INVALID_REQUEST', detail: 'the JSON body must be an object', instance: req.originalUrl, requestId: req.id }),
    );
    return;
  }
  next();
}
