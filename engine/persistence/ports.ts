import type { HistoryEventRecord, ChainHead } from '../history/hash-chain';
import type { EngineSnapshot } from '../runtime/instance-runner';
import type { DefinitionProblem } from '../errors';
import type { MessagingStore } from '../messaging/ports';
import type { DecisionStore } from '../decisions/ports';
import type { RecordStore } from '../records/ports';
import type { FormStore } from '../forms/ports';
import type { ExternalTaskStore } from '../external-tasks/ports';

export type DefinitionState = 'active' | 'suspended';
export type InstanceStatus = 'running' | 'completed' | 'cancelled' | 'failed';
export type TaskStatus = 'open' | 'completed' | 'cancelled';

export interface DefinitionRecord {
  id: string;
  key: string;
  version: number;
  versionTag: string | null;
  name: string | null;
  sha256: string;
  state: DefinitionState;
  deployedBy: string | null;
  deployedAt: string;
  warnings: DefinitionProblem[];
}

export interface NewDefinition extends Omit<DefinitionRecord, 'version'> {
  xml: string;
  serialized: string;
}

export interface InstanceRecord {
  id: string;
  definitionId: string;
  definitionKey: string;
  definitionVersion: number;
  businessKey: string | null;
  status: InstanceStatus;
  snapshot: EngineSnapshot | null;
  variables: Record<string, unknown>;
  activeElementIds: string[];
  revision: number;
  startedBy: string | null;
  startedAt: string;
  endedAt: string | null;
  endReason: string | null;
  history: ChainHead;
  /** The instance whose call activity started this one (null for a top-level instance). */
  parentInstanceId?: string | null;
  /** The call activity (element id) and its execution that wait for this instance. */
  parentElementId?: string | null;
  parentExecutionId?: string | null;
  /** The top-level instance of the call tree (null for a top-level instance). */
  rootInstanceId?: string | null;
}

export interface TaskRecord {
  id: string;
  instanceId: string;
  definitionKey: string;
  elementId: string;
  executionId: string;
  name: string | null;
  assignee: string | null;
  candidateUsers: string[];
  candidateGroups: string[];
  dueAt: string | null;
  followUpAt: string | null;
  priority: number;
  formKey: string | null;
  status: TaskStatus;
  createdAt: string;
  completedAt: string | null;
  completedBy: string | null;
  submitted: Record<string, unknown> | null;
}

/** Fields a command may change on an instance row (revision is bumped by the store). */
export type InstancePatch = Pick<
  InstanceRecord,
  'status' | 'snapshot' | 'variables' | 'activeElementIds' | 'endedAt' | 'endReason' | 'history'
>;

/** How a task left the open state. */
export interface TaskClosure {
  executionId: string;
  status: 'completed' | 'cancelled';
  at: string;
  by: string | null;
  submitted: Record<string, unknown> | null;
}

/** A stored answer to an idempotent command. */
export interface IdempotentResult {
  requestHash: string;
  result: unknown;
}

/**
 * Storage for one command, bound to one database transaction. Implemented by the host
 * (`api/engine-host`); the engine never sees SQL. Every method runs inside the transaction that
 * {@link TransactionRunner.run} opened.
 */
/** One history event's values of some variables (see {@link CommandStore.variableHistory}). */
export interface VariableHistoryEntry {
  type: 'instance.started' | 'variables.changed' | 'task.completed';
  occurredAt: string;
  values: Record<string, unknown>;
}

export interface CommandStore extends TimerStore, MessagingStore {
  /** External tasks (engine/external-tasks); absent in stores without them. */
  readonly externalTasks?: ExternalTaskStore;
  /** Decision definitions (engine/decisions); absent in stores without them. */
  readonly decisions?: DecisionStore;
  /** ITSM records (engine/records). */
  readonly records: RecordStore;
  /** Serialises deploys of one key (so versions count 1, 2, ... without gaps or duplicates). */
  lockDefinitionKey(key: string): Promise<void>;
  latestDefinition(key: string): Promise<(DefinitionRecord & { sha256: string }) | null>;
  insertDefinition(definition: NewDefinition): Promise<DefinitionRecord>;
  getDefinition(id: string): Promise<DefinitionRecord | null>;
  /** The serialized parsed context, to build the engine (only read on a cache miss). */
  getDefinitionContext(id: string): Promise<string | null>;

