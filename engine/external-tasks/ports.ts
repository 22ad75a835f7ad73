/**
 * External tasks: service tasks whose work is done outside the server by workers that fetch and
 * lock them by topic over HTTP (`camunda:type="external"` + `camunda:topic`, or Camunda 8's
 * `zeebe:taskDefinition type`). This file is the contract shared by the engine
 * (engine/external-tasks), the native API (api/external-tasks, `/api/external-tasks`) and the
 * Camunda 7 compatibility layer (`/engine-rest/external-task`). It only grows: fields and methods
 * are added, never renamed.
 *
 * Times are ISO 8601 strings (UTC), durations milliseconds, variables plain JSON values in the
 * native format (`{ name: value }`); the compatibility layer converts to and from Camunda's typed
 * format.
 *
 * Errors ({@link EngineError} codes; HTTP status of the native API in brackets):
 * - `INVALID_REQUEST` (400): a malformed input (no topics, a negative lock duration...).
 * - `FORBIDDEN` (403): the caller may not work external tasks (see {@link mayWorkExternalTasks}).
 * - `EXTERNAL_TASK_NOT_FOUND` (404): no external task with that id (completed, cancelled, or never).
 * - `EXTERNAL_TASK_LOCK_CONFLICT` (409): the worker does not hold the lock (`details.reason`:
 *   `not-locked`, `lock-expired`, `locked-by-other`; `details.workerId` and
 *   `details.lockExpirationTime` name the current holder, if any). `complete`, `handleFailure`,
 *   `handleBpmnError` and `extendLock` need a lock held by `workerId` that has not expired;
 *   `lock` refuses a task another worker holds unexpired.
 * - `INSTANCE_NOT_RUNNING` (409): the task's instance ended meanwhile.
 * - `PROCESS_FAILED` (422): `handleBpmnError` with a code nothing catches, or the process failed
 *   while continuing after `complete`; nothing was changed.
 * - `BUDGET_EXCEEDED` (422) as for any command.
 */

/** An external task as every API answers it. */
export interface ExternalTaskView {
  id: string;
  topicName: string;
  /** The worker holding (or that last held) the lock; null if never locked or unlocked. */
  workerId: string | null;
  /** When the current lock expires; null when unlocked. A past time means the lock expired. */
  lockExpirationTime: string | null;
  processInstanceId: string;
  processDefinitionId: string;
  processDefinitionKey: string;
  processDefinitionVersion: number;
  /** BPMN element id of the service task. */
  activityId: string;
  /** Engine execution id of the waiting activity (one per loop iteration). */
  activityInstanceId: string;
  /** Element type: bpmn:ServiceTask, bpmn:SendTask, bpmn:BusinessRuleTask, bpmn:IntermediateThrowEvent, bpmn:EndEvent. */
  activityType: string;
  businessKey: string | null;
  /** Retries left as the last failure reported them; null until the first failure (Camunda). */
  retries: number | null;
  errorMessage: string | null;
  /** Not before this time may the task be fetched again (set by a failure's `retryTimeout`). */
  retryAt: string | null;
  /** `camunda:taskPriority` (default 0, as in Camunda); higher first when fetching with `usePriority`. */
  priority: number;
  /** True when retries reached 0 and an incident is open: not fetchable until an admin retries it. */
  suspended: boolean;
  /** The open incident of this task (retries exhausted), if any. */
  incidentId: string | null;
  createdAt: string;
}

/** A locked task as fetchAndLock answers it: with the variables the worker asked for. */
export interface LockedExternalTask extends ExternalTaskView {
  workerId: string;
  lockExpirationTime: string;
  /** Process variables merged with the task's local variables (input parameters); filtered by the topic's `variables`. */
  variables: Record<string, unknown>;
  /** `camunda:errorDetails` the last failure reported (Camunda returns them on fetch only on request). */
  errorDetails?: string | null;
}

