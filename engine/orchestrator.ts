import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from './clock';
import { CommandKernel, MAX_CONFLICT_RETRIES, taskEvent, timerEvent, view, type HistoryDraft, type Idempotency, type InstanceResult } from './commands/kernel';
import { compileDefinition, loadSourceContext, validateDefinition, type ValidationResult } from './definitions';
import { EngineError, EngineErrorCode } from './errors';
import { checkExpression } from './expressions';
import type { CommandStore, DefinitionRecord, InstanceRecord, TaskRecord, TimerPartition, TransactionRunner } from './persistence/ports';
import { InstanceRunner, type RunnableDefinition } from './runtime/instance-runner';
import type { ServiceHandlerRegistry } from './services/service-handler';
import { TimerCommands, startScheduleJobs, type FireSummary } from './timers/timer-commands';
import { assertVariables } from './variables';
import { SlaPauseHook } from './sla/sla-pause-hook';
import { SlaCommands } from './sla/sla-commands';
import { assertSegregation } from './commands/segregation';
import type { CalendarLookup } from './sla/sla';
import { CallActivities, type CallerLink } from './calls/call-activities';
import { missingCallees } from './calls/call-deploy';
import { MessageCommands, type MessageAnswer, type MessageInput, type OutboxSummary, type SignalAnswer, type SignalInput } from './messaging/message-commands';
import { messagingCatalog } from './messaging/catalog';
import type { EventPayload } from './messaging/runtime';
import { DecisionCommands } from './decisions/decision-commands';
import { missingDecisions } from './decisions/deploy-rules';
import { decisionEvidenceHook } from './decisions/evidence';
import { RecordKeeper, recordSpec } from './records/records';
import { decisionTaskSpec } from './decisions/task';
import { initiatorVariables } from './runtime/initiator';
import { TaskForms, decisionsNotSupported, deploymentHash, prepareForms, type DecisionDeployer, type DeploymentFile } from './forms';
import { ExternalTaskCommands } from './external-tasks/commands';

export type { Idempotency, InstanceResult, InstanceView } from './commands/kernel';

export interface OrchestratorOptions {
  transactions: TransactionRunner;
  handlers: ServiceHandlerRegistry;
  clock?: Clock;
  /** Largest accepted BPMN document in bytes. */
  maxDefinitionBytes?: number;
  /** Deploy-time size limits (XML elements, flow elements, literal loop cardinality); see CompileOptions. */
  definitionLimits?: { maxElements?: number; maxFlowElements?: number; maxLoopCardinality?: number };
  /** How many parsed definition versions to keep in memory. */
  definitionCacheSize?: number;
  /** Time zone of cron timer cycles. */
  timeZone?: string;
  /** Business calendars by name (for SLA clocks). */
  calendars?: CalendarLookup;
  /** Running engines kept in memory between commands (0 = always recover from the snapshot). */
  liveEngines?: number;
  /** Memory budget of those engines, in MiB as estimated from their diagrams (InstanceRunner.keep; default 48). */
  liveEngineMemoryMb?: number;
  /** Seconds after which a kept engine whose instance had no command is dropped (0: only the budget drops engines; default 10). */
  liveEngineIdleSeconds?: number;
  /**
   * The id of a new instance (default: a random UUID). A cluster worker picks one in a slot it
   * owns (engine/commands/instance-ids.ts, api/affinity), so that the instance's commands find its engine warm.
   */
  newInstanceId?: () => string;
}

export interface DeployResult {
  definition: DefinitionRecord;
  /** False when identical XML (and identical forms) was already the latest version of its key. */
  created: boolean;
  /** The forms stored with the version (id and SHA-256). */
  forms?: { formId: string; sha256: string }[];
  /** What the decision deployer answered for each `.dmn` file. */
  decisions?: unknown[];
}

