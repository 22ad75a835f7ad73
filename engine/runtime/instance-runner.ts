import { Engine } from 'bpmn-engine';
import { createEngineExpressions, evaluateExpression } from '../expressions';
import { EngineError, EngineErrorCode } from '../errors';
import { moddleExtensions } from '../definitions';
import type { ServiceHandlerRegistry } from '../services/service-handler';
import { systemClock, type Clock } from '../clock';
import { DurableTimers, type PendingTimer } from './durable-timers';
import type { CalendarLookup } from '../sla/sla';
import { createExtensions, userTaskAtWait, type UserTaskMeta } from './extensions';
import { flattenPostponed, ScopeRuntime } from './scopes';
import { currentBudget } from './budget';
import { budgetSteps } from './budget-steps';
import { EngineEvents, untilQuiescent, type Quiescence } from './quiescence';
import { elementOverrides } from './elements';
import { pruneDeadPaths } from './dead-paths';
import { quickFormat } from './quick-format';
import { skipTeardownAtEnd } from './lean-end';
import { abandonJoinTokens } from './elements/joins';
import { conditionalEventSubProcessStarts, settleConditionalEvents, type ConditionalEventSubProcessStart } from './conditional-events';
import { activeElementIds, isLinkCatch } from './active-elements';
import { pruneLeftScopes } from './scope-tracker';
import { interruptOnEventSubProcess } from './interrupt-scope';
import { ErrorWatch, type UncaughtError } from './error-watch';
import { ServiceFailures, type ServiceFailure } from './service-retry';
import {
  armEventTimers,
  eventSubProcessTimerStarts,
  isEventTimerExecutionId,
  loadEventTimers,
  nextEventTimer,
  storeEventTimers,
  type EventSubProcessTimerStart,
  type StoredEventTimer,
} from './event-subprocess-timers';
import { ErrorWatcher, type CallFormat, type ThrownError } from '../calls/call-extension';
import { messagingCatalog, type MessagingCatalog } from '../messaging/catalog';
import { THROW_COMPLETIONS, ThrowCompletions, type Thrower } from './throw-completion';
import { loadEventStartQueue, waitingInnerStart, watchEventStartQueue, type QueuedEventStart } from './event-subprocess-queue';
import { eventStartElementId, thrownEvents, waitingSubscriptions, type EventPayload, type ThrownEvent, type WaitingSubscription } from '../messaging/runtime';
import { ExternalTaskRuntime, type ExternalTaskAction, type WaitingExternalTask } from '../external-tasks/runtime';
import { hasExternalTasks } from '../external-tasks/spec';
import { decodeState, dictionaryOf, encodeState, type JsonValue } from '../persistence/compact-state';

/** A deployed definition version ready to run: its parsed context is built once and cached. */
export interface RunnableDefinition {
  id: string;
  key: string;
  version: number;
  /** `loadSourceContext(serialized)`: shared by every engine of this version, never mutated. */
  sourceContext: unknown;
}

/** A user task the engine started waiting on during this run. */
export interface CreatedUserTask extends UserTaskMeta {
  executionId: string;
  elementId: string;
  name: string | null;
}

/** A call activity that started waiting in this run: the host starts its child instance. */
export interface CalledActivity {
  executionId: string;
  elementId: string;
  call: CallFormat | null;
}

/** A history fact observed while the engine ran, before the host stamps sequence, actor and hash. */
export interface ObservedEvent {
  type:
    | 'element.started'
    | 'element.waiting'
    | 'element.completed'
    | 'element.cancelled'
    | 'element.failed'
    | 'flow.taken'
    | 'timer.fired';
  elementId: string;
  elementType: string | null;
  executionId: string | null;
  payload: Record<string, unknown> | null;
}

/** Everything one command needs to persist, computed without touching storage. */
export interface RunOutcome {
  /** `failed`: a BPMN error reached the process uncaught (see {@link RunOutcome.failure}). */
  status: 'running' | 'completed' | 'failed';
  /** The uncaught BPMN error that failed the instance in this run. */
  failure?: UncaughtError;
  /** The engine state without the XML source (null once completed). Opaque to everyone but this module. */
  state: EngineSnapshot | null;
  variables: Record<string, unknown>;
  /** Keys whose value changed in this run, with the new values. */
  changedVariables: Record<string, unknown>;
  createdTasks: CreatedUserTask[];
  /** Execution ids of every user task still waiting after the run. */
  waitingTaskExecutionIds: string[];
  /** Execution ids of user tasks that ended (were completed) during the run. */
  endedTaskExecutionIds: string[];
  /** Element ids of every activity that still holds a token (user tasks, timers, catch events). */
  activeElementIds: string[];
  timers: PendingTimer[];
  /** True when the run saw any timer (armed, re-announced on resume, or fired): timer rows need syncing. */
  touchedTimers: boolean;
  /** BPMN type of each element that armed a timer in this run. */
  elementTypes: Record<string, string>;
  events: ObservedEvent[];
  /** Call activities that started waiting in this run (see engine/calls). */
  calls: CalledActivity[];
  /** Execution ids of every call activity still waiting after the run. */
  waitingCallExecutionIds: string[];
  /** The error an error end event threw that nothing caught in this run (a child hands it to its call activity). */
  uncaughtError: ThrownError | null;
  /** The still-running engine, for {@link InstanceRunner.keep} once the command committed. */
  live?: LiveEngine;
  /** Message and signal catches waiting after the run; undefined when the definition has none (nothing to sync). */
  subscriptions?: WaitingSubscription[];
  /** Messages and signals thrown in this run (delivered through the outbox after commit). */
  thrown?: ThrownEvent[];
  /** External tasks waiting after the run; undefined when the definition has none (engine/external-tasks). */
  externalTasks?: WaitingExternalTask[];
}

/** A running engine kept between commands of one instance (opaque outside this module). */
export interface LiveEngine {
  readonly definitionId: string;
}

interface LiveEngineInternal extends LiveEngine {
  engine: Engine;
  /** The definition version's parsed model (what {@link liveEngineBytes} sizes the engine by). */
  sourceContext: unknown;
  timers: DurableTimers;
  listener: EngineEvents;
  /** The armed event sub-process timer starts (see event-subprocess-timers.ts). */
  eventTimers: PendingTimer[];
  eventStarts: readonly EventSubProcessTimerStart[];
  /** Loop variables, locals and live process variables of this engine (scopes.ts). */
  scopes: ScopeRuntime;
  /** Conditional event sub-process starts and the last value of each condition (conditional-events.ts). */
  conditionalStarts: readonly ConditionalEventSubProcessStart[];
  conditions: Record<string, boolean>;
  /** What the definition catches and throws (messages, signals). */
  catalog: MessagingCatalog;
  serviceFailures: ServiceFailures;
  /** Triggers of running non-interrupting event sub-processes, run one after another (event-subprocess-queue.ts). */
  startQueue: QueuedEventStart[];
  externalTasks: ExternalTaskRuntime;
}