  insertInstance(instance: InstanceRecord): Promise<void>;
  /** `SELECT ... FOR UPDATE`: serialises commands on one instance across all server processes. */
  lockInstance(id: string): Promise<InstanceRecord | null>;
  /**
   * The task and its instance, the instance row locked (`SELECT ... FOR UPDATE`), read in one
   * statement; the task as it is under the lock. Null when there is no such task.
   */
  lockTask(taskId: string): Promise<{ task: TaskRecord; instance: InstanceRecord } | null>;
  /**
   * What `timer.fire` starts with, in one statement: the instances locked (`SELECT ... FOR UPDATE`,
   * in id order, before the job rows: the order of every command that touches an instance's
   * timers), then each pending job deleted while `owner` still holds its claim ({@link
   * TimerStore.takeTimerJob}). By job id: `job` null when it is gone or another worker claimed it,
   * `instance` null when the instance no longer exists.
   */
  lockInstancesTakingTimerJobs(
    jobs: { instanceId: string; jobId: string }[],
    owner: string,
  ): Promise<Map<string, { instance: InstanceRecord | null; job: TimerJobRecord | null }>>;
  /**
   * Compare-and-set on revision; throws EngineError(RevisionConflict) when it moved. The store may
   * hold the write back until its next statement on the same tables or the commit (one round trip
   * for all of a command's writes), so the conflict can surface there.
   */
  updateInstance(id: string, expectedRevision: number, patch: InstancePatch): Promise<void>;

  getTask(id: string): Promise<TaskRecord | null>;
  insertTasks(tasks: TaskRecord[]): Promise<void>;
  setTaskAssignee(id: string, assignee: string | null): Promise<void>;
  /** Closes the given open tasks; returns those actually closed. */
  closeTasks(instanceId: string, closures: TaskClosure[]): Promise<TaskRecord[]>;
  openTasks(instanceId: string): Promise<TaskRecord[]>;
  /** Completed tasks of the instance at the given elements (who performed them). */
  completedTasksAt(instanceId: string, elementIds: string[]): Promise<TaskRecord[]>;
  /**
   * The named variables as the instance's history records them, in order: their start values
   * (`instance.started`), each change (`variables.changed`) and each task submission that set
   * them (`task.completed`); events naming none of them are left out (segregation of duties).
   */
  variableHistory(instanceId: string, names: string[]): Promise<VariableHistoryEntry[]>;

  appendHistory(events: HistoryEventRecord[]): Promise<void>;

  /** The version a call activity starts: an exact version, the latest with a version tag, or the latest active one. */
  findCalledDefinition(key: string, select: { version?: number | null; versionTag?: string | null }): Promise<DefinitionRecord | null>;
  /** Running instances started by call activities of `parentInstanceId`. */
  runningChildren(parentInstanceId: string): Promise<{ id: string; parentExecutionId: string | null }[]>;

  /**
   * Optional: one round trip for what a start of `definitionKey` will read, when the caller can
   * guess it (the version it started last): the key's latest version (answered by the next
   * `latestDefinition(definitionKey)`), a record number of `recordType` allocated for the next
   * `records.allocateRecordSeq(recordType)`, and the latest versions of `decisionKeys` (answered by
   * `decisions.latestDecision`). A number allocated here and not used by the commit fails it with a
   * retryable RevisionConflict (record numbers stay gapless).
   * `reserve`: the number is only reserved, not locked, while the start runs (concurrent starts of
   * the type do not wait for each other's runs); the commit takes it in number order, and fails
   * with a retryable RevisionConflict when it was not the next one (a start before it rolled back,
   * or another took it): the caller retries without `reserve`, which locks the counter.
   */
  prefetchStart?(input: { definitionKey: string; recordType: string | null; decisionKeys: string[]; reserve?: boolean }): Promise<void>;

  findIdempotent(scope: string, key: string): Promise<IdempotentResult | null>;
  /** Throws EngineError(RevisionConflict, retryable) if another transaction stored the key first. */
  saveIdempotent(scope: string, key: string, value: IdempotentResult): Promise<void>;

  /** Forms deployed with definition versions (engine/forms). */
  readonly forms: FormStore;
}

export type TimerJobKind = 'instance' | 'start';

/** A durable timer: a timer an instance waits on, or the schedule of a timer start event. */
export interface TimerJobRecord {
  id: string;
  kind: TimerJobKind;
  instanceId: string | null;
  definitionId: string;
  definitionKey: string;
  elementId: string;
  elementType: string | null;
  /** Engine execution id of the armed timer (instance timers only). */
  executionId: string | null;
  spec: string | null;
  /** Firings left including the next (-1 unbounded), for cycles. */
  remaining: number | null;
  /** When the timer is due (never fired before this); null while parked (its SLA clock is paused). */
  dueAt: string | null;
  /** When it should next be tried: dueAt, or later after a failed attempt; null while parked. */
  runAt: string | null;
  status: 'pending' | 'failed';
  attempts: number;
  lastError: string | null;
  lockedBy: string | null;
  lockExpiresAt: string | null;
  createdAt: string;
}

