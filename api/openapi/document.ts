import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { SCHEMAS } from './schemas';

/** The OpenAPI document of the app (served at /api/docs/openapi.json). */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('ITSM process orchestrator')
      .setDescription('Durable BPMN engine for ISO/IEC 20000 service management. Errors are RFC 9457 application/problem+json.')
      .setVersion('0.1.0')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'access token from POST /api/auth/login' })
      .addBasicAuth({ type: 'http', scheme: 'basic', description: 'username and password of a local user: the Camunda 7 compatible API (/engine-rest) only' })
      .addTag('engine-rest', 'Camunda 7 compatible subset (Camunda paths, bodies, {name: {type, value, valueInfo}} variables, yyyy-MM-dd\'T\'HH:mm:ss.SSSZ dates, {type, message, code} errors as application/json); see the README')
      .build(),
  );
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ...SCHEMAS } };
  return document;
}
