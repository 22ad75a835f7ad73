import { randomUUID } from 'node:crypto';
import { idBesides } from '../commands/instance-ids';
import type { CommandKernel, HistoryDraft, Idempotency, OutcomeHook } from '../commands/kernel';
import { EngineError, EngineErrorCode } from '../errors';
import type { CommandStore, IncidentRecord, InstanceRecord } from '../persistence/ports';
import type { InstanceRunner, RunOutcome } from '../runtime/instance-runner';
import { findErrorCatcher } from '../runtime/business-errors';
import { assertVariables } from '../variables';
import type {
  BpmnErrorInput,
  CompleteInput,
  ExtendLockInput,
  ExternalTaskCommandResult,
  ExternalTaskRecord,
  ExternalTaskStore,
  ExternalTaskView,
  FailureInput,
  FetchAndLockInput,
  LockInput,
  LockedExternalTask,
} from './ports';

/** Longest lock, lock extension and retry timeout: 7 days. */
export const MAX_EXTERNAL_LOCK_MS = 7 * 24 * 3600 * 1000;

/**
 * The external task commands (engine/external-tasks/ports.ts describes the contract) and the
 * outcome hook that keeps the external_task rows in step with the engine: a row appears in the
 * command that reaches the task and goes in the command that completes, interrupts or cancels it.
 * Every step is a history event of the instance, with the worker id.
 */
export class ExternalTaskCommands implements OutcomeHook {
  private readonly listeners = new Set<(topics: readonly string[]) => void>();

  constructor(
    private readonly kernel: CommandKernel,
    private readonly runner: InstanceRunner,
  ) {}