/**
 * Who may act on a task, checked in the command's own statement (the task row read under the
 * instance lock) instead of a statement of its own before it: the actor must be the task's
 * assignee, one of its candidate users, or a member (`groups`) of one of its candidate groups —
 * the rule of the API's access check (api/auth/access.ts, mayWorkOn). Otherwise the command fails
 * with FORBIDDEN and `details.taskWorker: false` before anything else is checked, and the caller
 * answers with its full access check (404 for a task the actor may not see, else 403).
 */
export interface TaskWorkerCheck {
  groups: string[];
}

/** The error of a failed {@link TaskWorkerCheck} (`details.taskWorker === false`). */
export function isNotTaskWorker(error: unknown): boolean {
  return error instanceof EngineError && error.code === EngineErrorCode.Forbidden && (error.details as { taskWorker?: unknown } | undefined)?.taskWorker === false;
}

export interface StartInput {
  definitionKey?: string;
  definitionId?: string;
  businessKey?: string | null;
  variables?: unknown;
  actor: string | null;
}

/**
 * The engine's facade: every state change is one command, executed in one transaction that
 * holds the instance's row lock, checks its revision, runs bpmn-engine to the next wait states
 * and writes the snapshot, task rows, timer jobs and hash-chained history together. A resolved
 * promise means the transaction committed.
 */
export class Orchestrator {
  private readonly kernel: CommandKernel;
  private readonly runner: InstanceRunner;
  private readonly timerCommands: TimerCommands;
  private readonly slaCommands: SlaCommands;
  private readonly messages: MessageCommands;
  private readonly timeZone: string;
  private readonly calls: CallActivities;
  /** DMN decision tables: deploy and test evaluation (engine/decisions). */
  readonly decisions: DecisionCommands;
  private readonly records: RecordKeeper;
  private readonly taskForms = new TaskForms();
  private decisionDeployer: DecisionDeployer<CommandStore> | null = null;
  /** External tasks: fetch and lock, complete, failure, BPMN error, locks (engine/external-tasks). */
  readonly externalTasks: ExternalTaskCommands;

  constructor(private readonly options: OrchestratorOptions) {
    const clock = options.clock ?? systemClock;
    this.timeZone = options.timeZone ?? 'UTC';
    this.runner = new InstanceRunner(options.handlers, clock, this.timeZone, options.liveEngines, options.calendars, options.liveEngineMemoryMb === undefined ? undefined : options.liveEngineMemoryMb * 2 ** 20, options.liveEngineIdleSeconds === undefined ? undefined : options.liveEngineIdleSeconds * 1000);
    this.kernel = new CommandKernel(options.transactions, clock, this.runner, options.definitionCacheSize);
    this.slaCommands = new SlaCommands(this.kernel, this.runner, options.calendars ?? noCalendars);
    this.timerCommands = new TimerCommands(this.kernel, this.runner, (store, definition, input, fire) => this.startIn(store, definition, input, fire), this.timeZone);
    this.calls = new CallActivities(this.kernel, this.runner, (store, definition, input) => this.startIn(store, definition, input, null));
    this.kernel.onPersisted = (store, instance, outcome, actor, result) => this.calls.afterPersist(store, instance, outcome, actor, result);
    this.messages = new MessageCommands(this.kernel, this.runner, (store, definition, input, start) => this.startIn(store, definition, input, null, start));
    this.kernel.hooks.push(this.messages);
    this.decisions = new DecisionCommands(this.kernel);
    // A deployment's .dmn files are stored in the same transaction as its process (POST /api/definitions).
    this.registerDecisionDeployer((store, xml, actor) => this.decisions.deployIn(store, xml, actor));
    this.kernel.hooks.push(decisionEvidenceHook);
    this.records = new RecordKeeper(this.kernel, options.calendars ?? noCalendars);
    this.kernel.hooks.push(this.records);
    this.kernel.hooks.push(new SlaPauseHook(this.kernel)); // itsm:pauseSla (engine/sla/sla-pause.ts)
    this.externalTasks = new ExternalTaskCommands(this.kernel, this.runner);
    this.kernel.hooks.push(this.externalTasks);
  }

