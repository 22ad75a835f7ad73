import { EngineError, EngineErrorCode } from '../errors';
import { taskEvent, timerEvent, view, type CommandKernel, type HistoryDraft, type InstanceResult } from '../commands/kernel';
import type { CommandStore, DefinitionRecord, InstanceRecord } from '../persistence/ports';
import type { InstanceRunner, RunOutcome, RunnableDefinition } from '../runtime/instance-runner';
import { callSpecOf, mapOut, type CallSpec, type ResolvedCall } from './call-spec';

/** Where a child instance was called from. */
export interface CallerLink {
  parentInstanceId: string;
  parentElementId: string;
  parentExecutionId: string;
  rootInstanceId: string;
}

/** Starts an instance inside the open command (the orchestrator's start path). */
export type StartChild = (
  store: CommandStore,
  definition: DefinitionRecord,
  input: { businessKey: string | null; variables: Record<string, unknown>; actor: string | null; caller: CallerLink },
) => Promise<InstanceResult>;

type Job =
  | { kind: 'start'; parentId: string; elementId: string; executionId: string; call: ResolvedCall; actor: string | null }
  | { kind: 'return'; child: InstanceRecord; outcome: RunOutcome; actor: string | null };

/** The call work of one transaction: a FIFO queue drained by the first persist that finds work. */
interface TransactionCalls {
  jobs: Job[];
  draining: boolean;
  /** The newest result of each instance persisted in this transaction. */
  latest: Map<string, InstanceResult>;
  /** Child instances started in this transaction (bounded: a process calling itself at once would never stop). */
  started: number;
}

/** Most child instances one command may start (a runaway recursion fails with 422 instead of hanging). */
const MAX_CHILDREN_PER_COMMAND = 200;

/**
 * Call activities across instances, inside the command that reaches them (one transaction):
 *  - a call activity that starts waiting starts its child instance (the latest active version of
 *    `calledElement`, or the bound one) with the `camunda:in` variables;
 *  - a child that ends continues its caller: the call activity completes with the `camunda:out`
 *    variables; an error end event nothing caught in the child raises its error on the call
 *    activity (an error boundary there catches it; else the command fails with 422);
 *  - a call activity that stops waiting otherwise (interrupting boundary, terminate, cancel)
 *    cancels its running child, recursively.
 * Work found while persisting one instance is queued and done in order after it, so a caller is
 * only continued once every child its run called has been started. Rows are locked parent before
 * child wherever this module decides the order; a child returning locks its parent after itself
 * (a deadlock with a concurrent cancel is retried by the kernel).
 */
export class CallActivities {
  private readonly perTransaction = new WeakMap<CommandStore, TransactionCalls>();
  private readonly specs = new WeakMap<RunnableDefinition, Map<string, CallSpec>>();

  constructor(
    private readonly kernel: CommandKernel,
    private readonly runner: InstanceRunner,
    private readonly startChild: StartChild,
  ) {}

  /** The call activities of a definition version, by element id (computed once per cached version). */
  callActivities(runnable: RunnableDefinition): Map<string, CallSpec> {
    let found = this.specs.get(runnable);
    if (!found) {
      found = new Map();
      const activities = (runnable.sourceContext as { getActivities(): { id: string; type: string; behaviour?: Record<string, unknown> }[] }).getActivities();
      for (const a of activities) if (a.type === 'bpmn:CallActivity') found.set(a.id, callSpecOf(a.behaviour)!);
      this.specs.set(runnable, found);
    }
    return found;
  }

  /**
   * Called by the kernel after each persisted run of `instance` (its row as now stored). Answers
   * the newest result of that instance once every queued call of the transaction is done.
   */
  async afterPersist(store: CommandStore, instance: InstanceRecord, outcome: RunOutcome, actor: string | null, result: InstanceResult): Promise<InstanceResult> {
    const tx = this.transaction(store);
    tx.latest.set(instance.id, result);
    const runnable = await this.kernel.runnable(store, instance.definitionId);
    if (this.callActivities(runnable).size) {
      await this.cancelInterruptedChildren(store, instance, outcome, actor);
      for (const called of outcome.calls) {
        const call = called.call;
        if (!call || 'error' in call) {
          const why = call ? call.error : 'the call was not resolved';
          throw new EngineError(EngineErrorCode.ProcessFailed, `call activity "${called.elementId}" failed: ${why}`, {
            details: { elementId: called.elementId },
          });
        }
        tx.jobs.push({ kind: 'start', parentId: instance.id, elementId: called.elementId, executionId: called.executionId, call: call.resolved, actor });
      }
    }
    if (instance.parentInstanceId && (outcome.status === 'completed' || outcome.uncaughtError)) tx.jobs.push({ kind: 'return', child: instance, outcome, actor });
    if (!tx.draining) {
      tx.draining = true;
      try {
        for (let job = tx.jobs.shift(); job; job = tx.jobs.shift()) {
          if (job.kind === 'start') await this.start(store, job);
          else await this.returnToCaller(store, job);
        }
      } finally {
        tx.draining = false;
      }
    }
    return tx.latest.get(instance.id) ?? result;
  }

