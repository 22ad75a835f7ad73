import { Body, Get, Inject, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { EngineError, EngineErrorCode } from '../../engine';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/decorators';
import { ExternalTasksService } from '../external-tasks/external-tasks.service';
import { sendJson } from './camunda-errors';
import {
  bodyObject,
  camundaDate,
  fromTypedVariables,
  optionalBoolean,
  optionalInt,
  optionalString,
  paging,
  queryBoolean,
  queryInt,
  queryText,
  refuseField,
  toTypedVariables,
} from './camunda-values';
import { ApiQueries, COUNT_SCHEMA, EngineRestController, VARIABLES_SCHEMA, listOfSchema } from './engine-rest-controller';

// The service's contract (engine/external-tasks/ports.ts), taken from the service: the engine is imported from its entry only.
type FetchTopic = Parameters<ExternalTasksService['fetchAndLock']>[0]['topics'][number];
type ExternalTaskView = Awaited<ReturnType<ExternalTasksService['get']>>;
type LockedExternalTask = Awaited<ReturnType<ExternalTasksService['fetchAndLock']>>[number];
type ExternalTaskQuery = Parameters<ExternalTasksService['list']>[0];

/** Longest lock a worker may ask for (7 days), and longest long poll (30 minutes). */
const MAX_LOCK_MS = 7 * 24 * 3600 * 1000;
const MAX_ASYNC_RESPONSE_MS = 30 * 60 * 1000;
/** Largest page the native list answers; a Camunda window spans as many as it needs. */
const NATIVE_PAGE = 200;

const EXTERNAL_TASK_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    topicName: { type: 'string' },
    workerId: { type: 'string', nullable: true },
    lockExpirationTime: { type: 'string', nullable: true, example: '2026-12-06T10:05:00.000+0000' },
    createTime: { type: 'string', example: '2026-12-06T10:00:00.000+0000' },
    activityId: { type: 'string' },
    activityInstanceId: { type: 'string' },
    executionId: { type: 'string' },
    processInstanceId: { type: 'string' },
    processDefinitionId: { type: 'string' },
    processDefinitionKey: { type: 'string' },
    processDefinitionVersionTag: { type: 'string', nullable: true },
    businessKey: { type: 'string', nullable: true },
    retries: { type: 'integer', nullable: true },
    errorMessage: { type: 'string', nullable: true },
    suspended: { type: 'boolean' },
    priority: { type: 'integer' },
    tenantId: { type: 'string', nullable: true },
  },
};
const LOCKED_SCHEMA = { ...EXTERNAL_TASK_SCHEMA, properties: { ...EXTERNAL_TASK_SCHEMA.properties, variables: VARIABLES_SCHEMA, errorDetails: { type: 'string', nullable: true } } };
const LIST_FILTERS = [
  'externalTaskId', 'topicName', 'workerId', 'locked', 'notLocked', 'withRetriesLeft', 'noRetriesLeft', 'processInstanceId',
  'processDefinitionId', 'processDefinitionKey', 'activityId', 'businessKey', 'priorityHigherThanOrEquals', 'priorityLowerThanOrEquals',
];

/**
 * Camunda 7 external tasks, for workers such as camunda-external-task-client-js: the same
 * service as the native /api/external-tasks (one implementation, the same rules: administrators
 * and users with the worker role work them). Bodies and answers in Camunda's shape, variables
 * typed.
 */
@EngineRestController()
export class EngineRestExternalTaskController {
  constructor(@Inject(ExternalTasksService) private readonly service: ExternalTasksService) {}