/**
 * The persisted engine state, versioned so a future engine can refuse or migrate it. Schema 1
 * holds bpmn-engine's state as getState() gives it; schema 2 (written since) holds it in the
 * compact encoding of persistence/compact-state.ts, against the definition's dictionary whose
 * fingerprint it names. Both are read.
 */
export interface EngineSnapshot {
  schemaVersion: 1 | 2;
  engineVersion: string;
  state: unknown;
  /** Schema 2: the fingerprint of the definition's dictionary the state was encoded with. */
  dictionary?: string;
  /** Armed event sub-process timer starts, which the runner keeps beside the engine's state. */
  eventTimers?: StoredEventTimer[];
  /** Last value of each conditional event sub-process start condition, by start event id. */
  conditions?: Record<string, boolean>;
  /** Queued starts of running non-interrupting event sub-processes (event-subprocess-queue.ts). */
  eventStartQueue?: QueuedEventStart[];
}

/** Identity of the instance a run belongs to. */
export interface RunContext {
  instanceId: string;
  businessKey: string | null;
}

/** What a command may do to the engine once it has resumed. */
export interface EngineHandle {
  /** True when `executionId` is an activity waiting for a signal (a user task, receive task...). */
  isWaiting(executionId: string): boolean;
  /** Completes the waiting activity, handing it the submitted variables. */
  signal(executionId: string, variables: Record<string, unknown>): void;
  /** Fires an armed timer now; false when it is not armed (already fired or cancelled). */
  fireTimer(executionId: string): boolean;
  /** The armed timers. */
  timers(): PendingTimer[];
  /** Sets process variables (merged). */
  setVariables(variables: Record<string, unknown>): void;
  /** Raises a BPMN error with `code` on a waiting call activity (its child ended with an uncaught error end event). */
  failCall(executionId: string, error: { code: string | null; message: string }): boolean;
  /**
   * Delivers a message or signal to the waiting catch `executionId` (or to an event sub-process
   * start, `<startEventId>:esm`), merging its variables into the process variables; false when
   * nothing waits there any more.
   */
  deliver(executionId: string, payload: EventPayload): boolean;
  /**
   * Decides the message/signal start events of a new instance: `elementId` is delivered `payload`,
   * the others are discarded. With `elementId` null (started by hand) they are discarded when the
   * process has other start events, else the first one fires at once.
   */
  startEvents(elementId: string | null, payload: EventPayload | null): void;
  /** Completes a waiting external task or throws a BPMN error from it; false when it no longer waits (engine/external-tasks). */
  externalTask(executionId: string, action: ExternalTaskAction): boolean;
}

/** Options of {@link InstanceRunner.resume}. */
export interface ResumeOptions {
  /**
   * Timers to move, by timer execution id, to a new expiry on the REAL clock (the host converts
   * from its clock). The engine keeps each armed timer's expiry inside its state and fires an
   * overdue timer by itself when it resumes; moving the database job alone would let a resume
   * after the old expiry fire the timer early.
   */
  rearm?: ReadonlyMap<string, Date>;
  /**
   * The revision of the locked instance row. When this process still holds the engine that
   * produced exactly that revision, it is reused instead of recovered from the snapshot.
   */
  revision?: number;
  /** The service task execution a retry job re-runs: its handler failing fails the command (service-retry.ts). */
  retryService?: string;
}

const SNAPSHOT_SCHEMA = 2 as const;

/** Names bpmn-elements writes into the process variables itself (see readVariables). */
export const ENGINE_VARIABLES: ReadonlySet<string> = new Set(['fields', 'content', 'properties']);

/* eslint-disable @typescript-eslint/no-explicit-any -- bpmn-engine's typings are loose; this file is the anti-corruption layer. */

/**
 * Runs bpmn-engine for one command: build a fresh engine from the cached definition context,
 * start it or recover it from a snapshot, resume, apply the command, and run until every token
 * waits or the process ends. Pure with respect to storage: the caller persists the outcome in
 * its transaction. Engines are never reused or kept; timers are durable (see DurableTimers).
 */
export class InstanceRunner {
  constructor(
    private readonly handlers: ServiceHandlerRegistry,
    private readonly clock: Clock = systemClock,
    private readonly timeZone = 'UTC',
    private readonly liveLimit = 64,
    /** Business calendars of SLA clocks (`itsm:pauseSla`, engine/sla/sla-pause.ts). */
    private readonly calendars?: CalendarLookup,
    /** Memory budget of the kept engines, in bytes as {@link liveEngineBytes} estimates them. */
    private readonly liveBytesLimit = DEFAULT_LIVE_ENGINE_BYTES,
    /** A kept engine not used again for this long (ms of real time) is dropped; 0 keeps it until evicted. */
    private readonly liveIdleMs = DEFAULT_LIVE_ENGINE_IDLE_MS,
  ) {}

  /** Told, on every resume, whether this process still held the instance's engine (warm) or recovered it from the snapshot. */
  onResume: ((warm: boolean) => void) | null = null;

  /**
   * Engines kept after a committed command, by instance, with the revision they produced and their
   * estimated size. Taken out while a command uses one, so a failed command simply drops it.
   * Bounded (least recently kept goes first) by count and by memory: an engine's heap grows with
   * its diagram (see {@link liveEngineBytes}); and by idle time (`liveIdleMs`): an engine whose
   * instance had no command for that long is dropped, so a burst of work does not leave its
   * engines in the heap for good (the map's order is the order of keeping, so the idle ones are first).
   */
  private readonly live = new Map<string, { revision: number; entry: LiveEngineInternal; bytes: number; keptAt: number }>();
  private liveBytes = 0;
  /** Drops the idle engines of a process that gets no more commands (unref'd: never keeps the process alive). */
  private idleSweep: ReturnType<typeof setTimeout> | null = null;

  /** Keeps a committed command's engine for the instance's next command (call after commit). */
  keep(instanceId: string, revision: number, live: LiveEngine | undefined): void {
    if (!live || this.liveLimit <= 0) return;
    this.forget(instanceId);
    const entry = live as LiveEngineInternal;
    const bytes = liveEngineBytes(entry.sourceContext);
    if (bytes > this.liveBytesLimit) return;
    this.live.set(instanceId, { revision, entry, bytes, keptAt: performance.now() });
    this.liveBytes += bytes;
    while (this.live.size > this.liveLimit || this.liveBytes > this.liveBytesLimit) this.forget(this.live.keys().next().value!);
    this.dropIdle();
  }

  /** The kept engines: how many, and their estimated bytes. */
  liveEngines(): { count: number; bytes: number } {
    this.dropIdle();
    return { count: this.live.size, bytes: this.liveBytes };
  }

