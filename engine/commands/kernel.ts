import { createHash, randomUUID } from 'node:crypto';
import { idBesides } from './instance-ids';
import { runWithStore } from './current-store';
import { CommandBudget, MAX_SUSPENSIONS, pendingOf, runWithBudget } from '../runtime/budget';
import type { Clock } from '../clock';
import { loadSourceContext } from '../definitions';
import { EngineError, EngineErrorCode } from '../errors';
import { chainEvents, type HistoryEventRecord } from '../history/hash-chain';
import type { ArmedTimer, CommandStore, DefinitionRecord, InstanceRecord, TaskClosure, TaskRecord, TimerJobRecord, TransactionRunner } from '../persistence/ports';
import type { InstanceRunner, ObservedEvent, RunOutcome, RunnableDefinition } from '../runtime/instance-runner';
import { timerStartEvents, type TimerStartEvent } from '../timers/start-timers';

/** A history event before the kernel stamps instance, sequence, time and hashes. */
export type HistoryDraft = Omit<HistoryEventRecord, 'instanceId' | 'seq' | 'prevHash' | 'hash' | 'occurredAt'>;

/** Optional exactly-once envelope of a command: the same key returns the first answer. */
export interface Idempotency {
  key: string;
  /** Anything that identifies the request body; a reused key with another request is refused. */
  request: unknown;
}

export type InstanceView = Omit<InstanceRecord, 'snapshot' | 'history'>;

export interface InstanceResult {
  instance: InstanceView;
  tasks: TaskRecord[];
}

/** What a command adds to the outcome it persists. */
export interface PersistExtras {
  actor: string | null;
  /** History events that precede the engine's (e.g. task.completed, instance.started). */
  before: HistoryDraft[];
  /** The task this command completed, with who and what. */
  completion?: { executionId: string; actor: string; submitted: Record<string, unknown> };
  /** The timer job this command fired (its row goes away without a `timer.cancelled`). */
  firedJob?: TimerJobRecord;
}

/** Attempts of a command that meets retryable conflicts (the last one's conflict is answered). */
export const MAX_CONFLICT_RETRIES = 3;

/**
 * A feature that writes its own rows with every run's outcome, in the command's transaction
 * (e.g. engine/messaging: subscription rows, outbox, buffered messages).
 */
export interface OutcomeHook {
  /** Before the history is chained: write rows, answer history events to record. */
  written(store: CommandStore, instance: InstanceRecord, outcome: RunOutcome, now: string): Promise<HistoryDraft[]>;
  /** Once the instance row holds the outcome (`instance` is the updated row): follow-up work on the same instance. */
  persisted?(store: CommandStore, instance: InstanceRecord, result: InstanceResult, outcome: RunOutcome): Promise<InstanceResult>;
  /** The instance is being cancelled: remove rows, answer history events. */
  cancelled?(store: CommandStore, instance: InstanceRecord, actor: string | null): Promise<HistoryDraft[]>;
  /** A history-only command (claim, unclaim, assign) changed the instance's tasks. */
  appended?(store: CommandStore, instance: InstanceRecord): Promise<void>;
}

/**
 * What every command shares: the transaction with conflict retries and idempotency, the cache of
 * parsed definitions, the history hash chain, and writing a run's outcome (tasks, timers,
 * history, snapshot) in the command's transaction.
 */
export class CommandKernel {
  private readonly cache = new Map<string, RunnableDefinition>();
  /** The version each key last resolved to as its latest (a guess for prefetching a start's reads). */
  private readonly latestIds = new Map<string, string>();
  private readonly starts = new WeakMap<RunnableDefinition, TimerStartEvent[]>();
  /** Work to do once the transaction of a store has committed (keeping engines). */
  private readonly committed = new WeakMap<CommandStore, (() => void)[]>();
  /** Features writing rows with every outcome (see {@link OutcomeHook}). */
  readonly hooks: OutcomeHook[] = [];

  constructor(
    readonly transactions: TransactionRunner,
    readonly clock: Clock,
    private readonly runner: InstanceRunner,
    private readonly cacheSize = 200,
  ) {}

  /**
   * Runs after every persisted run, in its transaction, with the instance row as stored; answers
   * the instance's newest result (call activities: engine/calls may persist it again).
   */
  onPersisted?: (store: CommandStore, instance: InstanceRecord, outcome: RunOutcome, actor: string | null, result: InstanceResult) => Promise<InstanceResult>;

  /** Runs `fn` only if the transaction of `store` commits. */
  afterCommit(store: CommandStore, fn: () => void): void {
    this.committed.get(store)?.push(fn);
  }

  now(): string {
    return this.clock.now().toISOString();
  }