  /**
   * Cancels the running children of `instance` (and theirs) before it is cancelled itself.
   * Locks parent before child, like every other path that cancels.
   */
  async cancelChildren(store: CommandStore, instance: InstanceRecord, actor: string | null, reason: string): Promise<HistoryDraft[]> {
    const events: HistoryDraft[] = [];
    for (const child of await store.runningChildren(instance.id)) {
      await this.cancelTree(store, child.id, actor, reason);
      events.push({ type: 'call.cancelled', elementId: null, elementType: 'bpmn:CallActivity', executionId: child.parentExecutionId, actor, payload: { childInstanceId: child.id, reason } });
    }
    return events;
  }

  private transaction(store: CommandStore): TransactionCalls {
    let tx = this.perTransaction.get(store);
    if (!tx) this.perTransaction.set(store, (tx = { jobs: [], draining: false, latest: new Map(), started: 0 }));
    return tx;
  }

  private async start(store: CommandStore, job: Extract<Job, { kind: 'start' }>): Promise<void> {
    const tx = this.transaction(store);
    if (++tx.started > MAX_CHILDREN_PER_COMMAND) {
      throw new EngineError(EngineErrorCode.ProcessFailed, `call activity "${job.elementId}": more than ${MAX_CHILDREN_PER_COMMAND} child instances in one command (a process calling itself without waiting?)`, {
        details: { elementId: job.elementId, calledElement: job.call.calledElement },
      });
    }
    const parent = await this.kernel.lockRunning(store, job.parentId);
    const definition = await this.calledDefinition(store, job.elementId, job.call);
    const caller: CallerLink = {
      parentInstanceId: parent.id,
      parentElementId: job.elementId,
      parentExecutionId: job.executionId,
      rootInstanceId: parent.rootInstanceId ?? parent.id,
    };
    const child = await this.startChild(store, definition, { businessKey: job.call.businessKey, variables: job.call.variables, actor: job.actor, caller });
    // The child may have returned already (it ended at once): then the parent moved on.
    const now = await store.lockInstance(parent.id);
    if (!now) return;
    await this.kernel.appendOnly(store, now, [
      {
        type: 'call.started',
        elementId: job.elementId,
        elementType: 'bpmn:CallActivity',
        executionId: job.executionId,
        actor: job.actor,
        payload: {
          childInstanceId: child.instance.id,
          calledElement: definition.key,
          definitionId: definition.id,
          version: definition.version,
          businessKey: job.call.businessKey,
          variables: job.call.variables,
        },
      },
    ]);
  }

  private async calledDefinition(store: CommandStore, elementId: string, call: ResolvedCall): Promise<DefinitionRecord> {
    const details = { elementId, calledElement: call.calledElement, binding: call.binding, version: call.version, versionTag: call.versionTag };
    if (!call.calledElement) {
      throw new EngineError(EngineErrorCode.ProcessFailed, `call activity "${elementId}": calledElement evaluated to nothing`, { details });
    }
    const definition = await store.findCalledDefinition(call.calledElement, {
      version: call.binding === 'version' ? call.version : null,
      versionTag: call.binding === 'versionTag' ? call.versionTag : null,
    });
    const which =
      call.binding === 'version' ? ` version ${call.version}` : call.binding === 'versionTag' ? ` with version tag "${call.versionTag}"` : ' (an active version)';
    if (!definition) {
      throw new EngineError(EngineErrorCode.ProcessFailed, `call activity "${elementId}" calls process "${call.calledElement}"${which}, which is not deployed`, { details });
    }
    if (definition.state === 'suspended') {
      throw new EngineError(EngineErrorCode.ProcessFailed, `call activity "${elementId}" calls process "${call.calledElement}" v${definition.version}, which is suspended`, { details });
    }
    return definition;
  }