  /** Forgets the engines kept longer than `liveIdleMs` ago, and arms the sweep for the oldest one left. */
  private dropIdle(): void {
    if (this.liveIdleMs <= 0) return;
    const now = performance.now();
    for (const [instanceId, kept] of this.live) {
      if (now - kept.keptAt < this.liveIdleMs) break;
      this.forget(instanceId);
    }
    const oldest = this.live.values().next().value;
    if (!oldest || this.idleSweep) return;
    this.idleSweep = setTimeout(() => {
      this.idleSweep = null;
      this.dropIdle();
    }, Math.max(0, oldest.keptAt + this.liveIdleMs - now) + 50);
    this.idleSweep.unref?.();
  }

  /** A command that did not touch the engine (claim, unclaim) moved the revision on. */
  bump(instanceId: string, from: number, to: number): void {
    const kept = this.live.get(instanceId);
    if (kept?.revision === from) kept.revision = to;
  }

  forget(instanceId: string): void {
    const kept = this.live.get(instanceId);
    if (!kept) return;
    this.live.delete(instanceId);
    this.liveBytes -= kept.bytes;
  }

  private take(instanceId: string, revision: number, definitionId: string): LiveEngineInternal | null {
    this.dropIdle();
    const kept = this.live.get(instanceId);
    if (!kept) return null;
    this.forget(instanceId);
    return kept.revision === revision && kept.entry.definitionId === definitionId ? kept.entry : null;
  }

  /** Starts a new instance and runs it to its first wait states. */
  async start(
    definition: RunnableDefinition,
    ctx: RunContext,
    variables: Record<string, unknown>,
    action?: (engine: EngineHandle) => void,
  ): Promise<RunOutcome> {
    const { engine, timers, scopes, serviceFailures, externalTasks } = this.newEngine(definition, ctx);
    const recorder = new Recorder(this.clock, undefined, scopes);
    pruneLeftScopes(recorder.listener, () => engine);
    interruptOnEventSubProcess(recorder.listener, () => engine, definition.sourceContext, (api) => recorder.cancelled(api, 'interrupted by an event sub-process'));
    const live: LiveEngineInternal = {
      engine,
      timers,
      scopes,
      listener: recorder.listener,
      definitionId: definition.id,
      sourceContext: definition.sourceContext,
      serviceFailures,
      externalTasks,
      eventTimers: [],
      eventStarts: eventSubProcessTimerStarts(definition.sourceContext),
      conditionalStarts: conditionalEventSubProcessStarts(definition.sourceContext),
      conditions: {},
      catalog: messagingCatalog(definition.sourceContext),
      startQueue: [],
    };
    watchEventStartQueue(recorder.listener, () => live.startQueue, () => mainProcess(engine));
    let quiet = untilQuiescent(engine as any, recorder.listener);
    try {
      await engine.execute({ listener: recorder.listener, variables: structuredClone(variables) } as any);
      leanEnd(engine);
      let how = await quiet;
      if (how !== 'end' && live.eventStarts.length) {
        const data = readVariables(engine);
        live.eventTimers = armEventTimers(live.eventStarts, (value) => evaluateExpression(value, data, { onError: failTimer }), this.clock, this.timeZone);
        recorder.eventTimersChanged(live.eventTimers);
      }
      if (action && how !== 'end') {
        quiet = untilQuiescent(engine as any, recorder.listener);
        action(this.handleFor(live, recorder));
        how = await quiet;
      }
      how = await this.settle(live, recorder, how);
      // Over budget: fail now, before the outcome serialises what may be a huge engine (a fan-out).
      stopIfOverBudget();
      return overBudget(await this.outcome(live, recorder, how, variables));
    } catch (error) {
      throw currentBudget()?.violation ?? processFailed(error);
    } finally {
      recorder.detach();
    }
  }

  /**
   * Recovers an instance from its snapshot, resumes it (overdue timers fire here), then applies
   * `action`. `action` returns false when the command does not apply to the current state (the
   * task is no longer waiting): the run then ends with `EngineError(TaskNotOpen)`.
   */
  async resume(
    definition: RunnableDefinition,
    ctx: RunContext,
    snapshot: EngineSnapshot,
    action?: (engine: EngineHandle) => boolean,
    options: ResumeOptions = {},
  ): Promise<RunOutcome> {
    if (snapshot.schemaVersion !== SNAPSHOT_SCHEMA && snapshot.schemaVersion !== 1) {
      throw new EngineError(EngineErrorCode.ProcessFailed, `unsupported snapshot schema ${String(snapshot.schemaVersion)}`);
    }
    const reused = options.revision !== undefined && !options.rearm && !options.retryService ? this.take(ctx.instanceId, options.revision, definition.id) : null;
    const live: LiveEngineInternal = reused ?? {
      ...this.newEngine(definition, ctx),
      listener: new EngineEvents(),
      definitionId: definition.id,
      sourceContext: definition.sourceContext,
      eventTimers: loadEventTimers(snapshot.eventTimers),
      eventStarts: eventSubProcessTimerStarts(definition.sourceContext),
      conditionalStarts: conditionalEventSubProcessStarts(definition.sourceContext),
      conditions: { ...snapshot.conditions },
      catalog: messagingCatalog(definition.sourceContext),
      startQueue: loadEventStartQueue(snapshot.eventStartQueue),
    };
    this.onResume?.(reused !== null);
    const { engine, timers } = live;
    live.serviceFailures.failed.clear();
    live.serviceFailures.retrying = options.retryService ?? null;
    const recorder = new Recorder(this.clock, live.listener, live.scopes);
    pruneLeftScopes(recorder.listener, () => engine);
    interruptOnEventSubProcess(recorder.listener, () => engine, definition.sourceContext, (api) => recorder.cancelled(api, 'interrupted by an event sub-process'));
    watchEventStartQueue(recorder.listener, () => live.startQueue, () => mainProcess(engine));
    if (options.rearm?.size) this.rearmEventTimers(live, recorder, options.rearm);
    let before: Record<string, unknown> = {};
    try {
      let how: Quiescence;
      if (reused) {
        // Already running: what a resume would re-announce is live, and what a resume would fire
        // (timers overdue on the real clock) fires now, in due order.
        for (const a of waitingActivities(engine)) recorder.markLive(a.executionId);
        // A resume would re-announce armed timers; the host must then sync their rows.
        if (timers.pending().length) recorder.touchedTimers = true;
        how = 'wait';
        for (const timer of timers.overdue(Date.now())) {
          const quiet = untilQuiescent(engine as any, recorder.listener);
          if (timers.fire(timer)) how = await quiet;
          if (how === 'end') break;
        }
      } else {
        // The snapshot was just read from the database: the engine may take its state as is.
        engine.recover(snapshotState(snapshot, definition.sourceContext) as any);
        leanEnd(engine);
        const quiet = untilQuiescent(engine as any, recorder.listener);
        await engine.resume({ listener: recorder.listener } as any);
        how = await quiet;
      }
      before = structuredClone(readVariables(engine));
      if (action && how !== 'end') {
        const quiet = untilQuiescent(engine as any, recorder.listener);
        recorder.acting = true;
        const applied = action(this.handleFor(live, recorder));
        if (!applied) throw new EngineError(EngineErrorCode.TaskNotOpen, 'the task is no longer waiting in the process');
        how = await quiet;
      }
      how = await this.settle(live, recorder, how);
      stopIfOverBudget();
      return overBudget(await this.outcome(live, recorder, how, before, options.rearm));
    } catch (error) {
      throw currentBudget()?.violation ?? processFailed(error);
    } finally {
      recorder.detach();
    }
  }