  async execute<T>(work: (store: CommandStore) => Promise<T>, idempotency?: Idempotency & { scope: string }): Promise<T> {
    const requestHash = idempotency && createHash('sha256').update(JSON.stringify(idempotency.request ?? null)).digest('hex');
    let suspensions = 0;
    const answers = new Map<string, { answer: unknown; ms: number }[]>();
    for (let attempt = 1; ; attempt++) {
      const after: (() => void)[] = [];
      try {
        const result = await this.transactions.run(async (store) => {
          this.committed.set(store, after);
          if (idempotency) {
            const previous = await store.findIdempotent(idempotency.scope, idempotency.key);
            if (previous) {
              if (previous.requestHash !== requestHash) {
                throw new EngineError(EngineErrorCode.IdempotencyKeyReused, `idempotency key "${idempotency.key}" was already used for a different request`);
              }
              return previous.result as T;
            }
          }
          // Every attempt runs under a fresh execution budget (runtime/budget.ts).
          const budget = new CommandBudget(undefined, MAX_SUSPENSIONS - suspensions, answers);
          const result = await runWithBudget(budget, () => runWithStore(store, () => work(store)));
          // A violation the work swallowed (e.g. an expression error caught and ignored) still fails the command.
          if (budget.violation) throw budget.violation;
          if (idempotency) await store.saveIdempotent(idempotency.scope, idempotency.key, { requestHash: requestHash!, result });
          return result;
        });
        for (const fn of after) fn();
        return result;
      } catch (error) {
        // A sandboxed expression still running (runtime/budget.ts): await it off the event loop, then run again.
        const pending = pendingOf(error);
        if (pending && suspensions < MAX_SUSPENSIONS) {
          suspensions++;
          attempt--;
          await pending;
          continue;
        }
        const retry = error instanceof EngineError && error.code === EngineErrorCode.RevisionConflict && attempt < MAX_CONFLICT_RETRIES;
        if (!retry) throw error;
      }
    }
  }

  /** The cached runnable form of a definition version (parsed once per process). */
  async runnable(store: CommandStore, definitionId: string): Promise<RunnableDefinition> {
    const cached = this.cache.get(definitionId);
    if (cached) {
      this.cache.delete(definitionId);
      this.cache.set(definitionId, cached); // LRU: most recent last
      return cached;
    }
    const definition = await store.getDefinition(definitionId);
    const serialized = await store.getDefinitionContext(definitionId);
    if (!definition || !serialized) throw new EngineError(EngineErrorCode.DefinitionNotFound, `no process definition with id "${definitionId}"`);
    return this.remember({ id: definition.id, key: definition.key, version: definition.version, sourceContext: loadSourceContext(serialized) });
  }

  /** The cached runnable of the version `key` last resolved to as its latest, if any (a guess: another process may have deployed since). */
  latestGuess(key: string): RunnableDefinition | undefined {
    const id = this.latestIds.get(key);
    return id === undefined ? undefined : this.cache.get(id);
  }

  remember(runnable: RunnableDefinition): RunnableDefinition {
    this.cache.set(runnable.id, runnable);
    if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
    return runnable;
  }

  /** The definition's timer start events (computed once per cached version). */
  timerStarts(runnable: RunnableDefinition): TimerStartEvent[] {
    let found = this.starts.get(runnable);
    if (!found) this.starts.set(runnable, (found = timerStartEvents(runnable.sourceContext)));
    return found;
  }

  async lockRunning(store: CommandStore, instanceId: string): Promise<InstanceRecord> {
    const instance = await store.lockInstance(instanceId);
    if (!instance) throw new EngineError(EngineErrorCode.InstanceNotFound, `no process instance with id "${instanceId}"`);
    if (instance.status !== 'running') {
      throw new EngineError(EngineErrorCode.InstanceNotRunning, `process instance ${instanceId} is ${instance.status}`, { details: { instanceStatus: instance.status } });
    }
    return instance;
  }

  chain(instance: InstanceRecord, drafts: HistoryDraft[]) {
    const occurredAt = this.now();
    return chainEvents(instance.history, drafts.map((d) => ({ ...d, instanceId: instance.id, occurredAt })));
  }

  /** History-only commands (claim, unclaim, incidents): append events and bump the revision. */
  async appendOnly(store: CommandStore, instance: InstanceRecord, drafts: HistoryDraft[]): Promise<void> {
    this.afterCommit(store, () => this.runner.bump(instance.id, instance.revision, instance.revision + 1));
    const history = this.chain(instance, drafts);
    await store.appendHistory(history.records);
    for (const hook of this.hooks) if (hook.appended) await hook.appended(store, instance);
    await store.updateInstance(instance.id, instance.revision, {
      status: instance.status,
      snapshot: instance.snapshot,
      variables: instance.variables,
      activeElementIds: instance.activeElementIds,
      endedAt: instance.endedAt,
      endReason: instance.endReason,
      history: history.head,
    });
  }