/** A timer the engine has armed, as the store receives it. */
export interface ArmedTimer {
  id: string;
  executionId: string;
  elementId: string;
  elementType: string | null;
  spec: string | null;
  remaining: number | null;
  dueAt: string;
}

export interface IncidentRecord {
  id: string;
  /** `service-failed`: the retry job of a failing service handler (runtime/service-retry.ts); `external-task-failed`: an external task out of retries (`jobId` is its id). */
  type: 'timer-failed' | 'service-failed' | 'external-task-failed';
  status: 'open' | 'resolved';
  instanceId: string | null;
  definitionId: string;
  jobId: string | null;
  elementId: string | null;
  message: string;
  attempts: number;
  createdAt: string;
  resolvedAt: string | null;
  resolvedBy: string | null;
}

/** Timer-job and incident storage inside a command's transaction. */
export interface TimerStore {
  /**
   * Makes the instance's timer rows match the engine's armed timers: rows of timers no longer
   * armed are deleted, new timers inserted; an existing row keeps its due time.
   */
  syncInstanceTimers(instance: { id: string; definitionId: string; definitionKey: string }, armed: ArmedTimer[], createdAt: string): Promise<{ added: TimerJobRecord[]; removed: TimerJobRecord[] }>;
  deleteInstanceTimers(instanceId: string): Promise<TimerJobRecord[]>;
  /** Locks a job row (`FOR UPDATE`); null when it no longer exists. */
  lockTimerJob(id: string): Promise<TimerJobRecord | null>;
  /**
   * Deletes the pending job `id` while `owner` still holds its claim, answering the row as it was
   * (one statement: lock, check and delete); null when it is gone or another worker claimed it.
   */
  takeTimerJob(id: string, owner: string): Promise<TimerJobRecord | null>;
  deleteTimerJob(id: string): Promise<void>;
  /** Moves a start schedule to its next occurrence and releases it. */
  rescheduleTimerJob(id: string, dueAt: string, remaining: number): Promise<void>;
  /** Replaces every timer start schedule of a process key. */
  replaceStartTimers(definitionKey: string, jobs: TimerJobRecord[]): Promise<{ removed: TimerJobRecord[]; added: TimerJobRecord[] }>;
  /** Records a failed attempt: retry later, or mark failed. Only if `owner` still holds the claim. */
  recordTimerFailure(id: string, owner: string, patch: { attempts: number; runAt: string; status: 'pending' | 'failed'; lastError: string }): Promise<boolean>;
  /** The timer jobs of one instance, locked (`FOR UPDATE`). */
  instanceTimerJobs(instanceId: string): Promise<TimerJobRecord[]>;
  /** Moves a job to a new due time; null parks it (never due, e.g. while its SLA clock is paused). */
  setTimerDue(id: string, dueAt: string | null): Promise<void>;
  /** Puts a failed job back in line. */
  retryTimerJob(id: string, runAt: string): Promise<void>;
  insertIncident(incident: IncidentRecord): Promise<void>;
  lockIncident(id: string): Promise<IncidentRecord | null>;
  resolveIncident(id: string, at: string, by: string | null): Promise<void>;
  setDefinitionState(id: string, state: DefinitionState): Promise<void>;
}

/** A timer job a worker claimed (see {@link TimerClaimer.claimDue}). */
export interface ClaimedTimerJob {
  id: string;
  instanceId: string | null;
  lagSeconds: number;
}

/** Claims due timer jobs for one worker; each claim is its own short transaction. */
export interface TimerClaimer {
  /**
   * Claims up to `limit` due jobs (`run_at <= database now + offsetMs`) with
   * `FOR UPDATE SKIP LOCKED`, marking them locked by `owner` until `lockMs` from now. A job whose
   * claim expired (its worker died) is claimable again.
   */
  /**
   * Claims due jobs, soonest first; each with its instance (null for a timer start schedule) and
   * how late it is (seconds since it was due, by the database clock shifted by `offsetMs`).
   */
  claimDue(owner: string, limit: number, lockMs: number, offsetMs: number, partition?: TimerPartition): Promise<ClaimedTimerJob[]>;
}

/**
 * The share of instance timer jobs one of several server processes claims first: the jobs of the
 * instances it owns (instance affinity: slot of the instance id mod `workers` = `index`, see
 * engine/commands/instance-ids.ts), where their engines are warm. Another process's jobs are
 * claimed only once they are `graceMs` overdue (their owner is gone or behind), and timer start
 * schedules by anyone: every due job still fires.
 */
export interface TimerPartition {
  index: number;
  workers: number;
  graceMs: number;
}

/** Opens one transaction per call: commit when `work` resolves, roll back when it throws. */
export interface TransactionRunner {
  run<T>(work: (store: CommandStore) => Promise<T>): Promise<T>;
  readonly timers: TimerClaimer;
}