  @Post('external-task/fetchAndLock')
  @ApiOperation({
    summary:
      'Camunda 7: lock up to maxTasks tasks of the topics for workerId {workerId, maxTasks, usePriority, asyncResponseTimeout (long polling, ms), topics: [{topicName, lockDuration, ' +
      'variables, localVariables, businessKey, processDefinitionId(In), processDefinitionKey(In), processDefinitionVersionTag, processVariables, includeExtensionProperties}]}',
  })
  @ApiBody({ schema: { example: { workerId: 'worker-1', maxTasks: 10, usePriority: true, asyncResponseTimeout: 0, topics: [{ topicName: 'send-mail', lockDuration: 60000, variables: ['recipient'] }] } } })
  @ApiOkResponse({ schema: listOfSchema(LOCKED_SCHEMA) })
  async fetchAndLock(@Body() raw: unknown, @CurrentUser() user: AuthUser, @Req() req: Request, @Res() res: Response): Promise<void> {
    const body = bodyObject(raw);
    const workerId = requiredWorker(body);
    const maxTasks = optionalInt(body, 'maxTasks', 0, 1000);
    if (maxTasks === undefined) throw invalid('maxTasks is required');
    const asyncResponseTimeout = optionalInt(body, 'asyncResponseTimeout', 0, MAX_ASYNC_RESPONSE_MS) ?? 0;
    const usePriority = optionalBoolean(body, 'usePriority') ?? false;
    if (body.sorting !== undefined && body.sorting !== null && !Array.isArray(body.sorting)) throw invalid('sorting must be a list of {sortBy, sortOrder}');
    if (!Array.isArray(body.topics)) throw invalid('topics must be a list of {topicName, lockDuration, ...}');
    if (body.topics.length > 100) throw invalid('at most 100 topics per fetch');
    const topics = body.topics.map((t, i) => toTopic(t, i));
    if (maxTasks === 0 || topics.length === 0) return sendJson(res, 200, []);
    // A client that goes away ends its long poll.
    const abort = new AbortController();
    const onClose = () => abort.abort();
    res.once('close', onClose);
    try {
      const locked = await this.service.fetchAndLock({ workerId, maxTasks, usePriority, asyncResponseTimeout, topics }, user, abort.signal);
      sendJson(res, 200, locked.map(toLocked));
    } finally {
      res.off('close', onClose);
    }
  }

  @Get('external-task')
  @ApiOperation({ summary: 'Camunda 7: external tasks (of running instances), by creation unless sortBy/sortOrder' })
  @ApiQueries(...LIST_FILTERS, 'firstResult', 'maxResults')
  @ApiOkResponse({ schema: listOfSchema(EXTERNAL_TASK_SCHEMA) })
  async list(@Query() q: Record<string, unknown>, @CurrentUser() user: AuthUser, @Res() res: Response): Promise<void> {
    const filter = toQuery(q);
    const { offset, limit } = paging(q);
    const items: ExternalTaskView[] = [];
    // Camunda's offset window over the native pages.
    for (let page = Math.floor(offset / NATIVE_PAGE) + 1; items.length < limit; page++) {
      const { items: chunk, total } = await this.service.list({ ...filter, page, size: NATIVE_PAGE }, user);
      const start = page === Math.floor(offset / NATIVE_PAGE) + 1 ? offset % NATIVE_PAGE : 0;
      items.push(...chunk.slice(start, start + limit - items.length));
      if (page * NATIVE_PAGE >= total || chunk.length === 0) break;
    }
    sendJson(res, 200, items.map(toCamundaExternalTask));
  }

  @Get('external-task/count')
  @ApiOperation({ summary: 'Camunda 7: the number of external tasks matching the filters of GET /engine-rest/external-task' })
  @ApiQueries(...LIST_FILTERS)
  @ApiOkResponse({ schema: COUNT_SCHEMA })
  async count(@Query() q: Record<string, unknown>, @CurrentUser() user: AuthUser, @Res() res: Response): Promise<void> {
    sendJson(res, 200, { count: (await this.service.list({ ...toQuery(q), page: 1, size: 1 }, user)).total });
  }