  /** Writes one run's outcome: tasks opened and closed, timers, history, then the instance row (CAS). */
  async persist(store: CommandStore, instance: InstanceRecord, outcome: RunOutcome, extra: PersistExtras): Promise<InstanceResult> {
    const now = this.now();
    const created: TaskRecord[] = outcome.createdTasks.map((t) => ({
      id: idBesides(instance.id),
      instanceId: instance.id,
      definitionKey: instance.definitionKey,
      elementId: t.elementId,
      executionId: t.executionId,
      name: t.name,
      assignee: t.assignee,
      candidateUsers: t.candidateUsers,
      candidateGroups: t.candidateGroups,
      dueAt: t.dueAt,
      followUpAt: t.followUpAt,
      priority: t.priority,
      formKey: t.formKey,
      status: 'open',
      createdAt: now,
      completedAt: null,
      completedBy: null,
      submitted: null,
    }));

    const waiting = new Set(outcome.waitingTaskExecutionIds);
    const ended = new Set(outcome.endedTaskExecutionIds);
    const open = instance.revision === 0 ? [] : await store.openTasks(instance.id);
    await store.insertTasks(created);
    // A task created in this run may already be gone (an interrupting event fired in the same run).
    const closures: TaskClosure[] = [...open, ...created]
      .filter((t) => !waiting.has(t.executionId))
      .map((t) => {
        const completedHere = extra.completion?.executionId === t.executionId;
        return {
          executionId: t.executionId,
          // A loop iteration (multi-instance, standard loop) completes without an activity end of its own.
          status: ended.has(t.executionId) || completedHere ? 'completed' : 'cancelled',
          at: now,
          by: completedHere ? extra.completion!.actor : null,
          submitted: completedHere ? extra.completion!.submitted : null,
        };
      });
    const closed = await store.closeTasks(instance.id, closures);

    const timerChanges = outcome.touchedTimers
      ? await store.syncInstanceTimers(instance, outcome.timers.map((t) => armed(t, outcome)), now)
      : { added: [], removed: [] };

    const drafts: HistoryDraft[] = [...extra.before, ...engineEvents(outcome.events, created, extra.firedJob)];
    for (const t of closed) if (t.status === 'cancelled') drafts.push(taskEvent('task.cancelled', t, null, { reason: 'interrupted' }));
    for (const job of timerChanges.removed) {
      if (job.id !== extra.firedJob?.id && !outcome.events.some((e) => e.type === 'timer.fired' && e.executionId === job.executionId)) {
        drafts.push(timerEvent('timer.cancelled', job, { jobId: job.id, dueAt: job.dueAt }));
      }
    }
    for (const job of timerChanges.added) drafts.push(timerEvent('timer.scheduled', job, { jobId: job.id, dueAt: job.dueAt, spec: job.spec, remaining: job.remaining }));
    for (const hook of this.hooks) drafts.push(...(await hook.written(store, instance, outcome, now)));
    // Against the stored row (at start: the start variables that instance.started records), so that
    // replaying history gives the row's variables exactly (engine/history/audit.ts verifies it).
    const changes = variableChanges(instance.revision === 0 ? startVariables(extra.before) : instance.variables, outcome.variables);
    if (Object.keys(changes).length) {
      drafts.push({ type: 'variables.changed', elementId: null, elementType: null, executionId: null, actor: extra.actor, payload: { changes } });
    }
    if (outcome.status === 'completed') {
      drafts.push({ type: 'instance.ended', elementId: instance.definitionKey, elementType: 'bpmn:Process', executionId: null, actor: extra.actor, payload: null });
    }
    if (outcome.failure) drafts.push(instanceFailed(outcome.failure, extra.actor));
    const history = this.chain(instance, drafts);
    await store.appendHistory(history.records);

    const patch = {
      status: outcome.status,
      snapshot: outcome.state,
      variables: outcome.variables,
      activeElementIds: outcome.activeElementIds,
      endedAt: outcome.status !== 'running' ? now : null,
      endReason: outcome.failure ? failureReason(outcome.failure) : null,
      history: history.head,
    };
    await store.updateInstance(instance.id, instance.revision, patch);
    this.afterCommit(store, () => this.runner.keep(instance.id, instance.revision + 1, outcome.live));
    const tasks = [...open, ...created].filter((t) => waiting.has(t.executionId));
    const updated: InstanceRecord = { ...instance, ...patch, revision: instance.revision + 1 };
    let result: InstanceResult = { instance: view(updated), tasks };
    for (const hook of this.hooks) if (hook.persisted) result = await hook.persisted(store, updated, result, outcome);
    return this.onPersisted ? this.onPersisted(store, updated, outcome, extra.actor, result) : result;
  }