  /**
   * Hands each start event that runs again inside its event sub-process its queued trigger, one
   * after another, until none waits (event-subprocess-queue.ts).
   */
  private async drainStartQueue(live: LiveEngineInternal, recorder: Recorder, how: Quiescence): Promise<Quiescence> {
    while (how !== 'end') {
      const process = mainProcess(live.engine);
      // A start event already running again inside its event sub-process, else a queued start
      // whose event sub-process ended meanwhile (while other tokens ran): it starts afresh.
      const next = live.startQueue.find((q) => q.armed) ?? live.startQueue.find((q) => !process?.getActivityById(q.subProcessId)?.isRunning);
      if (!next) break;
      live.startQueue = live.startQueue.filter((q) => q !== next);
      const quiet = untilQuiescent(live.engine as any, live.listener);
      if (!next.armed) process?.getActivityById(next.subProcessId)?.run();
      const inner = waitingInnerStart(process, next.subProcessId, next.startEventId);
      if (!inner) {
        how = await quiet;
        continue;
      }
      if (next.kind === 'timer') {
        // Its `timer.fired` was recorded (with `queued`) when the job fired: not a second time.
        const timer = live.timers.pending().find((t) => t.elementId === next.startEventId);
        recorder.queuedTimerRuns.add(next.startEventId);
        if (!timer || !live.timers.fire(timer.executionId)) {
          recorder.queuedTimerRuns.delete(next.startEventId);
          inner.discard();
        }
      } else {
        const start = live.catalog.eventStarts.find((s) => s.elementId === next.startEventId);
        const payload = next.payload!;
        setVariables(live.engine, payload.variables);
        inner.signal({ id: start?.refId, name: payload.name, correlationKey: payload.correlationKey, variables: payload.variables });
      }
      how = await quiet;
    }
    return how;
  }

  /**
   * What runs once the command's own steps have settled: queued event sub-process starts, then
   * conditional events, then timers that were already due when an event-based gateway reached
   * them; again while one of them moved a token.
   */
  private async settle(live: LiveEngineInternal, recorder: Recorder, how: Quiescence): Promise<Quiescence> {
    for (;;) {
      how = await this.drainStartQueue(live, recorder, how);
      how = await this.settleConditions(live, recorder, how);
      const arrived = how === 'end' ? [] : live.timers.takeArrived();
      if (!arrived.length) return how;
      for (const executionId of arrived) {
        const quiet = untilQuiescent(live.engine as any, live.listener);
        if (live.timers.fire(executionId)) how = await quiet;
        if (how === 'end') return how;
      }
    }
  }

  /** Re-evaluates the conditional events once the command's run has settled (conditional-events.ts). */
  private settleConditions(live: LiveEngineInternal, recorder: Recorder, how: Quiescence): Promise<Quiescence> {
    return settleConditionalEvents(
      {
        engine: live.engine,
        events: live.listener,
        starts: live.conditionalStarts,
        lastValues: live.conditions,
        variables: () => readVariables(live.engine),
        waiting: () => flatten((live.engine.execution?.getPostponed() ?? []) as any[]),
        interrupt: (subProcessId, start) => {
          const process = mainProcess(live.engine);
          const others = (process.getPostponed() as any[]).filter((a) => a.id !== subProcessId && !a.content?.isSequenceFlow);
          start();
          abandonJoinTokens(process.getActivities());
          for (const cancelled of flatten(others)) recorder.cancelled(cancelled);
          for (const api of others) api.discard();
          if (live.eventTimers.length) recorder.eventTimersChanged((live.eventTimers = []));
        },
      },
      how,
    );
  }

  /** `rearm` moves event sub-process timers too (it is on the real clock; they are on ours). */
  private rearmEventTimers(live: LiveEngineInternal, recorder: Recorder, rearm: ReadonlyMap<string, Date>): void {
    if (!live.eventTimers.some((t) => rearm.has(t.executionId))) return;
    live.eventTimers = live.eventTimers.map((t) => {
      const due = rearm.get(t.executionId);
      return due ? { ...t, dueAt: new Date(due.getTime() + this.clock.offsetMs()) } : t;
    });
    recorder.eventTimersChanged(live.eventTimers);
  }

  private handleFor(live: LiveEngineInternal, recorder: Recorder): EngineHandle {
    return {
      ...engineHandle(
        live.engine,
        live.timers,
        (executionId) => this.fireEventTimer(live, recorder, executionId),
        () => live.eventTimers,
      ),
      deliver: (executionId, payload) => this.deliverEvent(live, recorder, executionId, payload),
      startEvents: (elementId, payload) => decideStartEvents(live, elementId, payload),
      externalTask: (executionId, action) => live.externalTasks.act(executionId, action),
    };
  }

  /**
   * Delivers a message or signal to one waiting catch. A non-interrupting message or signal
   * boundary event is re-armed first (bpmn-elements fires it once: ENGINE_NOTES §1), the way
   * bpmn-elements re-arms a timer cycle boundary (`execute.repeat`), so it catches every message
   * while its activity runs. An event sub-process start runs the event sub-process; an
   * interrupting one first cancels every other token of the process.
   */
  private deliverEvent(live: LiveEngineInternal, recorder: Recorder, executionId: string, payload: EventPayload): boolean {
    const message = { id: undefined as string | undefined, name: payload.name, correlationKey: payload.correlationKey, variables: payload.variables };
    const startId = eventStartElementId(executionId);
    if (startId) {
      const start = live.catalog.eventStarts.find((s) => s.elementId === startId);
      const process = mainProcess(live.engine);
      const subProcess = start && process?.getActivityById(start.eventSubProcess!.subProcessId);
      if (!start || !subProcess) return false;
      if (subProcess.isRunning) {
        // One execution per activity (bpmn-elements): queue it, it runs when the running one ends.
        if (start.eventSubProcess!.interrupting) return false;
        live.startQueue.push({ subProcessId: subProcess.id, startEventId: start.elementId, kind: payload.kind, payload: structuredClone(payload) });
        return true;
      }
      setVariables(live.engine, payload.variables);
      const interrupting = start.eventSubProcess!.interrupting;
      const others = interrupting ? (process.getPostponed() as any[]).filter((a) => a.id !== subProcess.id && !a.content?.isSequenceFlow) : [];
      subProcess.run();
      if (interrupting) {
        for (const cancelled of flatten(others)) recorder.cancelled(cancelled);
        for (const api of others) api.discard();
        if (live.eventTimers.length) recorder.eventTimersChanged((live.eventTimers = []));
      }
      const inner = flatten(process.getPostponed() as any[]).find((a) => a.id === start.elementId);
      inner?.signal({ ...message, id: start.refId });
      return true;
    }
    const api = flatten((live.engine.execution?.getPostponed() ?? []) as any[]).find((a) => a.executionId === executionId);
    const entry = api && live.catalog.catches.get(api.id);
    if (!api || !entry) return false;
    setVariables(live.engine, payload.variables);
    if (entry.boundary && !entry.boundary.interrupting) api.owner.broker.publish('execution', 'execute.repeat', { ...api.content, repeat: -1 });
    api.signal({ ...message, id: entry.refId });
    return true;
  }