  /** A child ended: its call activity completes (out-mapping) or raises the child's uncaught error. */
  private async returnToCaller(store: CommandStore, job: Extract<Job, { kind: 'return' }>): Promise<void> {
    const { child, outcome } = job;
    const parent = await store.lockInstance(child.parentInstanceId!);
    // A caller that is no longer running (it was cancelled in this transaction) takes nothing back.
    if (!parent || parent.status !== 'running' || !parent.snapshot) return;
    const runnable = await this.kernel.runnable(store, parent.definitionId);
    const elementId = child.parentElementId!;
    const executionId = child.parentExecutionId!;
    const spec = this.callActivities(runnable).get(elementId);
    const error = outcome.uncaughtError;
    const returned = error || !spec ? {} : mapOut(spec, outcome.variables);
    const resumed = await this.runner.resume(
      runnable,
      { instanceId: parent.id, businessKey: parent.businessKey },
      parent.snapshot,
      (engine) => {
        if (!engine.isWaiting(executionId)) return false;
        if (error) return engine.failCall(executionId, { code: error.code, message: `the called instance ${child.id} ended with error ${error.code ?? error.errorId ?? ''} at "${error.elementId}"` });
        engine.signal(executionId, returned);
        return true;
      },
      { revision: parent.revision },
    ).catch((e: unknown) => {
      if (e instanceof EngineError && e.code === EngineErrorCode.TaskNotOpen) {
        throw new EngineError(EngineErrorCode.ProcessFailed, `call activity "${elementId}" of instance ${parent.id} no longer waits for instance ${child.id}`, {
          details: { elementId, childInstanceId: child.id },
        });
      }
      if (e instanceof EngineError && error) {
        // Nothing in the caller caught the child's error: name it, the way an uncaught error is named.
        throw new EngineError(
          EngineErrorCode.ProcessFailed,
          `the called instance ${child.id} (${child.definitionKey}) ended with error ${error.code ?? error.errorId ?? ''}, which call activity "${elementId}" does not catch`,
          { details: { elementId, childInstanceId: child.id, errorCode: error.code, errorElementId: error.elementId }, cause: e },
        );
      }
      throw e;
    });
    const event: HistoryDraft = error
      ? { type: 'call.error', elementId, elementType: 'bpmn:CallActivity', executionId, actor: job.actor, payload: { childInstanceId: child.id, errorCode: error.code, errorElementId: error.elementId } }
      : { type: 'call.completed', elementId, elementType: 'bpmn:CallActivity', executionId, actor: job.actor, payload: { childInstanceId: child.id, variables: returned } };
    await this.kernel.persist(store, parent, resumed, { actor: job.actor, before: [event] });
  }

  /** Children whose call activity no longer waits (interrupted, terminated, the caller ended) are cancelled. */
  private async cancelInterruptedChildren(store: CommandStore, instance: InstanceRecord, outcome: RunOutcome, actor: string | null): Promise<void> {
    if (instance.revision <= 1 && !outcome.calls.length) return; // a new instance has no children yet
    const waiting = new Set(outcome.status === 'completed' ? [] : outcome.waitingCallExecutionIds);
    const gone = (await store.runningChildren(instance.id)).filter((c) => !c.parentExecutionId || !waiting.has(c.parentExecutionId));
    for (const child of gone) {
      await this.cancelTree(store, child.id, actor, 'its call activity was interrupted');
      const now = await store.lockInstance(instance.id);
      if (now) {
        await this.kernel.appendOnly(store, now, [
          { type: 'call.cancelled', elementId: null, elementType: 'bpmn:CallActivity', executionId: child.parentExecutionId, actor, payload: { childInstanceId: child.id } },
        ]);
      }
    }
  }

  /** Cancels one running instance and its running descendants: tasks, timers, history, status. */
  private async cancelTree(store: CommandStore, instanceId: string, actor: string | null, reason: string): Promise<void> {
    const instance = await store.lockInstance(instanceId);
    if (!instance || instance.status !== 'running') return;
    for (const child of await store.runningChildren(instance.id)) await this.cancelTree(store, child.id, actor, reason);
    const now = this.kernel.now();
    const open = await store.openTasks(instance.id);
    const closed = await store.closeTasks(
      instance.id,
      open.map((t) => ({ executionId: t.executionId, status: 'cancelled', at: now, by: actor, submitted: null })),
    );
    const timers = await store.deleteInstanceTimers(instance.id);
    // Other wait-state rows (message and signal subscriptions) close through the kernel's hooks.
    const hooked: HistoryDraft[] = [];
    for (const hook of this.kernel.hooks) if (hook.cancelled) hooked.push(...(await hook.cancelled(store, instance, actor)));
    const events: HistoryDraft[] = [
      ...closed.map((t) => taskEvent('task.cancelled', t, actor, { reason: 'instance cancelled' })),
      ...timers.map((j) => timerEvent('timer.cancelled', j, { jobId: j.id, dueAt: j.dueAt, reason: 'instance cancelled' }, actor)),
      ...hooked,
      { type: 'instance.cancelled', elementId: instance.definitionKey, elementType: 'bpmn:Process', executionId: null, actor, payload: { reason, parentInstanceId: instance.parentInstanceId } },
    ];
    const history = this.kernel.chain(instance, events);
    await store.appendHistory(history.records);
    const patch = { status: 'cancelled' as const, snapshot: null, variables: instance.variables, activeElementIds: [], endedAt: now, endReason: reason, history: history.head };
    await store.updateInstance(instance.id, instance.revision, patch);
    this.kernel.afterCommit(store, () => this.runner.forget(instance.id));
    this.transaction(store).latest.set(instance.id, { instance: view({ ...instance, ...patch, revision: instance.revision + 1 }), tasks: [] });
  }
}
