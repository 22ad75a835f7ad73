/**
 * The execution budget of one command: limits on the engine work a command may do (expressions,
 * gateways, automatic steps, multi-instance cardinality, user tasks created), which a diagram or
 * a variable cannot raise. The host sets the limits once at boot ({@link setBudgetLimits}).
 *
 * How it is enforced (see README "Execution budget"):
 * - every element entered is a checkpoint ({@link CommandBudget.step}): it counts the step, adds
 *   the time of the running synchronous stretch to the command's busy time (CPU time of the main
 *   thread, thread-clock.ts; the clock is read when a stretch opens and closes, and at a checkpoint
 *   only once the stretch's wall time, an upper bound of its CPU time, could pass the limit), checks the main
 *   thread's heap growth every few steps, and once the stretch has run
 *   {@link BudgetLimits.sliceMs} without the event loop turning, an element entered by a sequence
 *   flow waits ({@link CommandBudget.defer}; budget-steps.ts says which elements never wait): the
 *   waiting elements resume one slice per event-loop turn, so an endless loop of automatic steps
 *   neither blocks other requests (health) nor grows the stack;
 * - FEEL that is not trivially safe runs in a worker thread with its own heap limit and a limit on
 *   its CPU time (engine/expressions/sandbox.ts); the worker's CPU time counts as busy time of the
 *   command ({@link CommandBudget.spend}). Inside a command
 *   run by the kernel, an evaluation still running after {@link BudgetLimits.expressionWaitMs} is
 *   not waited for on the event loop: the command stops with a pending evaluation
 *   ({@link pendingOf}), the kernel waits for it asynchronously and runs the command again, which
 *   then finds the answer (engine/expressions/feel.ts);
 * - the first limit exceeded is the command's violation: the run stops (elements entered after it
 *   never start), the command fails with `BUDGET_EXCEEDED` naming the element and the limit, and
 *   its transaction rolls back.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { getHeapStatistics } from 'node:v8';
import { EngineError, EngineErrorCode } from '../errors';
import { threadClock, type ThreadClock } from './thread-clock';

export interface BudgetLimits {
  /** Busy (on-CPU) time of one command's engine work, ms. */
  timeMs: number;
  /** Growth of the main thread's heap during one command's engine work, MB (checked every 32 steps). */
  memoryMb: number;
  /** Elements entered (automatic steps) by one command. */
  steps: number;
  /** User tasks created by one command. */
  tasks: number;
  /** Instances of one multi-instance activity or iterations of one loop. */
  loopInstances: number;
  /** One sandboxed FEEL evaluation, ms. */
  expressionMs: number;
  /** Heap of the FEEL sandbox worker, MB. */
  expressionMemoryMb: number;
  /** Largest text (or JSON size) one expression may produce, characters. */
  expressionResultChars: number;
  /** Continuous engine work after which the event loop gets a turn, ms. */
  sliceMs: number;
  /** Longest synchronous wait of the event loop for a sandboxed expression inside a command, ms (then it is awaited asynchronously). */
  expressionWaitMs: number;
}

export const DEFAULT_BUDGET_LIMITS: Readonly<BudgetLimits> = Object.freeze({
  timeMs: 2000,
  memoryMb: 256,
  steps: 10_000,
  tasks: 1000,
  loopInstances: 1000,
  expressionMs: 250,
  expressionMemoryMb: 64,
  expressionResultChars: 1_048_576,
  sliceMs: 10,
  expressionWaitMs: 20,
});