  /**
   * Fires an armed event sub-process timer start: runs the event sub-process and fires its start
   * event at once; an interrupting start first cancels every other token of the process. Null
   * when `executionId` is not an event sub-process timer (an engine timer then), false when it
   * is no longer armed.
   */
  private fireEventTimer(live: LiveEngineInternal, recorder: Recorder, executionId: string): boolean | null {
    if (!isEventTimerExecutionId(executionId)) return null;
    const armed = live.eventTimers.find((t) => t.executionId === executionId);
    if (!armed) return false;
    live.eventTimers = live.eventTimers.filter((t) => t !== armed);
    const start = live.eventStarts.find((s) => s.elementId === armed.elementId);
    const process = mainProcess(live.engine);
    const subProcess = start && process?.getActivityById(start.subProcessId);
    if (!start || !subProcess) {
      recorder.eventTimersChanged(live.eventTimers);
      return false;
    }
    if (subProcess.isRunning) {
      // bpmn-engine runs one execution of an activity at a time: queued, it runs when the running one ends.
      recorder.eventTimerFired(armed, { queued: 'the event sub-process is still running: it runs again when this run ends' });
      live.startQueue.push({ subProcessId: start.subProcessId, startEventId: start.elementId, kind: 'timer', timerExecutionId: armed.executionId });
    } else {
      const others = start.interrupting ? (process.getPostponed() as any[]).filter((a) => a.id !== start.subProcessId && !a.content?.isSequenceFlow) : [];
      recorder.aliasTimer(start.elementId, armed.executionId);
      subProcess.run();
      if (start.interrupting) {
        abandonJoinTokens(process.getActivities());
        for (const cancelled of flatten(others)) recorder.cancelled(cancelled);
        for (const api of others) api.discard();
        live.eventTimers = []; // the interrupted scope's other event sub-process timers go too
      }
      // The start event armed its own engine timer: fire it now, the job was the real timer.
      const inner = live.timers.pending().find((t) => t.elementId === start.elementId);
      if (!inner || !live.timers.fire(inner.executionId)) recorder.eventTimerFired(armed, null);
    }
    if (!start.interrupting) {
      const next = nextEventTimer(start, armed, this.clock, this.timeZone);
      if (next) live.eventTimers = [...live.eventTimers, next];
    }
    recorder.eventTimersChanged(live.eventTimers);
    return true;
  }

  private newEngine(
    definition: RunnableDefinition,
    ctx: RunContext,
  ): { engine: Engine; timers: DurableTimers; scopes: ScopeRuntime; serviceFailures: ServiceFailures; externalTasks: ExternalTaskRuntime } {
    const timers = new DurableTimers(this.clock);
    const scopes = new ScopeRuntime(() => mainProcess(engine)?.environment?.variables);
    const serviceFailures = new ServiceFailures();
    const externalTasks = new ExternalTaskRuntime(hasExternalTasks(definition.sourceContext));
    const engine: Engine = new Engine({
      name: ctx.instanceId,
      sourceContext: engineSource(definition.sourceContext) as any,
      moddleOptions: moddleExtensions as any,
      expressions: scopes.expressions(createEngineExpressions()) as any,
      // Diagram scripts never run: script tasks are refused at deploy and this stub makes sure.
      scripts: { register: () => undefined, getScript: () => undefined } as any,
      extensions: {
        // Steps with nothing to format skip the formatting round (quick-format.ts); adds no listener.
        itsmQuickFormat: quickFormat,
        // The first listener: an element over budget never reaches the other extensions' work.
        itsmBudget: budgetSteps,
        // Dead paths nothing reads are not propagated (dead-paths.ts).
        itsmDeadPaths: pruneDeadPaths,
        ...createExtensions({
        instanceId: ctx.instanceId,
        businessKey: ctx.businessKey,
        handlers: this.handlers,
        clock: this.clock,
        timeZone: this.timeZone,
        processVariables: () => mainProcess(engine)?.environment?.variables,
        scopes,
        sourceContext: definition.sourceContext,
        serviceFailures,
        calendars: this.calendars,
        externalTasks,
      }),
      } as any,
      timers: timers as any,
      // Our gateway joins (runtime/elements); the cached sourceContext already carries them.
      elements: elementOverrides as any,
      // batchSize: a parallel multi-instance starts all its instances at once (bpmn-elements
      // starts 50 and the next 50 only when all of those ended); scopes.ts caps the count.
      settings: { disableTrackState: true, batchSize: scopes.maxInstances },
      // bpmn-engine's default logger builds a `debug` instance per element and engine, which
      // costs measurable CPU per command; the host logs what matters from the outcome.
      Logger: silentLogger,
    } as any);
    // An engine error nobody listens for any more (the command's run already ended, e.g. over
    // budget) is emitted as 'error': without a listener that would throw out of the event loop.
    engine.on('error', () => undefined);
    return { engine, timers, scopes, serviceFailures, externalTasks };
  }

