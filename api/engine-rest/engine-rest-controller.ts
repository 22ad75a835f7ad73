import { applyDecorators, Controller, UseFilters } from '@nestjs/common';
import { ApiBasicAuth, ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { CamundaExceptionFilter } from './camunda-errors';

/** Path prefix of the Camunda 7 compatible API. */
export const ENGINE_REST = 'engine-rest';

/**
 * A controller of the Camunda 7 compatible API: under /engine-rest, tagged "engine-rest" in the
 * OpenAPI document, HTTP Basic or bearer authentication, errors in Camunda's shape.
 */
export function EngineRestController() {
  return applyDecorators(ApiTags('engine-rest'), ApiBasicAuth(), ApiBearerAuth(), UseFilters(CamundaExceptionFilter), Controller(ENGINE_REST));
}

/** Optional query parameters, documented. */
export function ApiQueries(...names: string[]) {
  return applyDecorators(...names.map((name) => ApiQuery({ name, required: false })));
}

/** The base URL of the API as the client reached it, for Camunda's `links`. */
export function baseUrlOf(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}/${ENGINE_REST}`;
}

/** OpenAPI schema of Camunda's error body. */
export const CAMUNDA_ERROR_SCHEMA = {
  type: 'object',
  required: ['type', 'message'],
  properties: {
    type: { type: 'string', example: 'InvalidRequestException' },
    message: { type: 'string' },
    code: { type: 'integer', nullable: true },
  },
};

const str = { type: 'string' };
const nullableStr = { type: 'string', nullable: true };
const camundaDate = { type: 'string', nullable: true, example: '2026-12-06T10:00:00.000+0000', description: "yyyy-MM-dd'T'HH:mm:ss.SSSZ" };
const links = { type: 'array', items: { type: 'object', properties: { method: str, href: str, rel: str } } };

/** `{name: {type, value, valueInfo}}`. */
export const VARIABLES_SCHEMA = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    required: ['value'],
    properties: {
      type: { type: 'string', example: 'String', description: 'String, Boolean, Integer, Short, Long, Double, Date, Json, Object (application/json), Null' },
      value: {},
      valueInfo: { type: 'object', additionalProperties: true },
    },
  },
};

export const PROCESS_DEFINITION_SCHEMA = {
  type: 'object',
  properties: {
    id: str,
    key: str,
    category: nullableStr,
    description: nullableStr,
    name: nullableStr,
    version: { type: 'integer' },
    resource: str,
    deploymentId: str,
    diagram: nullableStr,
    suspended: { type: 'boolean' },
    tenantId: nullableStr,
    versionTag: nullableStr,
    historyTimeToLive: { type: 'integer', nullable: true },
    startableInTasklist: { type: 'boolean' },
  },
};

export const DEPLOYMENT_SCHEMA = {
  type: 'object',
  properties: { id: str, name: nullableStr, source: nullableStr, deploymentTime: camundaDate, tenantId: nullableStr, links },
};

export const PROCESS_INSTANCE_SCHEMA = {
  type: 'object',
  properties: {
    links,
    id: str,
    definitionId: str,
    definitionKey: str,
    businessKey: nullableStr,
    caseInstanceId: nullableStr,
    ended: { type: 'boolean' },
    suspended: { type: 'boolean' },
    tenantId: nullableStr,
    variables: VARIABLES_SCHEMA,
  },
};

export const TASK_SCHEMA = {
  type: 'object',
  properties: {
    id: str,
    name: nullableStr,
    assignee: nullableStr,
    owner: nullableStr,
    created: camundaDate,
    due: camundaDate,
    followUp: camundaDate,
    executionId: str,
    priority: { type: 'integer' },
    processDefinitionId: str,
    processInstanceId: str,
    taskDefinitionKey: str,
    suspended: { type: 'boolean' },
    formKey: nullableStr,
    tenantId: nullableStr,
  },
};

export const COUNT_SCHEMA = { type: 'object', properties: { count: { type: 'integer' } } };

export const listOfSchema = (items: object) => ({ type: 'array', items });