  /**
   * Validates and stores a BPMN document as the next version of its process key. A new version
   * replaces the key's timer start schedule.
   * @throws EngineError INVALID_DEFINITION (with `details.problems`), PAYLOAD_TOO_LARGE
   */
  async deploy(input: {
    document: Uint8Array | string;
    versionTag?: string | null;
    actor: string | null;
    /** `.form` files (form-js schemas) deployed with this version; see engine/forms. */
    forms?: DeploymentFile[];
    /** `.dmn` files, handed to the registered decision deployer in the same transaction. */
    decisions?: DeploymentFile[];
    /**
     * Runs in the deployment's transaction once the version is stored (or found identical to the
     * latest): a caller's own rows (e.g. the approval of a deploy request) commit with it, and an
     * error it throws rolls the deployment back. It may run more than once (conflict retries).
     */
    within?: (store: CommandStore, result: DeployResult) => Promise<void>;
  }): Promise<DeployResult> {
    if (input.decisions?.length && !this.decisionDeployer) throw decisionsNotSupported();
    const compiled = await compileDefinition(input.document, {
      maxBytes: this.options.maxDefinitionBytes,
      ...this.options.definitionLimits,
      knownHandlers: this.options.handlers.names(),
      checkExpression,
    });
    const sourceContext = loadSourceContext(compiled.serialized);
    const { forms, bindings } = prepareForms(input.forms ?? [], sourceContext);
    const sha256 = deploymentHash(compiled.sha256, forms);
    const formSummary = forms.map((f) => ({ formId: f.id, sha256: f.sha256 }));
    return this.kernel.execute(async (store) => {
      const decisions: unknown[] = [];
      for (const file of input.decisions ?? []) {
        decisions.push(await this.decisionDeployer!(store, typeof file.content === 'string' ? file.content : Buffer.from(file.content).toString('utf8'), input.actor));
      }
      const extra = decisions.length ? { decisions } : {};
      await store.lockDefinitionKey(compiled.processId);
      const latest = await store.latestDefinition(compiled.processId);
      if (latest && latest.sha256 === sha256) {
        const same: DeployResult = { definition: latest, created: false, forms: formSummary, ...extra };
        await input.within?.(store, same);
        return same;
      }
      const definition = await store.insertDefinition({
        id: randomUUID(),
        key: compiled.processId,
        versionTag: input.versionTag ?? null,
        name: compiled.name,
        sha256,
        state: 'active',
        deployedBy: input.actor,
        deployedAt: this.kernel.now(),
        warnings: [...compiled.warnings, ...(await missingCallees(store, compiled.processId, sourceContext)), ...(await missingDecisions(store, sourceContext))],
        xml: compiled.xml,
        serialized: compiled.serialized,
      });
      const runnable = this.kernel.remember({ id: definition.id, key: definition.key, version: definition.version, sourceContext });
      await store.replaceStartTimers(definition.key, startScheduleJobs(definition, this.kernel.timerStarts(runnable), this.kernel.clock.now(), this.timeZone));
      await this.messages.replaceStartSubscriptions(store, definition, runnable);
      await store.forms.insertForms(definition.id, forms.map((f) => ({ formId: f.id, schema: f.schema, sha256: f.sha256 })), bindings, definition.deployedAt);
      const result: DeployResult = { definition, created: true, forms: formSummary, ...extra };
      await input.within?.(store, result);
      return result;
    });
  }

  /**
   * A dry run of the deploy validation: the same checks with the same limits and handler names,
   * nothing stored. The modeler's live lint calls it while a diagram is drawn.
   */
  validate(document: Uint8Array | string): Promise<ValidationResult> {
    return validateDefinition(document, { maxBytes: this.options.maxDefinitionBytes, knownHandlers: this.options.handlers.names(), checkExpression });
  }