  /** Resolves `definitionId`, or the latest version of `definitionKey`. */
  async resolveDefinition(store: CommandStore, input: { definitionKey?: string; definitionId?: string }): Promise<DefinitionRecord> {
    if (input.definitionId) {
      const found = await store.getDefinition(input.definitionId);
      if (!found) throw new EngineError(EngineErrorCode.DefinitionNotFound, `no process definition with id "${input.definitionId}"`);
      return found;
    }
    if (input.definitionKey) {
      const found = await store.latestDefinition(input.definitionKey);
      if (!found) throw new EngineError(EngineErrorCode.DefinitionNotFound, `no process definition with key "${input.definitionKey}"`);
      this.latestIds.set(input.definitionKey, found.id);
      if (this.latestIds.size > this.cacheSize) this.latestIds.delete(this.latestIds.keys().next().value!);
      return found;
    }
    throw new EngineError(EngineErrorCode.InvalidRequest, 'give definitionKey or definitionId');
  }
}

/** The variables `instance.started` records (what the starter gave). */
function startVariables(before: HistoryDraft[]): Record<string, unknown> {
  const variables = before.find((d) => d.type === 'instance.started')?.payload?.variables;
  return variables && typeof variables === 'object' && !Array.isArray(variables) ? (variables as Record<string, unknown>) : {};
}

/** Keys whose value differs between two variable sets; a removed key is recorded as null. */
function variableChanges(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  const changed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(after)) if (JSON.stringify(before[key]) !== JSON.stringify(value)) changed[key] = value;
  for (const key of Object.keys(before)) if (!(key in after)) changed[key] = null;
  return changed;
}

/** History of an instance failed by an uncaught BPMN error (runtime/error-watch.ts). */
function instanceFailed(failure: NonNullable<RunOutcome['failure']>, actor: string | null): HistoryDraft {
  return { type: 'instance.failed', elementId: failure.elementId, elementType: null, executionId: null, actor, payload: { ...failure, reason: failureReason(failure) } };
}

function failureReason(failure: NonNullable<RunOutcome['failure']>): string {
  const what = failure.errorCode ? `BPMN error "${failure.errorCode}"` : failure.errorName ? `BPMN error "${failure.errorName}"` : 'a BPMN error';
  return `${what} thrown by "${failure.elementId}" was not caught`;
}

function armed(t: RunOutcome['timers'][number], outcome: RunOutcome): ArmedTimer {
  return {
    id: randomUUID(),
    executionId: t.executionId,
    elementId: t.elementId,
    elementType: outcome.elementTypes[t.elementId] ?? null,
    spec: t.spec,
    remaining: t.repeat,
    dueAt: t.dueAt.toISOString(),
  };
}

/** Engine events in order; each new user task's `task.created` right after its wait. */
function engineEvents(events: ObservedEvent[], created: TaskRecord[], firedJob?: TimerJobRecord): HistoryDraft[] {
  const byExecution = new Map(created.map((t) => [t.executionId, t]));
  const drafts: HistoryDraft[] = [];
  for (const e of events) {
    let payload = e.payload;
    if (e.type === 'timer.fired' && firedJob && e.executionId === firedJob.executionId) {
      payload = { ...payload, jobId: firedJob.id, dueAt: firedJob.dueAt, worker: firedJob.lockedBy };
    }
    drafts.push({ type: e.type, elementId: e.elementId, elementType: e.elementType, executionId: e.executionId, actor: null, payload });
    const task = e.type === 'element.waiting' && e.executionId ? byExecution.get(e.executionId) : undefined;
    if (task) {
      drafts.push(taskEvent('task.created', task, null, {
        taskId: task.id, name: task.name, assignee: task.assignee, candidateUsers: task.candidateUsers,
        candidateGroups: task.candidateGroups, dueAt: task.dueAt, followUpAt: task.followUpAt, priority: task.priority, formKey: task.formKey,
      }));
    }
  }
  return drafts;
}

export function taskEvent(type: string, task: TaskRecord, actor: string | null, payload: Record<string, unknown>): HistoryDraft {
  return { type, elementId: task.elementId, elementType: 'bpmn:UserTask', executionId: task.executionId, actor, payload: { taskId: task.id, ...payload } };
}

export function timerEvent(type: string, job: TimerJobRecord, payload: Record<string, unknown>, actor: string | null = null): HistoryDraft {
  return { type, elementId: job.elementId, elementType: job.elementType, executionId: job.executionId, actor, payload };
}

export function view(instance: InstanceRecord): InstanceView {
  const { snapshot: _s, history: _h, ...rest } = instance;
  return rest;
}