  private async outcome(
    live: LiveEngineInternal,
    recorder: Recorder,
    how: Quiescence,
    before: Record<string, unknown>,
    rearm?: ReadonlyMap<string, Date>,
  ): Promise<RunOutcome> {
    const { engine, timers } = live;
    const failure = recorder.errors.uncaught();
    // An uncaught error ends the instance whatever else still holds a token (ErrorWatch).
    if (failure) recorder.touchedTimers = true;
    const completed = how === 'end' || failure !== null;
    const variables = structuredClone(readVariables(engine));
    const postponed = completed ? [] : waitingActivities(engine);
    const retries = live.serviceFailures.retryTimers(new Set(postponed.map((a) => a.executionId)), this.clock.now());
    if (retries.length) recorder.servicesFailed([...live.serviceFailures.failed.values()].filter((f) => retries.some((r) => r.executionId === f.executionId)));
    const state = completed ? null : stripSource(await engine.getState());
    if (state && rearm?.size) rearmTimers(state, rearm);
    // The ended process takes its armed event sub-process timers with it.
    if (completed && live.eventTimers.length) recorder.eventTimersChanged((live.eventTimers = []));
    // Queued starts of an event sub-process that no longer runs (interrupted, terminated) go with it.
    live.startQueue = completed ? [] : live.startQueue.filter((q) => mainProcess(engine)?.getActivityById(q.subProcessId)?.isRunning);
    const catalog = live.catalog;
    return {
      subscriptions: catalog.catches.size ? waitingSubscriptions(catalog, postponed, variables, completed) : undefined,
      thrown: thrownEvents(catalog, recorder.events, variables),
      externalTasks: live.externalTasks.waiting(new Set(postponed.map((a) => a.executionId))),
      status: failure ? 'failed' : completed ? 'completed' : 'running',
      ...(failure ? { failure } : {}),
      state:
        state === null
          ? null
          : {
              schemaVersion: SNAPSHOT_SCHEMA,
              engineVersion: String((state as any).engineVersion ?? ''),
              state: encodeState(state, dictionaryOf(live.sourceContext)),
              dictionary: dictionaryOf(live.sourceContext).fingerprint,
              ...(live.eventTimers.length ? { eventTimers: storeEventTimers(live.eventTimers) } : {}),
              ...(Object.keys(live.conditions).length ? { conditions: { ...live.conditions } } : {}),
              ...(live.startQueue.length ? { eventStartQueue: structuredClone(live.startQueue) } : {}),
            },
      variables,
      changedVariables: diff(before, variables),
      createdTasks: recorder.createdTasks,
      waitingTaskExecutionIds: postponed.filter((a) => a.type === 'bpmn:UserTask').map((a) => a.executionId),
      endedTaskExecutionIds: recorder.endedTasks,
      activeElementIds: completed ? [] : activeElementIds(engine),
      timers: completed ? [] : [...timers.pending(), ...live.eventTimers, ...retries],
      touchedTimers: recorder.touchedTimers,
      elementTypes: recorder.elementTypes,
      events: recorder.events,
      calls: recorder.calls,
      waitingCallExecutionIds: postponed.filter((a) => a.type === 'bpmn:CallActivity').map((a) => a.executionId),
      uncaughtError: recorder.callErrors.uncaught(),
      // An engine whose state was edited (re-armed timers) no longer matches what it holds in memory.
      // A failed service task must be re-invoked by the next recover, so its engine is not kept.
      live: completed || rearm?.size || retries.length ? undefined : live,
    };
  }
}

const noop = () => undefined;
const silentLogger = () => ({ debug: noop, error: noop, warn: noop });

/** Collects history facts and new user tasks from the engine's listener events. */
class Recorder {
  readonly events: ObservedEvent[] = [];
  readonly createdTasks: CreatedUserTask[] = [];
  readonly endedTasks: string[] = [];
  readonly elementTypes: Record<string, string> = {};
  readonly calls: CalledActivity[] = [];
  /** Uncaught error end events, as a child hands them to its call activity (calls/call-extension.ts). */
  readonly callErrors: ErrorWatcher;
  readonly errors: ErrorWatch;
  touchedTimers = false;
  /** Set when the command's action runs: what follows is no re-announcement. */
  acting = false;
  /** Executions that really ran: started in this run or re-announced on resume. */
  private readonly live = new Set<string>();
  /** Start event id → the event sub-process timer job's execution id its next firing belongs to. */
  private readonly timerAliases = new Map<string, string>();
  /** Start events whose engine timer fires for a queued event sub-process start (event-subprocess-queue.ts). */
  readonly queuedTimerRuns = new Set<string>();
  /** Throw and end events recorded as completed when they throw (throw-completion.ts). */
  private readonly throws = new ThrowCompletions();

  constructor(
    private readonly clock: Clock,
    readonly listener: EngineEvents = new EngineEvents(),
    private readonly scopes?: ScopeRuntime,
  ) {
    this.errors = new ErrorWatch(this.listener);
    const on = (event: string, fn: (api: any) => void) => this.listener.on(event, fn);
    // Each multi-instance instance / loop iteration is its own activity instance (loop-history.ts).
    if (scopes) {
      scopes.iterationSink = (fact) => {
        // Recorded once (an interrupting event sub-process records what it cancels itself).
        if (fact.type === 'element.cancelled' && !this.live.delete(fact.executionId!) && this.events.some((e) => e.type === fact.type && e.executionId === fact.executionId)) return;
        this.events.push(fact);
      };
    }
    on('activity.start', (api) => {
      // A link catch event starts with the process and waits there unreached (active-elements.ts).
      if (isLinkCatch(api)) return;
      this.live.add(api.executionId);
      this.throws.started(api);
      this.push('element.started', api, api.content?.isMultiInstance ? { multiInstanceBody: true } : null);
    });
    on('activity.wait', (api) => {
      this.live.add(api.executionId);
      // resume() re-announces waiting activities; only the first announcement is a new fact.
      // Once the command acts, a wait is new even if flagged recovered (a loop's next iteration
      // copies the flag from its recovered activity).
      if ((api.content?.isRecovered && !this.acting) || isLinkCatch(api)) return;
      this.push('element.waiting', api);
      if (api.type === 'bpmn:UserTask') {
        currentBudget()?.task(api.id);
        // Each iteration of a looped task has its own metadata (loopCounter, element variable).
        const { meta, name } = userTaskAtWait(api, this.scopes);
        this.createdTasks.push({ ...(meta as UserTaskMeta), executionId: api.executionId, elementId: api.id, name });
      }
    });
    on('activity.call', (api) => {
      this.live.add(api.executionId);
      if (api.content?.isRecovered) return;
      this.push('element.waiting', api);
      this.calls.push({ executionId: api.executionId, elementId: api.id, call: api.content?.itsmCall ?? null });
    });
    this.callErrors = new ErrorWatcher(on);
    for (const event of THROW_COMPLETIONS) on(event, (api) => this.thrown(this.throws.threw(api)));
    on('activity.catch', (api) => this.thrown(this.throws.caught(api)));
    on('activity.end', (api) => {
      if (isLinkCatch(api)) this.thrown(this.throws.linkCaught(api));
      if (this.throws.recorded(api.executionId)) return;
      if (isLinkCatch(api)) this.push('element.started', api);
      // A looped activity's own end (its instances are recorded each with its loopCounter: loop-history.ts).
      this.push('element.completed', api, api.content?.isMultiInstance ? { multiInstanceBody: true } : null);
      if (api.type === 'bpmn:UserTask') this.endedTasks.push(api.executionId);
    });
    // Dead-path elimination discards every element of an untaken branch; only an element that
    // was actually running (e.g. a task interrupted by a boundary event) is cancelled.
    on('activity.discard', (api) => {
      if (this.live.delete(api.executionId)) this.push('element.cancelled', api);
    });
    on('activity.error', (api) => this.push('element.failed', api, { message: String(api.content?.error?.message ?? 'error') }));
    // `timer.scheduled` is recorded by the host when it stores the timer job (with its due time).
    on('activity.timer', (api) => {
      this.live.add(api.executionId);
      this.touchedTimers = true;
      this.elementTypes[api.id] = api.type;
    });
    on('activity.timeout', (api) => {
      this.touchedTimers = true;
      if (this.queuedTimerRuns.delete(api.id)) return;
      const alias = this.timerAliases.get(api.id);
      if (alias) this.timerAliases.delete(api.id);
      this.push('timer.fired', alias ? { ...api, executionId: alias } : api, { firedAt: this.clock.now().toISOString() });
    });
    on('flow.take', (api) =>
      this.events.push({
        type: 'flow.taken',
        elementId: api.id,
        elementType: api.type ?? 'bpmn:SequenceFlow',
        executionId: null,
        payload: { sourceId: api.content?.sourceId ?? null, targetId: api.content?.targetId ?? null },
      }),
    );
  }