  /**
   * Registers the handler of `.dmn` files in a multi-file deployment (decision tables). It runs in
   * the deployment's transaction, before the BPMN is stored. Without one, a `.dmn` part is refused.
   */
  registerDecisionDeployer(deployer: DecisionDeployer<CommandStore>): void {
    this.decisionDeployer = deployer;
  }

  /** Stops new instances of a definition version (and its timer start schedule). @throws EngineError DEFINITION_NOT_FOUND */
  suspendDefinition(definitionId: string, actor: string | null): Promise<DefinitionRecord> {
    return this.timerCommands.setDefinitionState(definitionId, 'suspended', actor);
  }

  /** Resumes a suspended definition version (and, if it is the latest, its timer start schedule). */
  activateDefinition(definitionId: string, actor: string | null): Promise<DefinitionRecord> {
    return this.timerCommands.setDefinitionState(definitionId, 'active', actor);
  }

  /**
   * Starts the latest (or the given) version and runs it to its first wait states. A timer
   * start event fires at once when an instance is started by hand.
   * @throws EngineError DEFINITION_NOT_FOUND, DEFINITION_SUSPENDED, INVALID_REQUEST, PROCESS_FAILED
   */
  async start(input: StartInput, idempotency?: Idempotency): Promise<InstanceResult> {
    const variables = assertVariables(input.variables ?? {});
    let runs = 0;
    return this.kernel.execute(async (store) => {
      const guess = !input.definitionId && input.definitionKey ? this.kernel.latestGuess(input.definitionKey) : undefined;
      if (guess && store.prefetchStart) {
        // A run reserves its record number (starts of a type run side by side); the last attempt locks the
        // counter for its whole run instead, so that a start whose reserved numbers were taken still succeeds.
        const reserve = ++runs < MAX_CONFLICT_RETRIES;
        await store.prefetchStart({ definitionKey: guess.key, recordType: recordSpec(guess).type ?? null, decisionKeys: latestDecisionKeys(guess), reserve });
      }
      const definition = await this.kernel.resolveDefinition(store, input);
      if (definition.state === 'suspended') {
        throw new EngineError(EngineErrorCode.DefinitionSuspended, `definition ${definition.key} v${definition.version} is suspended`);
      }
      // A start form is enforced like a task form (422 FORM_VALIDATION_FAILED, nothing is created).
      await this.taskForms.assertStart(store, await this.kernel.runnable(store, definition.id), variables);
      return this.startIn(store, definition, { businessKey: input.businessKey ?? null, variables, actor: input.actor }, null);
    }, idempotency && { scope: 'instance.start', ...idempotency });
  }