  @Get('external-task/:id')
  @ApiOperation({ summary: 'Camunda 7: one external task' })
  @ApiOkResponse({ schema: EXTERNAL_TASK_SCHEMA })
  async get(@Param('id') id: string, @CurrentUser() user: AuthUser, @Res() res: Response): Promise<void> {
    sendJson(res, 200, toCamundaExternalTask(await this.service.get(taskId(id), user)));
  }

  @Post('external-task/:id/complete')
  @ApiOperation({ summary: 'Camunda 7: complete the task {workerId, variables, localVariables} (the lock holder); the instance continues in the same transaction. 204' })
  @ApiBody({ schema: { example: { workerId: 'worker-1', variables: { sent: { value: true, type: 'Boolean' } } } } })
  async complete(@Param('id') id: string, @Body() raw: unknown, @CurrentUser() user: AuthUser, @Res() res: Response): Promise<void> {
    const body = bodyObject(raw);
    const input = { workerId: requiredWorker(body), variables: fromTypedVariables(body.variables), localVariables: fromTypedVariables(body.localVariables, 'localVariables') };
    await this.service.complete(taskId(id), input, user);
    sendJson(res, 204, undefined);
  }

  @Post('external-task/:id/failure')
  @ApiOperation({ summary: 'Camunda 7: report a failure {workerId, errorMessage, errorDetails, retries, retryTimeout, variables, localVariables}; retries 0 opens an incident. 204' })
  @ApiBody({ schema: { example: { workerId: 'worker-1', errorMessage: 'mail server down', errorDetails: 'ECONNREFUSED', retries: 2, retryTimeout: 60000 } } })
  async failure(@Param('id') id: string, @Body() raw: unknown, @CurrentUser() user: AuthUser, @Res() res: Response): Promise<void> {
    const body = bodyObject(raw);
    const retries = optionalInt(body, 'retries', -2_000_000_000, 2_000_000_000);
    const retryTimeout = optionalInt(body, 'retryTimeout', 0, MAX_LOCK_MS);
    await this.service.handleFailure(
      taskId(id),
      {
        workerId: requiredWorker(body),
        errorMessage: optionalString(body, 'errorMessage', 4000) ?? null,
        errorDetails: optionalString(body, 'errorDetails', 64 * 1024) ?? null,
        retries: retries === undefined ? null : Math.max(0, retries),
        retryTimeout: retryTimeout ?? null,
        variables: fromTypedVariables(body.variables),
        localVariables: fromTypedVariables(body.localVariables, 'localVariables'),
      },
      user,
    );
    sendJson(res, 204, undefined);
  }

  @Post('external-task/:id/bpmnError')
  @ApiOperation({ summary: 'Camunda 7: throw a BPMN error at the task {workerId, errorCode, errorMessage, variables}; an error boundary event or event sub-process catches it by code. 204' })
  @ApiBody({ schema: { example: { workerId: 'worker-1', errorCode: 'address-invalid', errorMessage: 'no such mailbox' } } })
  async bpmnError(@Param('id') id: string, @Body() raw: unknown, @CurrentUser() user: AuthUser, @Res() res: Response): Promise<void> {
    const body = bodyObject(raw);
    const errorCode = optionalString(body, 'errorCode');
    if (!errorCode) throw invalid('errorCode is required');
    await this.service.handleBpmnError(
      taskId(id),
      { workerId: requiredWorker(body), errorCode, errorMessage: optionalString(body, 'errorMessage', 4000) ?? null, variables: fromTypedVariables(body.variables) },
      user,
    );
    sendJson(res, 204, undefined);
  }

  @Post('external-task/:id/extendLock')
  @ApiOperation({ summary: 'Camunda 7: extend the lock {workerId, newDuration} (ms from now; only the holder, before it expired). 204' })
  @ApiBody({ schema: { example: { workerId: 'worker-1', newDuration: 60000 } } })
  async extendLock(@Param('id') id: string, @Body() raw: unknown, @CurrentUser() user: AuthUser, @Res() res: Response): Promise<void> {
    const body = bodyObject(raw);
    const newDuration = optionalInt(body, 'newDuration', 1, MAX_LOCK_MS);
    if (newDuration === undefined) throw invalid(`newDuration is required: milliseconds from 1 to ${MAX_LOCK_MS}`);
    await this.service.extendLock(taskId(id), { workerId: requiredWorker(body), newDuration }, user);
    sendJson(res, 204, undefined);
  }

