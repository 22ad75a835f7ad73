import { NestFactory } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import { AppModule } from '../app.module';
import { loadConfig } from '../config/config';
import { createOpenApiDocument } from './document';

/**
 * The OpenAPI document without a database: the app's real module tree in Nest's preview mode,
 * which resolves the modules and controllers but instantiates no provider (so nothing connects).
 */
export async function offlineOpenApiDocument(): Promise<OpenAPIObject> {
  // Never connected to: preview mode calls no provider factory.
  const config = loadConfig({ DATABASE_URL: 'postgres://openapi@127.0.0.1:9/openapi', NODE_ENV: 'development' }, null);
  const app = await NestFactory.create(AppModule.forRoot(config), { preview: true, logger: false, abortOnError: false });
  try {
    return createOpenApiDocument(app);
  } finally {
    await app.close();
  }
}