  /**
   * Starts an instance inside an open command; `fireStart` names the timer start event that
   * started it, `messageStart` the message or signal start event, if any.
   */
  private async startIn(
    store: CommandStore,
    definition: DefinitionRecord,
    input: { businessKey: string | null; variables: Record<string, unknown>; actor: string | null; caller?: CallerLink },
    fireStart: string | null,
    messageStart?: { elementId: string; payload: EventPayload },
  ): Promise<InstanceResult> {
    const runnable = await this.kernel.runnable(store, definition.id);
    const id = this.options.newInstanceId?.() ?? randomUUID();
    // A timer start event fires at once: the schedule (or the caller) already decided the time.
    const startTimers = new Set(this.kernel.timerStarts(runnable).map((t) => t.elementId));
    if (fireStart) startTimers.forEach((elementId) => elementId !== fireStart && startTimers.delete(elementId));
    // Message and signal start events: the one that was triggered fires, the others go.
    const eventStarts = messagingCatalog(runnable.sourceContext).processStarts.length > 0;
    // ITSM record (engine/records): the number is allocated before the run so that every expression sees `recordNumber`.
    const recordNumber = await this.records.allocate(store, runnable, id);
    // Set by the engine beside the caller's variables; recorded in instance.started so that history alone replays every variable.
    const assignedVariables = {
      // camunda:initiator on a none start event (engine/runtime/initiator.ts): only a start by a user, not by a timer or message
      ...(fireStart || messageStart ? {} : initiatorVariables(runnable.sourceContext, input.actor)),
      ...(recordNumber ? { recordNumber } : {}),
    };
    const outcome = await this.runner.start(
      runnable,
      { instanceId: id, businessKey: input.businessKey },
      { ...input.variables, ...assignedVariables },
      startTimers.size || eventStarts
        ? (engine) => {
            engine.timers().forEach((t) => startTimers.has(t.elementId) && engine.fireTimer(t.executionId));
            if (eventStarts) engine.startEvents(messageStart?.elementId ?? null, messageStart?.payload ?? null);
          }
        : undefined,
    );
    const instance: InstanceRecord = {
      id,
      definitionId: definition.id,
      definitionKey: definition.key,
      definitionVersion: definition.version,
      businessKey: input.businessKey,
      status: 'running',
      snapshot: null,
      variables: {},
      activeElementIds: [],
      revision: 0,
      startedBy: input.actor,
      startedAt: this.kernel.now(),
      endedAt: null,
      endReason: null,
      history: { seq: 0, hash: null },
      parentInstanceId: input.caller?.parentInstanceId ?? null,
      parentElementId: input.caller?.parentElementId ?? null,
      parentExecutionId: input.caller?.parentExecutionId ?? null,
      rootInstanceId: input.caller?.rootInstanceId ?? null,
    };
    await store.insertInstance(instance);
    const initial: HistoryDraft = {
      type: 'instance.started',
      elementId: runnable.key,
      elementType: 'bpmn:Process',
      executionId: null,
      actor: input.actor,
      payload: {
        definitionId: definition.id, definitionKey: definition.key, version: definition.version, businessKey: input.businessKey,
        variables: input.variables, ...(Object.keys(assignedVariables).length ? { assignedVariables } : {}),
        ...(fireStart ? { startedBy: 'timer', startEventId: fireStart } : {}), ...(input.caller ? { calledBy: input.caller } : {}),
        ...(messageStart ? { startedBy: messageStart.payload.kind, startEventId: messageStart.elementId, [messageStart.payload.kind === 'message' ? 'message' : 'signal']: messageStart.payload.name } : {}),
      },
    };
    return this.kernel.persist(store, instance, outcome, { actor: input.actor, before: [initial] });
  }

  /**
   * Claims an open task for `actor`.
   * @throws EngineError TASK_NOT_FOUND, TASK_NOT_OPEN, TASK_CLAIMED_BY_OTHER, FORBIDDEN (segregation of duties)
   */
  async claimTask(taskId: string, actor: string, worker?: TaskWorkerCheck): Promise<TaskRecord> {
    return this.kernel.execute(async (store) => {
      const { task, instance } = await this.lockOpenTask(store, taskId, worker && { actor, ...worker });
      if (task.assignee === actor) return task;
      if (task.assignee) throw claimedByOther(task);
      await assertSegregation(store, await this.kernel.runnable(store, instance.definitionId), instance, task, actor);
      await store.setTaskAssignee(task.id, actor);
      await this.kernel.appendOnly(store, instance, [taskEvent('task.claimed', task, actor, { assignee: actor })]);
      return { ...task, assignee: actor };
    });
  }

  /** Returns a claimed task to its candidates. @throws EngineError TASK_NOT_FOUND, TASK_NOT_OPEN, TASK_CLAIMED_BY_OTHER */
  async unclaimTask(taskId: string, actor: string, worker?: TaskWorkerCheck): Promise<TaskRecord> {
    return this.kernel.execute(async (store) => {
      const { task, instance } = await this.lockOpenTask(store, taskId, worker && { actor, ...worker });
      if (task.assignee === null) return task;
      if (task.assignee !== actor) throw claimedByOther(task);
      await store.setTaskAssignee(task.id, null);
      await this.kernel.appendOnly(store, instance, [taskEvent('task.unclaimed', task, actor, { previousAssignee: task.assignee })]);
      return { ...task, assignee: null };
    });
  }