/** One topic of a fetch request. */
export interface FetchTopic {
  topicName: string;
  /** Milliseconds the lock holds (1 ms to 7 days on the native API). */
  lockDuration: number;
  /** Names of the variables to return; omitted or null: all of them; [] none. */
  variables?: string[] | null;
  /** Only the task's local variables (its input parameters), not the process variables. */
  localVariables?: boolean;
  /** Only tasks of instances with this business key. */
  businessKey?: string | null;
  processDefinitionId?: string | null;
  processDefinitionIdIn?: string[] | null;
  processDefinitionKey?: string | null;
  processDefinitionKeyIn?: string[] | null;
  processDefinitionVersionTag?: string | null;
  /** Only tasks of instances whose process variables have these exact values (JSON equality). */
  processVariables?: Record<string, unknown> | null;
  /** Also return `errorDetails`. */
  includeExtensionProperties?: boolean;
}

export interface FetchAndLockInput {
  workerId: string;
  /** At most this many tasks in all topics (1 to 1000 on the native API). */
  maxTasks: number;
  /** Higher `priority` first (then oldest first); otherwise oldest first. */
  usePriority?: boolean;
  /**
   * Long polling: wait up to this many milliseconds (0 to 30 minutes) for tasks when none is
   * available; answers as soon as one is locked (woken by new tasks of the topics, in this
   * process at once, from other server processes through PostgreSQL LISTEN/NOTIFY or a short poll).
   */
  asyncResponseTimeout?: number;
  topics: FetchTopic[];
}

export interface CompleteInput {
  workerId: string;
  /** Set on the process instance (like Camunda's `variables`). */
  variables?: Record<string, unknown> | null;
  /** Visible only to the task's output parameters (like Camunda's `localVariables`). */
  localVariables?: Record<string, unknown> | null;
}

export interface FailureInput {
  workerId: string;
  errorMessage?: string | null;
  errorDetails?: string | null;
  /** Retries left; 0 (or less) opens an incident. Omitted: the current retries minus one, at least 0 (a first failure without it: 0). */
  retries?: number | null;
  /** Milliseconds before the task may be fetched again (0 = at once). */
  retryTimeout?: number | null;
  /** Set on the process instance with the failure (Camunda 7.17+). */
  variables?: Record<string, unknown> | null;
  localVariables?: Record<string, unknown> | null;
}

export interface BpmnErrorInput {
  workerId: string;
  errorCode: string;
  errorMessage?: string | null;
  /** Set on the process instance before the error is thrown (the catcher sees them). */
  variables?: Record<string, unknown> | null;
}

export interface ExtendLockInput {
  workerId: string;
  /** New lock duration from now, in milliseconds. */
  newDuration: number;
}

export interface LockInput {
  workerId: string;
  lockDuration: number;
}

/** Filters of list(); every field optional, all given ones must match. */
export interface ExternalTaskQuery {
  id?: string;
  topicName?: string;
  workerId?: string;
  /** true: locked (unexpired lock); false: not locked. */
  locked?: boolean;
  /** true: retries null or > 0; false: retries = 0 (incident). */
  withRetriesLeft?: boolean;
  processInstanceId?: string;
  processDefinitionId?: string;
  processDefinitionKey?: string;
  activityId?: string;
  businessKey?: string;
  priorityHigherThanOrEquals?: number;
  priorityLowerThanOrEquals?: number;
  /** Paging: 1-based page and page size (native API). */
  page?: number;
  size?: number;
}

/** What the instance continues with, as after completing a user task. */
export interface ExternalTaskCommandResult {
  /** The task as it stands after the command; null when the command removed it (complete, bpmnError). */
  task: ExternalTaskView | null;
  instance: {
    id: string;
    status: 'running' | 'completed' | 'cancelled' | 'failed';
    revision: number;
  };
}

/**
 * The operations of the external task service (api/external-tasks/external-tasks.service.ts,
 * class `ExternalTasksService`, exported by `ExternalTasksModule`). `Principal` is the
 * authenticated caller (api/auth `AuthUser`); each method checks it may work external tasks.
 */
