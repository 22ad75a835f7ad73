import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { EngineError, EngineErrorCode, MAX_EXTERNAL_LOCK_MS, Orchestrator, mayWorkExternalTasks, EXTERNAL_TASK_ROLES } from '../../engine';
import type {
  BpmnErrorInput,
  CompleteInput,
  ExtendLockInput,
  ExternalTaskCommandResult,
  ExternalTaskOperations,
  ExternalTaskQuery,
  ExternalTaskView,
  FailureInput,
  FetchAndLockInput,
  LockInput,
  LockedExternalTask,
} from '../../engine';
import type { AuthUser } from '../auth/auth-user';
import { hasRole } from '../auth/auth-user';
import { parse, uuid, MAX_PAGE, MAX_PAGE_SIZE } from '../common/validation';
import { ExternalTasksQuery } from './external-tasks.query';
import { TopicWaiter } from './topic-waiter';

/** Longest long poll: 30 minutes (Camunda's default maximum). */
export const MAX_ASYNC_RESPONSE_MS = 30 * 60 * 1000;
/** Most tasks one fetch may lock. */
export const MAX_FETCH_TASKS = 1000;
const MAX_TOPICS = 100;
const MAX_NAMES = 1000;

const name = z.string().trim().min(1).max(255);
const workerId = z.string().min(1, 'must not be empty').max(255);
const duration = z.number().int().min(1).max(MAX_EXTERNAL_LOCK_MS);
// Variables are checked by the engine (assertVariables) on the raw object: zod would drop keys such as __proto__.
const variables = z.unknown().optional().nullable();

export const FetchTopicSchema = z
  .object({
    topicName: name,
    lockDuration: duration,
    variables: z.array(z.string().min(1).max(255)).max(MAX_NAMES).nullable().optional(),
    localVariables: z.boolean().optional(),
    businessKey: z.string().max(255).nullable().optional(),
    processDefinitionId: z.string().max(255).nullable().optional(),
    processDefinitionIdIn: z.array(z.string().max(255)).max(MAX_NAMES).nullable().optional(),
    processDefinitionKey: z.string().max(255).nullable().optional(),
    processDefinitionKeyIn: z.array(z.string().max(255)).max(MAX_NAMES).nullable().optional(),
    processDefinitionVersionTag: z.string().max(255).nullable().optional(),
    processVariables: z.record(z.string(), z.unknown()).nullable().optional(),
    includeExtensionProperties: z.boolean().optional(),
  })
  .strict();

export const FetchAndLockSchema = z
  .object({
    workerId,
    maxTasks: z.number().int().min(1).max(MAX_FETCH_TASKS),
    usePriority: z.boolean().optional(),
    asyncResponseTimeout: z.number().int().min(0).max(MAX_ASYNC_RESPONSE_MS).optional(),
    topics: z.array(FetchTopicSchema).min(1).max(MAX_TOPICS),
  })
  .strict();
export const CompleteSchema = z.object({ workerId, variables, localVariables: variables }).strict();
export const FailureSchema = z
  .object({
    workerId,
    errorMessage: z.string().max(4000).nullable().optional(),
    errorDetails: z.string().max(100_000).nullable().optional(),
    retries: z.number().int().min(0).max(1_000_000).nullable().optional(),
    retryTimeout: z.number().int().min(0).max(MAX_EXTERNAL_LOCK_MS).nullable().optional(),
    variables,
    localVariables: variables,
  })
  .strict();
export const BpmnErrorSchema = z.object({ workerId, errorCode: z.string().min(1).max(255), errorMessage: z.string().max(4000).nullable().optional(), variables }).strict();
export const ExtendLockSchema = z.object({ workerId, newDuration: duration }).strict();
export const LockSchema = z.object({ workerId, lockDuration: duration }).strict();
export const RetriesSchema = z.object({ retries: z.number().int().min(0).max(1_000_000) }).strict();
const boolish = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);
export const ListSchema = z
  .object({
    id: uuid.optional(),
    topicName: name.optional(),
    workerId: workerId.optional(),
    locked: boolish.optional(),
    withRetriesLeft: boolish.optional(),
    processInstanceId: uuid.optional(),
    processDefinitionId: uuid.optional(),
    processDefinitionKey: z.string().min(1).max(256).optional(),
    activityId: z.string().min(1).max(256).optional(),
    businessKey: z.string().min(1).max(256).optional(),
    priorityHigherThanOrEquals: z.coerce.number().int().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER).optional(),
    priorityLowerThanOrEquals: z.coerce.number().int().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER).optional(),
    page: z.coerce.number().int().min(1).max(MAX_PAGE).default(1),
    size: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50),
  })
  .strict();

/**
 * External tasks for workers: the one implementation behind `/api/external-tasks` and
 * `/engine-rest/external-task`. Contract, types and error codes: engine/external-tasks/ports.ts.
 * Every method validates its input (400 problem naming the field) and checks the caller: the
 * roles `admin` and `worker` work external tasks; `auditor` may read them too.
 */