  /**
   * Sets (or clears) a task's assignee on someone's behalf, e.g. an administrator reassigning.
   * Segregation of duties applies to the new assignee.
   * @throws EngineError TASK_NOT_FOUND, TASK_NOT_OPEN, FORBIDDEN (segregation of duties)
   */
  async assignTask(taskId: string, assignee: string | null, actor: string): Promise<TaskRecord> {
    return this.kernel.execute(async (store) => {
      const { task, instance } = await this.lockOpenTask(store, taskId);
      if (task.assignee === assignee) return task;
      if (assignee) await assertSegregation(store, await this.kernel.runnable(store, instance.definitionId), instance, task, assignee);
      await store.setTaskAssignee(task.id, assignee);
      await this.kernel.appendOnly(store, instance, [taskEvent('task.assigned', task, actor, { assignee, previousAssignee: task.assignee })]);
      return { ...task, assignee };
    });
  }

  /**
   * Completes an open task with the submitted variables and runs the process to its next wait
   * states in the same transaction. The loser of a race gets TASK_NOT_OPEN.
   * @throws EngineError TASK_NOT_FOUND, TASK_NOT_OPEN, TASK_CLAIMED_BY_OTHER, FORBIDDEN (segregation of duties), INVALID_REQUEST, PROCESS_FAILED
   */
  async completeTask(taskId: string, actor: string, rawVariables: unknown, idempotency?: Idempotency, worker?: TaskWorkerCheck): Promise<InstanceResult> {
    const variables = assertVariables(rawVariables ?? {});
    // A replayed answer (idempotency) is given without reading the task: the worker check would not run.
    if (worker && idempotency) throw new EngineError(EngineErrorCode.InvalidRequest, 'completeTask: a worker check cannot be combined with an idempotency key');
    return this.kernel.execute(async (store) => {
      const { task, instance } = await this.lockOpenTask(store, taskId, worker && { actor, ...worker });
      if (task.assignee && task.assignee !== actor) throw claimedByOther(task);
      const runnable = await this.kernel.runnable(store, instance.definitionId);
      await assertSegregation(store, runnable, instance, task, actor);
      await this.taskForms.assertSubmission(store, instance, task, variables);
      const outcome = await this.runner.resume(runnable, contextOf(instance), instance.snapshot!, (engine) => {
        if (!engine.isWaiting(task.executionId)) return false;
        engine.signal(task.executionId, variables);
        return true;
      }, { revision: instance.revision });
      return this.kernel.persist(store, instance, outcome, {
        actor,
        before: [taskEvent('task.completed', task, actor, { variables })],
        completion: { executionId: task.executionId, actor, submitted: variables },
      });
    }, idempotency && { scope: `task.complete:${taskId}`, ...idempotency });
  }