  @Post('external-task/:id/lock')
  @ApiOperation({ summary: 'Camunda 7: lock one task by id {workerId, lockDuration} (free, expired, or already the worker\'s). 204' })
  @ApiBody({ schema: { example: { workerId: 'worker-1', lockDuration: 60000 } } })
  async lock(@Param('id') id: string, @Body() raw: unknown, @CurrentUser() user: AuthUser, @Res() res: Response): Promise<void> {
    const body = bodyObject(raw);
    const lockDuration = optionalInt(body, 'lockDuration', 1, MAX_LOCK_MS);
    if (lockDuration === undefined) throw invalid(`lockDuration is required: milliseconds from 1 to ${MAX_LOCK_MS}`);
    await this.service.lock(taskId(id), { workerId: requiredWorker(body), lockDuration }, user);
    sendJson(res, 204, undefined);
  }

  @Post('external-task/:id/unlock')
  @ApiOperation({ summary: 'Camunda 7: release the lock (fetchable again at once). 204' })
  async unlock(@Param('id') id: string, @CurrentUser() user: AuthUser, @Res() res: Response): Promise<void> {
    await this.service.unlock(taskId(id), user);
    sendJson(res, 204, undefined);
  }

  @Put('external-task/:id/retries')
  @ApiOperation({ summary: 'Camunda 7: set the retries {retries}; more than 0 resolves the task\'s incident and makes it fetchable again. 204' })
  @ApiBody({ schema: { example: { retries: 3 } } })
  async retries(@Param('id') id: string, @Body() raw: unknown, @CurrentUser() user: AuthUser, @Res() res: Response): Promise<void> {
    const retries = optionalInt(bodyObject(raw), 'retries', 0, 2_000_000_000);
    if (retries === undefined) throw invalid('retries is required');
    await this.service.setRetries(taskId(id), retries, user);
    sendJson(res, 204, undefined);
  }
}

function invalid(message: string): EngineError {
  return new EngineError(EngineErrorCode.InvalidRequest, message);
}

function requiredWorker(body: Record<string, unknown>): string {
  const workerId = optionalString(body, 'workerId', 255);
  if (!workerId) throw invalid('workerId is required');
  return workerId;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A malformed id names no external task: 404, as for an unknown one. */
function taskId(id: string): string {
  if (!UUID.test(id)) throw new EngineError(EngineErrorCode.ExternalTaskNotFound, `External task with id ${id} does not exist`);
  return id;
}

function strings(value: unknown, field: string): string[] | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || value.length > 200 || !value.every((v) => typeof v === 'string' && v.length > 0 && v.length <= 256)) {
    throw invalid(`${field} must be a list of at most 200 names`);
  }
  return value as string[];
}