@Injectable()
export class ExternalTasksService implements ExternalTaskOperations<AuthUser> {
  constructor(
    @Inject(Orchestrator) private readonly orchestrator: Orchestrator,
    @Inject(ExternalTasksQuery) private readonly query: ExternalTasksQuery,
    @Inject(TopicWaiter) private readonly waiter: TopicWaiter,
  ) {}

  async fetchAndLock(input: FetchAndLockInput, principal: AuthUser, signal?: AbortSignal): Promise<LockedExternalTask[]> {
    assertWorker(principal);
    const request = parse(FetchAndLockSchema, input, 'fetchAndLock request');
    for (const topic of request.topics) if (topic.processVariables) assertVariablesShape(topic.processVariables);
    const deadline = Date.now() + (request.asyncResponseTimeout ?? 0);
    const topics = request.topics.map((t) => t.topicName);
    for (;;) {
      const locked = await this.orchestrator.externalTasks.fetchAndLock(request, principal.username);
      const left = deadline - Date.now();
      if (locked.length || left <= 0 || signal?.aborted) return locked;
      await this.waiter.wait(topics, left, signal);
    }
  }

  complete(id: string, input: CompleteInput, principal: AuthUser): Promise<ExternalTaskCommandResult> {
    assertWorker(principal);
    const body = parse(CompleteSchema, input, 'complete request');
    return this.orchestrator.externalTasks.complete(taskId(id), { workerId: body.workerId, variables: object(body.variables), localVariables: object(body.localVariables) }, principal.username);
  }

  handleFailure(id: string, input: FailureInput, principal: AuthUser): Promise<ExternalTaskCommandResult> {
    assertWorker(principal);
    const body = parse(FailureSchema, input, 'failure request');
    return this.orchestrator.externalTasks.handleFailure(taskId(id), { ...body, variables: object(body.variables), localVariables: object(body.localVariables) }, principal.username);
  }

  handleBpmnError(id: string, input: BpmnErrorInput, principal: AuthUser): Promise<ExternalTaskCommandResult> {
    assertWorker(principal);
    const body = parse(BpmnErrorSchema, input, 'bpmnError request');
    return this.orchestrator.externalTasks.handleBpmnError(taskId(id), { ...body, variables: object(body.variables) }, principal.username);
  }

  extendLock(id: string, input: ExtendLockInput, principal: AuthUser): Promise<ExternalTaskView> {
    assertWorker(principal);
    return this.orchestrator.externalTasks.extendLock(taskId(id), parse(ExtendLockSchema, input, 'extendLock request'), principal.username);
  }

  lock(id: string, input: LockInput, principal: AuthUser): Promise<ExternalTaskView> {
    assertWorker(principal);
    return this.orchestrator.externalTasks.lock(taskId(id), parse(LockSchema, input, 'lock request'), principal.username);
  }

  unlock(id: string, principal: AuthUser): Promise<ExternalTaskView> {
    assertWorker(principal);
    return this.orchestrator.externalTasks.unlock(taskId(id), principal.username);
  }

  setRetries(id: string, retries: number, principal: AuthUser): Promise<ExternalTaskView> {
    assertWorker(principal);
    return this.orchestrator.externalTasks.setRetries(taskId(id), parse(RetriesSchema, { retries }, 'retries request').retries, principal.username);
  }

  get(id: string, principal: AuthUser): Promise<ExternalTaskView> {
    assertReader(principal);
    return this.query.get(taskId(id));
  }

  list(query: ExternalTaskQuery, principal: AuthUser): Promise<{ items: ExternalTaskView[]; page: number; size: number; total: number }> {
    assertReader(principal);
    return this.query.list(parse(ListSchema, query, 'query'));
  }
}

function assertWorker(user: AuthUser): void {
  if (!mayWorkExternalTasks(user.roles)) {
    throw new EngineError(EngineErrorCode.Forbidden, `external tasks are worked by the roles ${EXTERNAL_TASK_ROLES.join(', ')}`);
  }
}

function assertReader(user: AuthUser): void {
  if (!mayWorkExternalTasks(user.roles) && !hasRole(user, 'auditor')) {
    throw new EngineError(EngineErrorCode.Forbidden, `external tasks are read by the roles ${EXTERNAL_TASK_ROLES.join(', ')}, auditor`);
  }
}

/** An unknown id is a 404 like a missing task (never a database error). */
function taskId(id: string): string {
  if (!uuid.safeParse(id).success) throw new EngineError(EngineErrorCode.ExternalTaskNotFound, `no external task with id "${id}"`);
  return id;
}

function object(value: unknown): Record<string, unknown> | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) throw new EngineError(EngineErrorCode.InvalidRequest, 'variables must be an object of name → value');
  return value as Record<string, unknown>;
}

function assertVariablesShape(value: Record<string, unknown>): void {
  if (JSON.stringify(value).length > 64 * 1024) throw new EngineError(EngineErrorCode.InvalidRequest, 'processVariables is larger than 64 KiB');
}