/** The environment variable that sets each limit (named in errors so an operator knows what to change). */
export const BUDGET_SETTINGS: Readonly<Record<keyof BudgetLimits, string>> = Object.freeze({
  timeMs: 'ENGINE_TIME_BUDGET_MS',
  memoryMb: 'ENGINE_MEMORY_BUDGET_MB',
  steps: 'ENGINE_MAX_STEPS',
  tasks: 'ENGINE_MAX_TASKS',
  loopInstances: 'ENGINE_MAX_LOOP_INSTANCES',
  expressionMs: 'EXPRESSION_TIMEOUT_MS',
  expressionMemoryMb: 'EXPRESSION_MEMORY_MB',
  expressionResultChars: 'EXPRESSION_MAX_RESULT_CHARS',
  sliceMs: 'ENGINE_SLICE_MS',
  expressionWaitMs: 'EXPRESSION_WAIT_MS',
});

let limits: BudgetLimits = { ...DEFAULT_BUDGET_LIMITS };

/** The limits in force. */
export function budgetLimits(): Readonly<BudgetLimits> {
  return limits;
}

/** Sets some limits (host configuration, tests); answers the previous ones. */
export function setBudgetLimits(patch: Partial<BudgetLimits>): BudgetLimits {
  const previous = limits;
  limits = { ...limits, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) };
  return previous;
}

/** What a checkpoint tells the element that reached it. */
export type Verdict = 'go' | 'yield' | 'stop';

const MEMORY_CHECK_EVERY = 32;
const MB = 1024 * 1024;
/** Evaluations a command may leave pending (each run again after the answer) before it waits synchronously. */
export const MAX_SUSPENSIONS = 16;

/** The budget of one command (one attempt of its transaction). */
export class CommandBudget {
  readonly limits: Readonly<BudgetLimits>;
  steps = 0;
  tasks = 0;
  /** The element whose work runs now (the last one entered, or whose expression is evaluated). */
  element: string | null = null;
  /** Busy time of the finished stretches, ms. */
  private busyMs = 0;
  /** Start of the running synchronous stretch (performance.now()), if one runs: the slices are wall time (they bound the event loop's pauses). */
  private stretchStart: number | null = null;
  /** The same start on the thread's CPU clock: the time budget is CPU time. */
  private stretchCpuStart = 0;
  /**
   * The running stretch's last reading of the CPU clock: at `boundWall` (performance.now()) the
   * stretch had used `boundCpu` ms. Wall time is an upper bound of CPU time, so until
   * `busyMs + boundCpu + (now - boundWall)` passes the limit the CPU clock need not be read.
   */
  private boundWall = 0;
  private boundCpu = 0;
  /** Counts the synchronous stretches (a new one each time the event loop turned in between). */
  private stretchSeq = 0;

  /** The running stretch's number (work that counts per stretch resets when it changes). */
  get stretch(): number {
    this.busy();
    return this.stretchSeq;
  }
  private readonly heapAtStart: number;
  private current: EngineError | null = null;
  private readonly listeners = new Set<(violation: EngineError) => void>();
  /** Elements waiting for the event loop to turn ({@link defer}), resumed one slice per turn. */
  private readonly deferred: (() => void)[] = [];
  private pumping = false;

  /**
   * @param suspensions how many sandboxed evaluations this attempt may still leave pending
   *   (the kernel runs the command again once one answers); 0 where nobody runs it again.
   * @param answers the answers of the evaluations earlier attempts of the command stopped for,
   *   shared by its attempts (engine/expressions/feel.ts keys and reads them).
   */
  constructor(
    given: Readonly<BudgetLimits> = limits,
    readonly suspensions = 0,
    readonly answers: Map<string, { answer: unknown; ms: number }[]> | null = null,
    private readonly clock: ThreadClock = threadClock(),
  ) {
    this.limits = given;
    this.heapAtStart = getHeapStatistics().used_heap_size;
  }

  /** The first limit this command exceeded, if any. */
  get violation(): EngineError | null {
    return this.current;
  }

  /** Busy time so far, ms (the running stretch included). */
  elapsedMs(): number {
    return this.busyMs + (this.stretchStart === null ? 0 : this.clock.now() - this.stretchCpuStart);
  }

  /** The clock the time budget is measured on (budget.ts uses the thread's CPU clock where there is one). */
  get clockKind(): ThreadClock['kind'] {
    return this.clock.kind;
  }