function toTopic(raw: unknown, i: number): FetchTopic {
  const field = `topics[${i}]`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid(`${field} must be an object {topicName, lockDuration, ...}`);
  const t = raw as Record<string, unknown>;
  const topicName = optionalString(t, 'topicName');
  if (!topicName) throw invalid(`${field}.topicName is required`);
  const lockDuration = optionalInt(t, 'lockDuration', 1, MAX_LOCK_MS);
  if (lockDuration === undefined) throw invalid(`${field}.lockDuration is required: milliseconds from 1 to ${MAX_LOCK_MS}`);
  refuseField(t, 'tenantIdIn', 'this server has no tenants');
  optionalBoolean(t, 'withoutTenantId');
  optionalBoolean(t, 'deserializeValues');
  const processVariables = t.processVariables;
  if (processVariables !== undefined && processVariables !== null && (typeof processVariables !== 'object' || Array.isArray(processVariables))) {
    throw invalid(`${field}.processVariables must be an object of name → value`);
  }
  return {
    topicName,
    lockDuration,
    variables: strings(t.variables, `${field}.variables`),
    localVariables: optionalBoolean(t, 'localVariables') ?? false,
    businessKey: optionalString(t, 'businessKey') ?? null,
    processDefinitionId: optionalString(t, 'processDefinitionId') ?? null,
    processDefinitionIdIn: strings(t.processDefinitionIdIn, `${field}.processDefinitionIdIn`),
    processDefinitionKey: optionalString(t, 'processDefinitionKey') ?? null,
    processDefinitionKeyIn: strings(t.processDefinitionKeyIn, `${field}.processDefinitionKeyIn`),
    processDefinitionVersionTag: optionalString(t, 'processDefinitionVersionTag') ?? null,
    processVariables: (processVariables as Record<string, unknown> | null | undefined) ?? null,
    includeExtensionProperties: optionalBoolean(t, 'includeExtensionProperties') ?? false,
  };
}

function toQuery(q: Record<string, unknown>): ExternalTaskQuery {
  const query: ExternalTaskQuery = {};
  const text = (name: string, key: keyof ExternalTaskQuery) => {
    const v = queryText(q, name);
    if (v !== undefined) (query as Record<string, unknown>)[key] = v;
  };
  text('externalTaskId', 'id');
  text('topicName', 'topicName');
  text('workerId', 'workerId');
  text('processInstanceId', 'processInstanceId');
  text('processDefinitionId', 'processDefinitionId');
  text('processDefinitionKey', 'processDefinitionKey');
  text('activityId', 'activityId');
  text('businessKey', 'businessKey');
  if (queryBoolean(q, 'locked')) query.locked = true;
  if (queryBoolean(q, 'notLocked')) query.locked = false;
  if (queryBoolean(q, 'withRetriesLeft')) query.withRetriesLeft = true;
  if (queryBoolean(q, 'noRetriesLeft')) query.withRetriesLeft = false;
  const high = queryInt(q, 'priorityHigherThanOrEquals', -2_000_000_000, 2_000_000_000);
  if (high !== undefined) query.priorityHigherThanOrEquals = high;
  const low = queryInt(q, 'priorityLowerThanOrEquals', -2_000_000_000, 2_000_000_000);
  if (low !== undefined) query.priorityLowerThanOrEquals = low;
  for (const id of ['id', 'processInstanceId', 'processDefinitionId'] as const) {
    // an id that cannot exist matches nothing (rather than reaching a uuid column)
    if (query[id] !== undefined && !UUID.test(query[id])) query[id] = '00000000-0000-0000-0000-000000000000';
  }
  return query;
}

function toCamundaExternalTask(t: ExternalTaskView) {
  return {
    activityId: t.activityId,
    activityInstanceId: t.activityInstanceId,
    errorMessage: t.errorMessage,
    executionId: t.activityInstanceId,
    id: t.id,
    lockExpirationTime: camundaDate(t.lockExpirationTime),
    createTime: camundaDate(t.createdAt),
    processDefinitionId: t.processDefinitionId,
    processDefinitionKey: t.processDefinitionKey,
    processDefinitionVersionTag: null,
    processInstanceId: t.processInstanceId,
    retries: t.retries,
    suspended: t.suspended,
    workerId: t.workerId,
    topicName: t.topicName,
    tenantId: null,
    priority: t.priority,
    businessKey: t.businessKey,
  };
}

function toLocked(t: LockedExternalTask) {
  // camunda:properties of the activity are not kept: extensionProperties is always empty
  return { ...toCamundaExternalTask(t), errorDetails: t.errorDetails ?? null, variables: toTypedVariables(t.variables), extensionProperties: {} };
}