  markLive(executionId: string): void {
    this.live.add(executionId);
  }

  /** Service tasks whose handler failed and that wait for a retry job (service-retry.ts). */
  servicesFailed(failures: readonly ServiceFailure[]): void {
    this.touchedTimers = true;
    for (const f of failures) {
      this.elementTypes[f.elementId] = f.elementType;
      this.events.push({ type: 'element.failed', elementId: f.elementId, elementType: f.elementType, executionId: f.executionId, payload: { message: f.message, retry: true } });
    }
  }

  /** The armed event sub-process timers changed: the host must sync the instance's timer rows. */
  eventTimersChanged(armed: readonly PendingTimer[]): void {
    this.touchedTimers = true;
    for (const timer of armed) this.elementTypes[timer.elementId] = 'bpmn:StartEvent';
  }

  /** The next firing of start event `elementId` is the event sub-process timer `executionId`. */
  aliasTimer(elementId: string, executionId: string): void {
    this.timerAliases.set(elementId, executionId);
  }

  /** An event sub-process timer fired without its start event running (see `payload`). */
  eventTimerFired(timer: PendingTimer, payload: Record<string, unknown> | null): void {
    this.timerAliases.delete(timer.elementId);
    this.events.push({
      type: 'timer.fired',
      elementId: timer.elementId,
      elementType: 'bpmn:StartEvent',
      executionId: timer.executionId,
      payload: { firedAt: this.clock.now().toISOString(), ...payload },
    });
  }

  /** An activity cancelled by an interrupting event sub-process (recorded once). */
  cancelled(api: any, reason = 'interrupted by an event sub-process'): void {
    this.live.delete(api.executionId); // so its own discard event does not record it twice
    const loop = api.content?.isMultiInstance && !api.content.isRootScope && typeof api.content.index === 'number' ? { loopCounter: api.content.index } : {};
    this.push('element.cancelled', api, { reason, ...loop });
  }

  private thrown(thrower: Thrower | null): void {
    if (thrower) this.push('element.completed', thrower);
  }

  private push(type: ObservedEvent['type'], api: any, payload: Record<string, unknown> | null = null) {
    this.events.push({ type, elementId: api.id, elementType: api.type ?? null, executionId: api.executionId ?? null, payload });
  }

  detach() {
    if (this.scopes) this.scopes.iterationSink = undefined;
    this.listener.removeAllListeners();
  }
}

/** Message and signal start events of a new instance: the triggered one fires, the others go (see EngineHandle.startEvents). */
function decideStartEvents(live: LiveEngineInternal, elementId: string | null, payload: EventPayload | null): void {
  const waiting = flatten((live.engine.execution?.getPostponed() ?? []) as any[]).filter((a) => live.catalog.catches.get(a.id)?.processStart);
  const fire = elementId ?? (live.catalog.hasOtherStarts ? null : (waiting[0]?.id ?? null));
  for (const api of waiting) {
    const entry = live.catalog.catches.get(api.id)!;
    if (api.id === fire) api.signal({ id: entry.refId, name: entry.name, ...(payload ? { correlationKey: payload.correlationKey, variables: payload.variables } : {}) });
    else api.discard();
  }
}

/** What a command may do to the engine; timers include the event sub-process timer starts. */
function engineHandle(
  engine: Engine,
  timers: DurableTimers,
  fireEventTimer: (executionId: string) => boolean | null,
  eventTimers: () => PendingTimer[],
): Omit<EngineHandle, 'deliver' | 'startEvents' | 'externalTask'> {
  return {
    setVariables: (patch) => setVariables(engine, patch),
    isWaiting: (executionId) => waitingActivities(engine).some((a) => a.executionId === executionId),
    // Signalled on the activity itself, not through the process's api queue: a signal delivered
    // there holds that queue while the process runs on, so an error, escalation or compensation
    // thrown downstream (delegated through the same queue) arrives after its catcher is gone
    // (an error end event after a user task was ignored). See also runtime/scope-tracker.ts.
    signal: (executionId, variables) => signalActivity(engine, executionId, variables),
    fireTimer: (executionId) => fireEventTimer(executionId) ?? timers.fire(executionId),
    timers: () => [...timers.pending(), ...eventTimers()],
    failCall: (executionId, error) => {
      const api = flatten((engine.execution?.getPostponed() ?? []) as any[]).find((a) => a.executionId === executionId && a.type === 'bpmn:CallActivity');
      if (!api) return false;
      api.sendApiMessage('error', { message: error.message, code: error.code ?? undefined });
      return true;
    },
  };
}

function signalActivity(engine: Engine, executionId: string, variables: Record<string, unknown>): void {
  const target = flatten((engine.execution?.getPostponed() ?? []) as any[]).find((a) => a.executionId === executionId);
  if (target) target.signal({ executionId, variables });
  else engine.execution!.signal({ executionId, variables } as any);
}

/** Merges `patch` into the variables of the definition and of its processes. */
function setVariables(engine: Engine, patch: Record<string, unknown>): void {
  const definition = (engine.execution?.definitions ?? [])[0] as any;
  for (const environment of [definition?.environment, ...(definition?.getProcesses?.() ?? []).map((p: any) => p.environment)]) {
    if (environment?.variables) Object.assign(environment.variables, structuredClone(patch));
  }
}

/** Postponed activities, without the sequence-flow entries getPostponed() may include. */
function waitingActivities(engine: Engine): { id: string; type: string; executionId: string }[] {
  return flatten((engine.execution?.getPostponed() ?? []) as any[]).map((a) => ({ id: String(a.id), type: String(a.type), executionId: String(a.executionId) }));
}

/**
 * Postponed activity APIs and, inside running (event) sub-processes, theirs: a user task in an
 * embedded sub-process waits there, not in the process's own list.
 */
function flatten(apis: any[]): any[] {
  return flattenPostponed(apis);
}

/** The instance's process skips its teardown when it completes alone (lean-end.ts). */
function leanEnd(engine: Engine): void {
  skipTeardownAtEnd((engine.execution?.definitions ?? [])[0], mainProcess(engine));
}