  /** Calls `listener` (after commit, in this process) with the topics of tasks that became available. Answers the unsubscribe. */
  onAvailable(listener: (topics: readonly string[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- the outcome hook ----

  async written(store: CommandStore, instance: InstanceRecord, outcome: RunOutcome, now: string): Promise<HistoryDraft[]> {
    const waiting = outcome.externalTasks;
    if (!waiting) return [];
    const tasks = storeOf(store);
    const existing = instance.revision === 0 ? [] : await tasks.instanceExternalTasks(instance.id);
    const known = new Set(existing.map((t) => t.executionId));
    const still = new Set(waiting.map((w) => w.executionId));
    const created: ExternalTaskRecord[] = waiting
      .filter((w) => !known.has(w.executionId))
      .map((w) => ({
        id: idBesides(instance.id),
        instanceId: instance.id,
        definitionId: instance.definitionId,
        definitionKey: instance.definitionKey,
        definitionVersion: instance.definitionVersion,
        businessKey: instance.businessKey,
        elementId: w.elementId,
        elementType: w.elementType,
        executionId: w.executionId,
        topic: w.topic,
        priority: w.priority,
        locals: w.locals,
        workerId: null,
        lockExpiresAt: null,
        retries: null,
        errorMessage: null,
        errorDetails: null,
        retryAt: null,
        incidentId: null,
        createdAt: now,
      }));
    const gone = existing.filter((t) => !still.has(t.executionId));
    await tasks.insertExternalTasks(created);
    const drafts = created.map((t) => event('externalTask.created', t, null, { topic: t.topic, priority: t.priority }));
    drafts.push(...(await this.remove(store, gone, null, 'interrupted')));
    await this.announce(store, created.map((t) => t.topic));
    return drafts;
  }

  async cancelled(store: CommandStore, instance: InstanceRecord, actor: string | null): Promise<HistoryDraft[]> {
    if (!store.externalTasks) return [];
    return this.remove(store, await store.externalTasks.instanceExternalTasks(instance.id), actor, 'instance cancelled');
  }

  /** Deletes rows whose activity no longer waits (their open incidents are resolved with them). */
  private async remove(store: CommandStore, gone: ExternalTaskRecord[], actor: string | null, reason: string): Promise<HistoryDraft[]> {
    if (!gone.length) return [];
    await storeOf(store).deleteExternalTasks(gone.map((t) => t.id));
    const now = this.kernel.now();
    for (const t of gone) if (t.incidentId) await store.resolveIncident(t.incidentId, now, actor);
    return gone.map((t) => event('externalTask.cancelled', t, actor, { topic: t.topic, workerId: t.workerId, reason }));
  }

  private async announce(store: CommandStore, topics: string[]): Promise<void> {
    if (!topics.length) return;
    await storeOf(store).notifyExternalTopics(topics);
    this.kernel.afterCommit(store, () => {
      for (const listener of this.listeners) listener(topics);
    });
  }

  // ---- commands ----

  /**
   * Locks up to `maxTasks` available tasks for the worker, in one transaction, without waiting
   * (long polling is the caller's loop around this). Rows of instances a command holds are skipped.
   */
  fetchAndLock(input: FetchAndLockInput, actor: string | null): Promise<LockedExternalTask[]> {
    return this.kernel.execute(async (store) => {
      const tasks = storeOf(store);
      const now = this.kernel.clock.now();
      const rows = await tasks.lockAvailableExternalTasks({ topics: input.topics, now: now.toISOString(), limit: input.maxTasks, usePriority: input.usePriority ?? false });
      const byInstance = new Map<string, typeof rows>();
      for (const row of rows) byInstance.set(row.instanceId, [...(byInstance.get(row.instanceId) ?? []), row]);
      const locked = new Map<string, LockedExternalTask>();
      for (const [instanceId, group] of byInstance) {
        const instance = await store.lockInstance(instanceId);
        if (!instance) continue;
        const drafts: HistoryDraft[] = [];
        for (const row of group) {
          const { lockDuration, topicIndex, ...task } = row;
          task.workerId = input.workerId;
          task.lockExpiresAt = new Date(now.getTime() + lockDuration).toISOString();
          await tasks.updateExternalTask(task);
          drafts.push(event('externalTask.locked', task, actor, { workerId: input.workerId, lockExpirationTime: task.lockExpiresAt, topic: task.topic }));
          const topic = input.topics[topicIndex]!;
          locked.set(task.id, {
            ...viewOf(task),
            workerId: input.workerId,
            lockExpirationTime: task.lockExpiresAt,
            variables: selectVariables(topic.localVariables ? {} : instance.variables, task.locals, topic.variables),
            ...(topic.includeExtensionProperties ? { errorDetails: task.errorDetails } : {}),
          });
        }
        await this.kernel.appendOnly(store, instance, drafts);
      }
      return rows.map((r) => locked.get(r.id)).filter((t): t is LockedExternalTask => !!t);
    });
  }

  /** Completes the task with variables and runs the instance on, in one transaction. */
  complete(id: string, input: CompleteInput, actor: string | null, idempotency?: Idempotency): Promise<ExternalTaskCommandResult> {
    const variables = assertVariables(input.variables ?? {});
    const localVariables = assertVariables(input.localVariables ?? {});
    return this.kernel.execute(async (store) => {
      const { task, instance } = await this.lockTask(store, id);
      this.assertHolder(task, input.workerId);
      const runnable = await this.kernel.runnable(store, instance.definitionId);
      const outcome = await this.runner.resume(runnable, { instanceId: instance.id, businessKey: instance.businessKey }, instance.snapshot!, (engine) =>
        engine.externalTask(task.executionId, { kind: 'complete', variables, localVariables }),
      { revision: instance.revision });
      await storeOf(store).deleteExternalTasks([task.id]);
      const result = await this.kernel.persist(store, instance, outcome, {
        actor,
        before: [event('externalTask.completed', task, actor, { workerId: input.workerId, variables, ...(Object.keys(localVariables).length ? { localVariables } : {}) })],
      });
      return { task: null, instance: { id: result.instance.id, status: result.instance.status, revision: result.instance.revision } };
    }, idempotency && { scope: `external-task.complete:${id}`, ...idempotency });
  }

  /**
   * A worker's failure: the lock is released; the task is fetchable again once `retryTimeout`
   * passed; with no retries left an incident opens (an administrator retries it).
   */
  handleFailure(id: string, input: FailureInput, actor: string | null): Promise<ExternalTaskCommandResult> {
    const variables = input.variables ? assertVariables(input.variables) : null;
    return this.kernel.execute(async (store) => {
      const { task, instance } = await this.lockTask(store, id);
      this.assertHolder(task, input.workerId);
      const now = this.kernel.clock.now();
      const retries = Math.max(0, input.retries ?? (task.retries === null ? 0 : task.retries - 1));
      const retryTimeout = Math.max(0, input.retryTimeout ?? 0);
      const updated: ExternalTaskRecord = {
        ...task,
        lockExpiresAt: null,
        retries,
        errorMessage: input.errorMessage ?? null,
        errorDetails: input.errorDetails ?? null,
        retryAt: retryTimeout > 0 ? new Date(now.getTime() + retryTimeout).toISOString() : null,
      };
      const drafts: HistoryDraft[] = [event('externalTask.failed', task, actor, { workerId: input.workerId, errorMessage: updated.errorMessage, retries, retryTimeout })];
      if (retries === 0) drafts.push(await this.openIncident(store, updated, now.toISOString()));
      await storeOf(store).updateExternalTask(updated);
      if (retries > 0 && retryTimeout === 0) await this.announce(store, [task.topic]);
      const revision = await this.appendOrRun(store, instance, drafts, variables, actor);
      return { task: viewOf(updated), instance: { id: instance.id, status: instance.status, revision } };
    });
  }

  /** Throws a BPMN error from the task; its catcher (by code) takes over. Uncaught: PROCESS_FAILED, nothing changes. */
  handleBpmnError(id: string, input: BpmnErrorInput, actor: string | null): Promise<ExternalTaskCommandResult> {
    const variables = assertVariables(input.variables ?? {});
    return this.kernel.execute(async (store) => {
      const { task, instance } = await this.lockTask(store, id);
      this.assertHolder(task, input.workerId);
      const runnable = await this.kernel.runnable(store, instance.definitionId);
      const message = input.errorMessage ?? input.errorCode;
      if (findErrorCatcher(runnable.sourceContext, task.elementId, input.errorCode).kind === 'uncaught') {
        throw new EngineError(
          EngineErrorCode.ProcessFailed,
          `BPMN error "${input.errorCode}" thrown by the worker at "${task.elementId}" is not caught (no error boundary event or error event sub-process matches it): ${message}`,
          { details: { elementId: task.elementId, errorCode: input.errorCode, errorMessage: message } },
        );
      }
      const outcome = await this.runner.resume(runnable, { instanceId: instance.id, businessKey: instance.businessKey }, instance.snapshot!, (engine) =>
        engine.externalTask(task.executionId, { kind: 'bpmnError', code: input.errorCode, message, variables }),
      { revision: instance.revision });
      await storeOf(store).deleteExternalTasks([task.id]);
      const result = await this.kernel.persist(store, instance, outcome, {
        actor,
        before: [event('externalTask.bpmnError', task, actor, { workerId: input.workerId, errorCode: input.errorCode, errorMessage: message, variables })],
      });
      return { task: null, instance: { id: result.instance.id, status: result.instance.status, revision: result.instance.revision } };
    });
  }

  /** Moves the holder's lock expiry to now + `newDuration`. */
  extendLock(id: string, input: ExtendLockInput, actor: string | null): Promise<ExternalTaskView> {
    return this.kernel.execute(async (store) => {
      const { task, instance } = await this.lockTask(store, id);
      this.assertHolder(task, input.workerId);
      const updated = { ...task, lockExpiresAt: new Date(this.kernel.clock.now().getTime() + input.newDuration).toISOString() };
      await storeOf(store).updateExternalTask(updated);
      await this.kernel.appendOnly(store, instance, [event('externalTask.lockExtended', task, actor, { workerId: input.workerId, lockExpirationTime: updated.lockExpiresAt })]);
      return viewOf(updated);
    });
  }

  /** Locks one task by id: free, expired, or the worker's own. */
  lock(id: string, input: LockInput, actor: string | null): Promise<ExternalTaskView> {
    return this.kernel.execute(async (store) => {
      const { task, instance } = await this.lockTask(store, id);
      const now = this.kernel.clock.now();
      if (task.incidentId) throw lockConflict(task, 'incident', `external task ${task.id} has no retries left (incident ${task.incidentId}): an administrator retries it first`);
      if (task.workerId !== input.workerId && task.lockExpiresAt && Date.parse(task.lockExpiresAt) > now.getTime()) {
        throw lockConflict(task, 'locked-by-other', `external task ${task.id} is locked by worker "${task.workerId}" until ${task.lockExpiresAt}`);
      }
      const updated = { ...task, workerId: input.workerId, lockExpiresAt: new Date(now.getTime() + input.lockDuration).toISOString() };
      await storeOf(store).updateExternalTask(updated);
      await this.kernel.appendOnly(store, instance, [event('externalTask.locked', task, actor, { workerId: input.workerId, lockExpirationTime: updated.lockExpiresAt, topic: task.topic, byId: true })]);
      return viewOf(updated);
    });
  }

  /** Releases the lock, whoever holds it: the task is fetchable again at once. */
  unlock(id: string, actor: string | null): Promise<ExternalTaskView> {
    return this.kernel.execute(async (store) => {
      const { task, instance } = await this.lockTask(store, id);
      const updated = { ...task, workerId: null, lockExpiresAt: null };
      await storeOf(store).updateExternalTask(updated);
      await this.kernel.appendOnly(store, instance, [event('externalTask.unlocked', task, actor, { previousWorkerId: task.workerId })]);
      await this.announce(store, [task.topic]);
      return viewOf(updated);
    });
  }

  /** Sets the retries: above 0 resolves the task's open incident; 0 opens one. */
  setRetries(id: string, retries: number, actor: string | null): Promise<ExternalTaskView> {
    return this.kernel.execute(async (store) => {
      const { task, instance } = await this.lockTask(store, id);
      const drafts: HistoryDraft[] = [event('externalTask.retriesSet', task, actor, { retries, previousRetries: task.retries })];
      const now = this.kernel.now();
      let updated: ExternalTaskRecord = { ...task, retries };
      if (retries > 0 && task.incidentId) {
        await store.resolveIncident(task.incidentId, now, actor);
        drafts.push(event('incident.resolved', task, actor, { incidentId: task.incidentId, externalTaskId: task.id, retries }));
        updated = { ...updated, incidentId: null, retryAt: null };
      } else if (retries === 0 && !task.incidentId) {
        drafts.push(await this.openIncident(store, updated, now));
      }
      await storeOf(store).updateExternalTask(updated);
      await this.kernel.appendOnly(store, instance, drafts);
      if (!updated.incidentId) await this.announce(store, [task.topic]);
      return viewOf(updated);
    });
  }

  /**
   * Retries the external task of an `external-task-failed` incident (POST /api/incidents/:id/retry):
   * one retry, fetchable at once. Null when the incident is of another type (a timer job's).
   */
  retryIncident(incidentId: string, actor: string | null): Promise<IncidentRecord | null> {
    return this.kernel.execute(async (store) => {
      const incident = await store.lockIncident(incidentId);
      if (!incident || incident.type !== 'external-task-failed') return null;
      if (incident.status !== 'open') throw new EngineError(EngineErrorCode.IncidentResolved, `incident ${incidentId} is already resolved`);
      const now = this.kernel.now();
      const task = incident.jobId ? await this.findTask(store, incident.jobId) : null;
      await store.resolveIncident(incident.id, now, actor);
      if (task) {
        const updated = { ...task.task, retries: 1, incidentId: null, retryAt: null, lockExpiresAt: null };
        await storeOf(store).updateExternalTask(updated);
        await this.kernel.appendOnly(store, task.instance, [event('incident.resolved', task.task, actor, { incidentId, externalTaskId: task.task.id, retry: true, retries: 1 })]);
        await this.announce(store, [task.task.topic]);
      }
      return { ...incident, status: 'resolved', resolvedAt: now, resolvedBy: actor };
    });
  }

  // ---- helpers ----

  private async openIncident(store: CommandStore, task: ExternalTaskRecord, now: string): Promise<HistoryDraft> {
    const incident: IncidentRecord = {
      id: randomUUID(),
      type: 'external-task-failed',
      status: 'open',
      instanceId: task.instanceId,
      definitionId: task.definitionId,
      jobId: task.id,
      elementId: task.elementId,
      message: task.errorMessage ?? `external task of topic "${task.topic}" failed with no retries left`,
      attempts: 0,
      createdAt: now,
      resolvedAt: null,
      resolvedBy: null,
    };
    await store.insertIncident(incident);
    task.incidentId = incident.id;
    return event('incident.created', task, null, { incidentId: incident.id, externalTaskId: task.id, message: incident.message });
  }

  /** History only, or (with variables to set) a run that sets them and persists. Answers the new revision. */
  private async appendOrRun(store: CommandStore, instance: InstanceRecord, drafts: HistoryDraft[], variables: Record<string, unknown> | null, actor: string | null): Promise<number> {
    if (!variables || !Object.keys(variables).length) {
      await this.kernel.appendOnly(store, instance, drafts);
      return instance.revision + 1;
    }
    const runnable = await this.kernel.runnable(store, instance.definitionId);
    const outcome = await this.runner.resume(runnable, { instanceId: instance.id, businessKey: instance.businessKey }, instance.snapshot!, (engine) => {
      engine.setVariables(variables);
      return true;
    }, { revision: instance.revision });
    const result = await this.kernel.persist(store, instance, outcome, { actor, before: drafts });
    return result.instance.revision;
  }

  /** The task and its locked, running instance; the row re-read under the instance's lock. */
  private async lockTask(store: CommandStore, id: string): Promise<{ task: ExternalTaskRecord; instance: InstanceRecord }> {
    const found = await this.findTask(store, id);
    if (!found) throw notFound(id);
    if (found.instance.status !== 'running') {
      throw new EngineError(EngineErrorCode.InstanceNotRunning, `process instance ${found.instance.id} is ${found.instance.status}`, { details: { instanceStatus: found.instance.status } });
    }
    return found;
  }

  private async findTask(store: CommandStore, id: string): Promise<{ task: ExternalTaskRecord; instance: InstanceRecord } | null> {
    const tasks = storeOf(store);
    const first = await tasks.getExternalTask(id, false);
    if (!first) return null;
    const instance = await store.lockInstance(first.instanceId);
    const task = await tasks.getExternalTask(id, true);
    return instance && task ? { task, instance } : null;
  }

  /** The worker must hold an unexpired lock. */
  private assertHolder(task: ExternalTaskRecord, workerId: string): void {
    if (!task.lockExpiresAt || !task.workerId) throw lockConflict(task, 'not-locked', `external task ${task.id} is not locked: fetch and lock it first`);
    if (task.workerId !== workerId) throw lockConflict(task, 'locked-by-other', `external task ${task.id} is locked by another worker, not by "${workerId}"`);
    if (Date.parse(task.lockExpiresAt) <= this.kernel.clock.now().getTime()) {
      throw lockConflict(task, 'lock-expired', `the lock of worker "${workerId}" on external task ${task.id} expired at ${task.lockExpiresAt}`);
    }
  }
}

/** The API's view of a row. */
export function viewOf(t: ExternalTaskRecord): ExternalTaskView {
  return {
    id: t.id,
    topicName: t.topic,
    workerId: t.workerId,
    lockExpirationTime: t.lockExpiresAt,
    processInstanceId: t.instanceId,
    processDefinitionId: t.definitionId,
    processDefinitionKey: t.definitionKey,
    processDefinitionVersion: t.definitionVersion,
    activityId: t.elementId,
    activityInstanceId: t.executionId,
    activityType: t.elementType,
    businessKey: t.businessKey,
    retries: t.retries,
    errorMessage: t.errorMessage,
    retryAt: t.retryAt,
    priority: t.priority,
    suspended: t.incidentId !== null,
    incidentId: t.incidentId,
    createdAt: t.createdAt,
  };
}

/** Process variables overlaid with the task's locals, keeping only `names` when given. */
function selectVariables(process: Record<string, unknown>, locals: Record<string, unknown>, names: string[] | null | undefined): Record<string, unknown> {
  const all = { ...process, ...locals };
  if (!names) return all;
  const picked: Record<string, unknown> = {};
  for (const name of names) if (Object.prototype.hasOwnProperty.call(all, name)) picked[name] = all[name];
  return picked;
}

function event(type: string, task: ExternalTaskRecord, actor: string | null, payload: Record<string, unknown>): HistoryDraft {
  return { type, elementId: task.elementId, elementType: task.elementType, executionId: task.executionId, actor, payload: { externalTaskId: task.id, ...payload } };
}

function storeOf(store: CommandStore): ExternalTaskStore {
  if (!store.externalTasks) throw new EngineError(EngineErrorCode.InvalidRequest, 'this server stores no external tasks');
  return store.externalTasks;
}

function notFound(id: string): EngineError {
  return new EngineError(EngineErrorCode.ExternalTaskNotFound, `no external task with id "${id}"`);
}

function lockConflict(task: ExternalTaskRecord, reason: string, message: string): EngineError {
  return new EngineError(EngineErrorCode.ExternalTaskLockConflict, message, { details: { reason, workerId: task.workerId, lockExpirationTime: task.lockExpiresAt } });
}