  /** Busy time left, ms. */
  remainingMs(): number {
    return Math.max(0, this.limits.timeMs - this.elapsedMs());
  }

  /** Called with the violation as soon as there is one (at once if there already is). Answers the unsubscribe. */
  onViolation(fn: (violation: EngineError) => void): () => void {
    if (this.current) {
      fn(this.current);
      return () => undefined;
    }
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Marks engine work as running now: opens a stretch that closes when the event loop next turns. */
  busy(): void {
    if (this.stretchStart !== null) return;
    this.stretchSeq++;
    this.stretchStart = this.boundWall = performance.now();
    this.stretchCpuStart = this.clock.now();
    this.boundCpu = 0;
    setImmediate(() => this.closeStretch());
  }

  /**
   * An element is entered: count it, check the limits, maybe let the event loop run.
   * @param mayWait false for an element that must start at once, in the same synchronous stretch
   *   as what triggered it (budget-steps.ts): it never yields, but it counts and can stop.
   */
  step(elementId: string, mayWait: boolean): Verdict {
    if (this.current) return 'stop';
    this.busy();
    this.element = elementId;
    this.steps++;
    if (this.steps > this.limits.steps) {
      this.fail('steps', elementId, this.steps, `element "${elementId}": the command ran more than ${this.limits.steps} automatic steps (an endless loop?)`);
      return 'stop';
    }
    if (this.steps % MEMORY_CHECK_EVERY === 0 && !this.checkMemory(elementId)) return 'stop';
    if (!this.checkTime(elementId)) return 'stop';
    // A command that keeps the event loop for a slice yields it (an endless loop, a long chain of
    // steps), so health and other requests are answered meanwhile.
    if (!mayWait) return 'go';
    return performance.now() - this.stretchStart! >= this.limits.sliceMs ? 'yield' : 'go';
  }

  /** True when the running stretch has used up its slice (work that can wait should {@link defer}). */
  shouldYield(): boolean {
    if (this.current) return false;
    this.busy();
    return performance.now() - this.stretchStart! >= this.limits.sliceMs;
  }

  /** Busy time spent outside this attempt's stretches (a sandboxed evaluation awaited asynchronously), ms. */
  spend(ms: number): void {
    this.busyMs += ms;
  }

  /**
   * Runs `resume` once the event loop has turned: the deferred elements resume in order, as many
   * as fit in one slice per turn and at least one (all of them in one turn would block the loop
   * again).
   */
  defer(resume: () => void): void {
    this.deferred.push(resume);
    if (this.pumping) return;
    this.pumping = true;
    setImmediate(() => this.pump());
  }

  /** True while deferred elements still wait for their turn: the run is not quiescent yet. */
  hasDeferred(): boolean {
    return this.deferred.length > 0 && !this.current;
  }

  private pump(): void {
    this.closeStretch();
    this.busy();
    // At least one per turn (the run always moves on), then as many as fit in the slice.
    if (this.deferred.length && !this.current) {
      do this.deferred.shift()!();
      while (this.deferred.length && !this.current && performance.now() - this.stretchStart! < this.limits.sliceMs);
    }
    if (this.deferred.length && !this.current) setImmediate(() => this.pump());
    else {
      this.pumping = false;
      if (this.current) this.deferred.length = 0;
    }
  }

  /** A user task was created. False once the command is over budget. */
  task(elementId: string): boolean {
    if (this.current) return false;
    this.tasks++;
    if (this.tasks > this.limits.tasks) {
      this.fail('tasks', elementId, this.tasks, `element "${elementId}": the command would create more than ${this.limits.tasks} user tasks`);
      return false;
    }
    this.busy();
    return this.checkTime(elementId);
  }

  /** Checks the time budget (e.g. after an expression); false once over budget. */
  checkTime(elementId: string | null): boolean {
    if (this.current) return false;
    // Cheap on every step: the CPU clock is read only once the wall-time bound could pass the limit.
    if (this.stretchStart === null) {
      if (this.busyMs <= this.limits.timeMs) return true;
    } else {
      const now = performance.now();
      if (this.busyMs + this.boundCpu + (now - this.boundWall) <= this.limits.timeMs) return true;
      this.boundCpu = this.clock.now() - this.stretchCpuStart;
      this.boundWall = now;
    }
    const elapsed = this.busyMs + (this.stretchStart === null ? 0 : this.boundCpu);
    if (elapsed <= this.limits.timeMs) return true;
    this.fail('timeMs', elementId, Math.round(elapsed), `${elementId ? `element "${elementId}": ` : ''}the command's engine work took more than ${this.limits.timeMs} ms of CPU time`);
    return false;
  }

  private checkMemory(elementId: string): boolean {
    const grown = (getHeapStatistics().used_heap_size - this.heapAtStart) / MB;
    if (grown <= this.limits.memoryMb) return true;
    this.fail('memoryMb', elementId, Math.round(grown), `element "${elementId}": the command's engine work grew the heap by more than ${this.limits.memoryMb} MB`);
    return false;
  }

  /** Records a violation (the first one wins) and tells the listeners. Answers the violation in force. */
  fail(limit: keyof BudgetLimits, elementId: string | null, value: number, message: string): EngineError {
    return this.adopt(budgetExceeded(limit, elementId, value, message, this.limits));
  }

  /** Records a BUDGET_EXCEEDED error raised elsewhere (a sandboxed expression); answers the one in force. */
  adopt(violation: EngineError): EngineError {
    if (this.current) return this.current;
    this.current = violation;
    const listeners = [...this.listeners];
    this.listeners.clear();
    for (const fn of listeners) fn(violation);
    return violation;
  }

  private closeStretch(): void {
    if (this.stretchStart === null) return;
    this.busyMs += this.clock.now() - this.stretchCpuStart;
    this.stretchStart = null;
  }
}

/** A BUDGET_EXCEEDED error (422) naming the limit, its setting, the value reached and the element. */
export function budgetExceeded(limit: keyof BudgetLimits, elementId: string | null, value: number, message: string, given: Readonly<BudgetLimits> = limits): EngineError {
  return new EngineError(EngineErrorCode.BudgetExceeded, `${message}; nothing was changed`, {
    details: { elementId, limit, setting: BUDGET_SETTINGS[limit], max: given[limit], value },
  });
}

const PENDING = Symbol('pending evaluation');

/**
 * A BUDGET_EXCEEDED error that stops the command's run because a sandboxed evaluation is still
 * running: the kernel awaits `settled` (the evaluation answered or was terminated) and runs the
 * command again; nothing reaches the client unless it cannot be run again.
 */
export function suspendFor(settled: Promise<unknown>, elementId: string | null, message: string): EngineError {
  const error = budgetExceeded('expressionWaitMs', elementId, 0, message);
  Object.defineProperty(error, PENDING, { value: settled, enumerable: false });
  return error;
}

/** The evaluation a command stopped for ({@link suspendFor}), if it stopped for one. */
export function pendingOf(error: unknown): Promise<unknown> | null {
  return error instanceof EngineError ? ((error as unknown as Record<symbol, Promise<unknown> | undefined>)[PENDING] ?? null) : null;
}

/** True for a BUDGET_EXCEEDED error. */
export function isBudgetError(error: unknown): error is EngineError {
  return error instanceof EngineError && error.code === EngineErrorCode.BudgetExceeded;
}

const running = new AsyncLocalStorage<CommandBudget>();

/** Runs a command's work under a fresh budget. */
export function runWithBudget<T>(budget: CommandBudget, work: () => Promise<T>): Promise<T> {
  return running.run(budget, work);
}

/** The budget of the command running now, if any. */
export function currentBudget(): CommandBudget | undefined {
  return running.getStore();
}