/** The instance's process (the first executable process of the definitions). */
function mainProcess(engine: Engine): any {
  return ((engine.execution?.definitions ?? [])[0] as any)?.getProcesses?.()[0];
}

/**
 * The process variables. bpmn-elements also copies its execute message (`fields`, `content`,
 * `properties`) into the process variables; those are engine internals, not data.
 */
function readVariables(engine: Engine): Record<string, unknown> {
  const definition = (engine.execution?.definitions ?? [])[0] as any;
  const processes = definition?.getProcesses?.() ?? [];
  const variables = processes[0]?.environment?.variables ?? definition?.environment?.variables ?? {};
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(variables)) if (!ENGINE_VARIABLES.has(key)) result[key] = value;
  return result;
}

/**
 * The one place that edits engine state: the pending timer message of each execution id in
 * `rearm` gets its new expiry (and, for a date timer, its date), so the resumed engine arms it
 * for the new time. Covered by the SLA pause/resume tests.
 */
export function rearmTimers(state: unknown, rearm: ReadonlyMap<string, Date>): void {
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(visit);
    const record = node as Record<string, unknown>;
    const due = typeof record.executionId === 'string' && 'expireAt' in record ? rearm.get(record.executionId) : undefined;
    if (due) {
      record.expireAt = due.toISOString();
      if ('timeDate' in record) record.timeDate = due.toISOString();
    }
    for (const value of Object.values(record)) visit(value);
  };
  visit(state);
}

/**
 * Default memory budget of the kept engines of one process (WARM_ENGINE_MEMORY_MB in the server):
 * about 14 engines of the bench's 100-element flow, 23 of its change flow, 64 (the count limit) of a 13-element one.
 * It was 64 MiB; the engines are old-generation heap, which V8 lets grow to 1.5 × what is live
 * (HEAP_GROWTH_PERCENT), so each MiB of budget is 1.5 MiB of RSS at the peak.
 */
export const DEFAULT_LIVE_ENGINE_BYTES = 48 * 2 ** 20;

/**
 * Default idle time after which a kept engine is dropped (WARM_ENGINE_IDLE_SECONDS in the server).
 * A warm engine pays off for commands that follow each other (a client working through an
 * instance, an external worker, a timer due soon); an instance idle for longer waits for a person
 * or a later timer, and recovering its engine then costs one snapshot decode, while the engine
 * would hold 0.7–3.7 MB of heap meanwhile.
 */
export const DEFAULT_LIVE_ENGINE_IDLE_MS = 10_000;

/**
 * What a kept engine of a definition version holds, estimated from its diagram: bpmn-elements
 * builds every element of a running process, each activity with its own message broker (smqp
 * exchanges, queues and consumers), each sequence flow with a smaller one. Fitted on heap
 * measured per warm engine (`node --expose-gc dist/test/bench/engine-profile.js`, 2026-12-07:
 * 0.69 MB for 7 activities and 6 flows, 3.1 MB for the incident flow's 44 and 40, 3.3 MB for
 * 36 and 64), rounded up.
 */
const ENGINE_BASE_BYTES = 256 * 1024;
const ENGINE_ACTIVITY_BYTES = 48 * 1024;
const ENGINE_FLOW_BYTES = 24 * 1024;
const engineSizes = new WeakMap<object, number>();

export function liveEngineBytes(sourceContext: unknown): number {
  if (!sourceContext || typeof sourceContext !== 'object') return ENGINE_BASE_BYTES;
  let bytes = engineSizes.get(sourceContext);
  if (bytes === undefined) {
    const elements = (sourceContext as { elements?: { activities?: unknown[]; sequenceFlows?: unknown[] } }).elements;
    bytes = ENGINE_BASE_BYTES + (elements?.activities?.length ?? 0) * ENGINE_ACTIVITY_BYTES + (elements?.sequenceFlows?.length ?? 0) * ENGINE_FLOW_BYTES;
    engineSizes.set(sourceContext, bytes);
  }
  return bytes;
}

/** The source context each engine of a definition version gets (see {@link engineSource}). */
const engineSources = new WeakMap<object, object>();

/**
 * The definition's source context as its engines see it: the same parsed model, except that
 * `serialize()` answers nothing. bpmn-engine's getState() puts `serialize()` (JSON.stringify of
 * the whole model) into every state, which the snapshot never keeps (stripSource): each command
 * would serialise the diagram for nothing. recover() takes the model from the engine's
 * `sourceContext` when the state has no source, as it always does here.
 */
function engineSource(sourceContext: unknown): unknown {
  const key = sourceContext as object;
  let source = engineSources.get(key);
  if (!source) engineSources.set(key, (source = Object.create(key, { serialize: { value: () => undefined } }) as object));
  return source;
}

/** bpmn-engine's state from a snapshot of either schema. */
function snapshotState(snapshot: EngineSnapshot, sourceContext: unknown): unknown {
  if (snapshot.schemaVersion === 1) return snapshot.state;
  const dictionary = dictionaryOf(sourceContext);
  if (snapshot.dictionary !== dictionary.fingerprint) {
    throw new EngineError(EngineErrorCode.ProcessFailed, `the snapshot was encoded against another definition (dictionary ${String(snapshot.dictionary)}, expected ${dictionary.fingerprint})`);
  }
  return decodeState(snapshot.state as JsonValue, dictionary);
}

function stripSource(state: any): unknown {
  return { ...state, definitions: (state.definitions ?? []).map(({ source: _source, ...rest }: any) => rest) };
}

function diff(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  const changed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(after)) {
    if (JSON.stringify(before[key]) !== JSON.stringify(value)) changed[key] = value;
  }
  for (const key of Object.keys(before)) if (!(key in after)) changed[key] = null;
  return changed;
}

function failTimer(expression: string, error: unknown): never {
  throw new EngineError(EngineErrorCode.ProcessFailed, `the event sub-process timer "${expression}" failed: ${error instanceof Error ? error.message : String(error)}`);
}

/** A run that went over budget (its violation caught by the process, e.g. an error boundary event) still fails its command. */
function stopIfOverBudget(): void {
  const violation = currentBudget()?.violation;
  if (violation) throw violation;
}

function overBudget(outcome: RunOutcome): RunOutcome {
  stopIfOverBudget();
  return outcome;
}

/** Engine failures become coded errors that name the failing element. */
function processFailed(error: unknown): EngineError {
  if (error instanceof EngineError) return error;
  const e = error as any;
  const elementId: string | undefined = e?.source?.content?.id ?? e?.source?.id ?? undefined;
  const message = String(e?.message ?? e ?? 'unknown error');
  return new EngineError(
    EngineErrorCode.ProcessFailed,
    elementId ? `element "${elementId}" failed: ${message}` : `process failed: ${message}`,
    { details: { elementId: elementId ?? null, code: e?.code ?? e?.inner?.code ?? null }, cause: error },
  );
}
