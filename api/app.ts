import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import express, { type NextFunction, type Request, type Response } from 'express';
import pinoHttp from 'pino-http';
import { AppModule } from './app.module';
import type { HostOptions } from './engine-host/host-options';
import type { AppConfig } from './config/config';
import { createLogger, PinoNestLogger } from './common/logger';
import { expressProblemHandler, ProblemFilter } from './common/problem.filter';
import { rejectUnsafeInput, SafeInputPipe } from './common/input-guard';
import { answerClientErrorsAsProblems } from './common/client-errors';

/** Builds the configured Nest application (not yet listening). Used by main.ts and the tests. */
export async function createApp(config: AppConfig, options: HostOptions = {}): Promise<NestExpressApplication> {
  // Test hooks (a movable clock, extra handlers) can never be switched on in production.
  if (config.production && (options.clock || options.handlers)) throw new Error('test hooks (clock, handlers) are refused in production mode');
  const logger = createLogger(config.logLevel);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, options), {
    bodyParser: false,
    abortOnError: false,
    logger: new PinoNestLogger(logger),
  });
  app.enableShutdownHooks();
  app.disable('x-powered-by');
  app.use(pinoHttp({ logger, autoLogging: { ignore: (req) => req.url === '/api/health' } }));
  app.use(express.json({ limit: config.maxBodyBytes, strict: false }));
  app.use(express.raw({ type: ['application/xml', 'text/xml', 'application/bpmn+xml', 'application/octet-stream'], limit: config.maxDefinitionBytes }));
  app.use(expressProblemHandler);
  app.use(rejectNonObjectJson);
  app.use(rejectUnsafeInput);
  app.useGlobalFilters(new ProblemFilter());
  app.useGlobalPipes(new SafeInputPipe());
  answerClientErrorsAsProblems(app.getHttpServer());

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('ITSM process orchestrator')
      .setDescription('Durable BPMN engine for ISO/IEC 20000 service management. Errors are RFC 9457 application/problem+json.')
      .setVersion('0.1.0')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'access token from POST /api/auth/login' })
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs/openapi.json' });

  if (config.staticDir && existsSync(join(config.staticDir, 'index.html'))) {
    const dir = config.staticDir;
    app.use(express.static(dir, { index: false, maxAge: '1h' }));
    // Client-side routes of the browser app fall back to its index.html; /api stays the API's.
    app.use((req: Request, res: Response, next: NextFunction) => {
      if (req.method !== 'GET' || req.path.startsWith('/api')) return next();
      res.sendFile(join(dir, 'index.html'));
    });
  }
  return app;
}

/** express.json with strict:false accepts any JSON value; command bodies must be objects. */
function rejectNonObjectJson(req: Request, res: Response, next: NextFunction) {
  if (req.is('application/json') && req.body !== undefined && (req.body === null || typeof req.body !== 'object' || Array.isArray(req.body))) {
    res.status(400).type('application/problem+json').send(
      JSON.stringify({ type: 'https://itsm-orchestrator.dev/problems/invalid-request', title: 'Bad Request', status: 400, code: 'INVALID_REQUEST', detail: 'the JSON body must be an object', instance: req.originalUrl }),
    );
    return;
  }
  next();
}