  /**
   * Cancels a running instance: open tasks and timers are cancelled, the snapshot is dropped; so
   * are its running child instances (call activities), recursively.
   * @throws EngineError INSTANCE_NOT_FOUND, INSTANCE_NOT_RUNNING, CONFLICT (a child of a running caller)
   */
  async cancelInstance(instanceId: string, actor: string | null, reason: string | null): Promise<InstanceResult> {
    return this.kernel.execute(async (store) => {
      const instance = await this.kernel.lockRunning(store, instanceId);
      // A child of a running caller is cancelled through its caller (the call activity would wait forever).
      if (instance.parentInstanceId && (await store.lockInstance(instance.parentInstanceId))?.status === 'running') {
        throw new EngineError(EngineErrorCode.Conflict, `process instance ${instance.id} was started by call activity "${instance.parentElementId}" of instance ${instance.parentInstanceId}: cancel that instance instead`, {
          details: { parentInstanceId: instance.parentInstanceId, rootInstanceId: instance.rootInstanceId },
        });
      }
      const children = await this.calls.cancelChildren(store, instance, actor, reason ?? 'parent instance cancelled');
      const now = this.kernel.now();
      const open = await store.openTasks(instance.id);
      const closed = await store.closeTasks(
        instance.id,
        open.map((t) => ({ executionId: t.executionId, status: 'cancelled', at: now, by: actor, submitted: null })),
      );
      const timers = await store.deleteInstanceTimers(instance.id);
      const hooked: HistoryDraft[] = [];
      for (const hook of this.kernel.hooks) if (hook.cancelled) hooked.push(...(await hook.cancelled(store, instance, actor)));
      const events: HistoryDraft[] = [
        ...closed.map((t) => taskEvent('task.cancelled', t, actor, { reason: 'instance cancelled' })),
        ...timers.map((j) => timerEvent('timer.cancelled', j, { jobId: j.id, dueAt: j.dueAt, reason: 'instance cancelled' }, actor)),
        ...children,
        ...hooked,
        { type: 'instance.cancelled', elementId: instance.definitionKey, elementType: 'bpmn:Process', executionId: null, actor, payload: { reason } },
      ];
      const history = this.kernel.chain(instance, events);
      await store.appendHistory(history.records);
      const patch = { status: 'cancelled' as const, snapshot: null, variables: instance.variables, activeElementIds: [], endedAt: now, endReason: reason, history: history.head };
      await store.updateInstance(instance.id, instance.revision, patch);
      this.kernel.afterCommit(store, () => this.runner.forget(instance.id));
      return { instance: view({ ...instance, ...patch, revision: instance.revision + 1 }), tasks: [] };
    });
  }

  /**
   * Claims due timer jobs for `worker` and fires each in its own transaction. Safe on any number
   * of server processes: a job is claimed by one worker (`SKIP LOCKED`), fired only while that
   * claim holds, and never before its due time on the database clock. `concurrency` (1) bounds
   * how many fire at once; one instance's jobs always fire one after another, in due order.
   * `partition`: this process claims the jobs of the instances it owns first (see TimerPartition).
   * `groupSize` (1): up to that many instances' timers fire in one transaction. `maxBatches` (1):
   * a full batch is followed by the next claim, up to that many, while `more()` answers true.
   */
  fireDueTimers(
    worker: string,
    options: { batchSize?: number; lockMs?: number; concurrency?: number; partition?: TimerPartition; groupSize?: number; maxBatches?: number; more?: () => boolean } = {},
  ): Promise<FireSummary> {
    return this.timerCommands.fireDue(worker, options);
  }

  /**
   * Delivers a message to every instance waiting for it (name and correlation key), else starts
   * the latest active version of each key whose message start event declares it, else buffers it
   * for `timeToLiveMs`. A repeated `messageId` answers the first delivery.
   * @throws EngineError MESSAGE_NOT_CORRELATED, INVALID_REQUEST, PROCESS_FAILED
   */
  correlateMessage(input: MessageInput): Promise<MessageAnswer> {
    return this.messages.correlate(input);
  }

  /** Broadcasts a signal to every waiting signal catch and signal start event, one command per instance (through the outbox). */
  broadcastSignal(input: SignalInput, worker: string): Promise<SignalAnswer> {
    return this.messages.broadcast(input, worker);
  }

  /** Delivers the due messages and signals thrown inside processes (each in its own command). */
  drainOutbox(worker: string, options: { batchSize?: number; lockMs?: number } = {}): Promise<OutboxSummary> {
    return this.messages.drain(worker, options);
  }

