import type { OpenAPIObject } from '@nestjs/swagger';
import openapiTS, { astToString } from 'openapi-typescript';
import { offlineOpenApiDocument } from './offline-document';

export const API_TYPES_HEADER = `/**
 * The API's types, generated from its OpenAPI document (/api/docs/openapi.json) by
 * scripts/generate-api-types.mjs with openapi-typescript. Do not edit: change the server's
 * decorators or api/openapi/schemas.ts and run \`node scripts/generate-api-types.mjs\`.
 */

`;

/** modeler/src/api/schema.d.ts as it should be for the current server code. */
export async function generateApiTypes(document?: OpenAPIObject): Promise<string> {
  const doc = document ?? (await offlineOpenApiDocument());
  const ast = await openapiTS(JSON.parse(JSON.stringify(doc)), { alphabetize: true });
  return API_TYPES_HEADER + astToString(ast);
}