export interface ExternalTaskOperations<Principal> {
  /** Locks up to `maxTasks` available tasks of the topics for `workerId` (long polling with `asyncResponseTimeout`); `signal` aborts the wait (client gone). */
  fetchAndLock(input: FetchAndLockInput, principal: Principal, signal?: AbortSignal): Promise<LockedExternalTask[]>;
  /** Completes the task and continues the instance in the same transaction. */
  complete(id: string, input: CompleteInput, principal: Principal): Promise<ExternalTaskCommandResult>;
  /** Reports a failure: the task is released, fetchable again after `retryTimeout`; retries 0 opens an incident. */
  handleFailure(id: string, input: FailureInput, principal: Principal): Promise<ExternalTaskCommandResult>;
  /** Throws a BPMN error at the task: an error boundary or error event sub-process catches it by code (else PROCESS_FAILED, nothing changed). */
  handleBpmnError(id: string, input: BpmnErrorInput, principal: Principal): Promise<ExternalTaskCommandResult>;
  /** Moves the lock's expiry to now + `newDuration` (only the holder, before it expired). */
  extendLock(id: string, input: ExtendLockInput, principal: Principal): Promise<ExternalTaskView>;
  /** Locks one task by id for `workerId` (free, expired, or already its own). */
  lock(id: string, input: LockInput, principal: Principal): Promise<ExternalTaskView>;
  /** Releases the lock whoever holds it (fetchable again at once). */
  unlock(id: string, principal: Principal): Promise<ExternalTaskView>;
  /** Sets the retries; > 0 resolves the task's open incident and makes it fetchable again. */
  setRetries(id: string, retries: number, principal: Principal): Promise<ExternalTaskView>;
  get(id: string, principal: Principal): Promise<ExternalTaskView>;
  list(query: ExternalTaskQuery, principal: Principal): Promise<{ items: ExternalTaskView[]; page: number; size: number; total: number }>;
}

/** Roles that may fetch, lock and complete external tasks (Camunda: a technical user with UPDATE on process instances). */
export const EXTERNAL_TASK_ROLES = ['admin', 'worker'] as const;

/** True for a caller holding one of {@link EXTERNAL_TASK_ROLES}. */
export function mayWorkExternalTasks(roles: readonly string[]): boolean {
  return roles.some((r) => (EXTERNAL_TASK_ROLES as readonly string[]).includes(r));
}

/** An external task row as the engine stores it (table external_task). */
export interface ExternalTaskRecord {
  id: string;
  instanceId: string;
  definitionId: string;
  definitionKey: string;
  definitionVersion: number;
  businessKey: string | null;
  elementId: string;
  elementType: string;
  executionId: string;
  topic: string;
  priority: number;
  /** The task's local variables: its input parameters, evaluated when it was created. */
  locals: Record<string, unknown>;
  workerId: string | null;
  lockExpiresAt: string | null;
  retries: number | null;
  errorMessage: string | null;
  errorDetails: string | null;
  retryAt: string | null;
  incidentId: string | null;
  createdAt: string;
}

/** Which tasks a fetch may lock (one topic of a fetch request). */
export interface AvailableTaskFilter {
  topics: FetchTopic[];
  /** Locks expired before this time count as released; retry timeouts before it have passed. */
  now: string;
  limit: number;
  usePriority: boolean;
}

/** External task storage inside a command's transaction (implemented in api/external-tasks). */
export interface ExternalTaskStore {
  insertExternalTasks(tasks: ExternalTaskRecord[]): Promise<void>;
  /** The instance's external tasks, locked (`FOR UPDATE`). */
  instanceExternalTasks(instanceId: string): Promise<ExternalTaskRecord[]>;
  /** One task; `lock`: `FOR UPDATE` (take the instance's lock first). */
  getExternalTask(id: string, lock: boolean): Promise<ExternalTaskRecord | null>;
  deleteExternalTasks(ids: string[]): Promise<void>;
  updateExternalTask(task: ExternalTaskRecord): Promise<void>;
  /**
   * Locks available tasks (`FOR UPDATE OF task, instance SKIP LOCKED`: a task whose instance a
   * command holds is skipped, so a fetch never waits): of a running instance, without an open
   * incident, not locked (or lock expired), retry timeout passed, matching one topic's filters.
   * Ordered by priority (when asked) then creation; at most `limit`.
   */
  lockAvailableExternalTasks(filter: AvailableTaskFilter): Promise<(ExternalTaskRecord & { lockDuration: number; topicIndex: number })[]>;
  /** Wakes long-polling fetches of these topics in other server processes (after commit). */
  notifyExternalTopics(topics: string[]): Promise<void>;
}