  /** Puts the failed job of an open incident back in line. @throws EngineError INCIDENT_NOT_FOUND, INCIDENT_RESOLVED */
  async retryIncident(incidentId: string, actor: string | null) {
    // An external task's incident gives the task a retry; any other puts its timer job back in line.
    return (await this.externalTasks.retryIncident(incidentId, actor)) ?? this.timerCommands.retryIncident(incidentId, actor);
  }

  /**
   * Pauses the SLA clock `sla.<name>` (e.g. awaiting customer): timers reading it are parked.
   * @throws EngineError SLA_NOT_FOUND, SLA_STATE_CONFLICT, INSTANCE_NOT_FOUND, INSTANCE_NOT_RUNNING
   */
  pauseSla(instanceId: string, name: string, reason: string, actor: string | null): Promise<InstanceResult> {
    return this.slaCommands.pause(instanceId, name, reason, actor);
  }

  /** Resumes a paused SLA clock: its target moves by the paused business time; its timers are re-armed. */
  resumeSla(instanceId: string, name: string, actor: string | null): Promise<InstanceResult> {
    return this.slaCommands.resume(instanceId, name, actor);
  }

  /**
   * Locks the task's instance and reads the task under that lock (the race-free check), in one
   * statement; `worker`: the actor must be one who may act on the task (see {@link TaskWorkerCheck}).
   */
  private async lockOpenTask(store: CommandStore, taskId: string, worker?: TaskWorkerCheck & { actor: string }): Promise<{ task: TaskRecord; instance: InstanceRecord }> {
    const found = await store.lockTask(taskId);
    if (!found) throw new EngineError(EngineErrorCode.TaskNotFound, `no task with id "${taskId}"`);
    const { task, instance } = found;
    if (worker && !mayWorkOn(task, worker.actor, worker.groups)) {
      throw new EngineError(EngineErrorCode.Forbidden, `only the assignee or a candidate of task ${taskId} may act on it`, { details: { taskWorker: false } });
    }
    if (task.status !== 'open') {
      throw new EngineError(EngineErrorCode.TaskNotOpen, `task ${taskId} is already ${task.status}`, { details: { taskStatus: task.status, completedBy: task.completedBy } });
    }
    if (instance.status !== 'running') {
      throw new EngineError(EngineErrorCode.InstanceNotRunning, `process instance ${instance.id} is ${instance.status}`);
    }
    return { task, instance };
  }
}

const decisionKeys = new WeakMap<RunnableDefinition, string[]>();

/** Keys of the decisions the definition's business rule tasks evaluate in their latest version. */
function latestDecisionKeys(runnable: RunnableDefinition): string[] {
  let keys = decisionKeys.get(runnable);
  if (!keys) {
    const context = runnable.sourceContext as { getActivities(): { type: string; behaviour?: Record<string, unknown> }[] };
    const specs = context.getActivities().filter((a) => a.type === 'bpmn:BusinessRuleTask').map((a) => decisionTaskSpec(a.behaviour ?? {}));
    keys = [...new Set(specs.filter((spec) => spec && spec.version === null).map((spec) => spec!.key))];
    decisionKeys.set(runnable, keys);
  }
  return keys;
}

function noCalendars(name: string): never {
  throw new EngineError(EngineErrorCode.InvalidRequest, `no business calendars are configured (asked for "${name}")`);
}

/** The actor is the task's assignee, a candidate user, or a member of a candidate group (names compared exactly, as stored). */
function mayWorkOn(task: TaskRecord, actor: string, groups: string[]): boolean {
  if (task.assignee === actor) return true;
  if (task.candidateUsers.includes(actor)) return true;
  return groups.length > 0 && task.candidateGroups.some((g) => groups.includes(g));
}

function claimedByOther(task: TaskRecord): EngineError {
  return new EngineError(EngineErrorCode.TaskClaimedByOther, `task ${task.id} is claimed by ${task.assignee}`, { details: { assignee: task.assignee } });
}

function contextOf(instance: InstanceRecord) {
  return { instanceId: instance.id, businessKey: instance.businessKey };
}
