/**
 * The FEEL sandbox: FEEL that is not trivially safe (iterations, ranges, filters, most built-in
 * functions: see feel-safety.ts) is evaluated in a worker thread with its own heap limit
 * (`resourceLimits`), and the engine waits for the answer synchronously (bpmn-elements asks for
 * expression values synchronously): the request goes over a MessagePort, the worker flags "running"
 * and "done" in a SharedArrayBuffer, the caller sleeps in `Atomics.wait` and reads the answer with
 * `receiveMessageOnPort`. A worker that runs past its time is terminated and replaced by a spare
 * that is already warm; one that runs out of heap dies by itself (the process does not). The spare
 * (about 15 MB of RSS) is started when it is first needed, the first time a worker is terminated
 * or left running by a caller that stopped waiting, and kept from then on. A caller
 * that must not block long (the event loop of a command) waits a few ms ({@link FeelSandbox.waitSync})
 * and then awaits the rest ({@link FeelSandbox.settle}) while the worker keeps going.
 *
 * An evaluation's time is the worker thread's CPU time where it can be read (Linux: the worker
 * tells its thread id and stamps its CPU time at pickup in the SharedArrayBuffer, worker-clock.mjs;
 * the caller reads `/proc/self/task/<tid>/schedstat`, engine/runtime/thread-clock.ts), so that a
 * worker a loaded machine leaves waiting for a CPU is not terminated for it; a starved worker is
 * still terminated after {@link WALL_BACKSTOP} times its limit in wall time. Elsewhere it is wall time.
 * Wall time bounds CPU time, so the caller reads the worker's clock only once the wall time since
 * the request could have reached the limit.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { openTaskClock, type TaskClock } from '../runtime/thread-clock';

/**
 * What the sandbox answers for one evaluation, with `ms`: the time it took, the worker's CPU time
 * where it can be read, else wall time ({@link FeelSandbox.clock}).
 */
export type SandboxAnswer = { ms: number } & (
  | { kind: 'ok'; value: unknown; warnings: { type: string; message: string }[] }
  | { kind: 'error'; message: string }
  /** The result is larger than `maxChars`. */
  | { kind: 'too-large'; chars: number }
  /** The evaluation recursed too deep (a stack overflow inside the worker). */
  | { kind: 'too-deep'; message: string }
  /**
   * Past `timeoutMs`, or the worker died (out of its heap): it was terminated. `outOfMemory` may turn
   * true a moment later. `starved`: it had not used its time but ran {@link WALL_BACKSTOP} times it
   * in wall time (`ranMs` is then wall time, `ms` the CPU time it got).
   */
  | { kind: 'killed'; ranMs: number; starved: boolean; death: { outOfMemory: boolean; onKnown(fn: (outOfMemory: boolean) => void): void } }
);

interface EvaluateOptions {
  timeoutMs: number;
  maxChars: number;
}

/** One evaluation handed to a worker. */
export interface Ticket {
  readonly slot: Slot;
  readonly seq: number;
  readonly timeoutMs: number;
  readonly pickupEnd: number;
  /** When it was handed to the worker (performance.now()). */
  readonly begun: number;
  /** When the caller saw the worker running it (performance.now()). */
  started: number | null;
  /** Before this time (performance.now()) the evaluation cannot have used its time: the worker's clock need not be read. */
  checkAt: number;
}

interface Slot {
  id: number;
  /** Running an evaluation nobody waits for synchronously (see {@link FeelSandbox.waitSync}). */
  detached: boolean;
  port: MessagePort;
  /** [0]: 0 queued, 1 running, 2 answered; [1]: 1 once the worker has loaded; [2]: its thread id (0: unknown). */
  state: Int32Array;
  /** [0]: the worker's CPU time when it picked up the evaluation, ms; [1]: CPU time of the evaluation, ms (NaN: no clock). */
  times: Float64Array;
  /** The worker thread's CPU clock (undefined: not opened yet, null: none). */
  clock: TaskClock | null | undefined;
  dead: boolean;
  outOfMemory: boolean;
  deathListeners: ((outOfMemory: boolean) => void)[];
}

const SPAWNER_FILE = join(__dirname, 'feel-spawner.mjs');
/** The SharedArrayBuffer of a worker (layout in worker-clock.mjs). */
const STATE_BYTES = 32;
/** A worker that has not used its CPU time after this many times its limit in wall time is terminated all the same (starved by a loaded machine). */
export const WALL_BACKSTOP = 10;
/** Shortest wait between two readings of a worker's clock, ms. */
const MIN_CHECK_MS = 1;
/** How long a request may wait for the worker to pick it up (a fresh worker loads feelin first). */
const PICKUP_TIMEOUT_MS = 15_000;
/** How often an evaluation awaited asynchronously is checked. */
const SETTLE_POLL_MS = 2;

export class FeelSandbox {
  /** The thread that creates and terminates the sandbox workers (feel-spawner.mjs). */
  private spawner: Worker | null = null;
  private readonly slots = new Map<number, Slot>();
  private nextId = 0;
  private slot: Slot | null = null;
  private spare: Slot | null = null;
  private seq = 0;
  private pending = 0;
  /** Keep a warm spare: set once a worker had to be replaced or was left running (an expression that runs long, or an attack). */
  private keepSpare = false;
  /** Workers started and terminated so far (for the bench and tests). */
  readonly stats = { spawned: 0, killed: 0, evaluations: 0 };

  /**
   * @param options.workerFile another worker speaking feel-worker.mjs's protocol (tests).
   * @param options.wallBackstop instead of {@link WALL_BACKSTOP} (tests).
   */
  constructor(
    private readonly memoryMb: () => number,
    private readonly options: { workerFile?: string; wallBackstop?: number } = {},
  ) {}

  /** How evaluations are timed: the worker's CPU time ('schedstat') or wall time; null before a worker has loaded. */
  get clock(): 'schedstat' | 'wall' | null {
    const slot = this.slot ?? this.spare;
    if (!slot || Atomics.load(slot.state, 1) !== 1) return null;
    return this.clockOf(slot) ? 'schedstat' : 'wall';
  }

  /** Starts the worker ahead of the first evaluation (and the spare, once one is kept). */
  warm(): void {
    this.slot ??= this.spawn();
    if (this.keepSpare) this.spare ??= this.spawn();
  }

  /** Evaluates `source` (FEEL without the leading `=`, known to parse) against plain `context`, waiting for the answer. */
  evaluate(source: string, context: Record<string, unknown>, options: EvaluateOptions): SandboxAnswer {
    return this.waitSync(this.begin(source, context, options), Infinity)!;
  }

  /** Evaluations left running by {@link waitSync} and not settled yet. */
  get pendingCount(): number {
    return this.pending;
  }

  /** Hands `source` to the worker; the answer comes from {@link waitSync} or {@link settle}. */
  begin(source: string, context: Record<string, unknown>, options: EvaluateOptions & { mode?: 'expression' | 'unaryTest'; input?: unknown }): Ticket {
    const slot = this.take();
    const seq = ++this.seq;
    this.stats.evaluations++;
    Atomics.store(slot.state, 0, 0);
    slot.port.postMessage({ seq, source, context, maxChars: options.maxChars, mode: options.mode ?? 'expression', input: options.input });
    const now = performance.now();
    return { slot, seq, timeoutMs: options.timeoutMs, pickupEnd: now + PICKUP_TIMEOUT_MS, begun: now, started: null, checkAt: now + options.timeoutMs };
  }

  /**
   * Waits (blocking the thread) at most `maxWaitMs` for the answer. Answers null when the worker
   * is still at it: it keeps running, detached from the next evaluations, and {@link settle}
   * must be called for it.
   */
  waitSync(ticket: Ticket, maxWaitMs: number): SandboxAnswer | null {
    const { slot } = ticket;
    const waitEnd = performance.now() + maxWaitMs;
    for (;;) {
      const status = Atomics.load(slot.state, 0);
      if (status === 2) return this.read(ticket);
      const now = performance.now();
      let limit: number;
      if (status === 0) {
        if (now >= ticket.pickupEnd || slot.dead) return this.kill(slot, 0, 0);
        limit = Math.min(ticket.pickupEnd - now, 50);
      } else {
        const running = this.running(ticket, now);
        if (typeof running !== 'number') return running;
        limit = running;
      }
      if (now >= waitEnd) {
        this.detach(slot);
        return null;
      }
      Atomics.wait(slot.state, 0, status, Math.max(0, Math.min(limit, waitEnd - now)));
    }
  }

  /** The answer of an evaluation {@link waitSync} left running, without blocking the thread (polled every few ms). */
  settle(ticket: Ticket): Promise<SandboxAnswer> {
    return new Promise((resolve) => {
      const poll = () => {
        const { slot } = ticket;
        const status = Atomics.load(slot.state, 0);
        const now = performance.now();
        let answer: SandboxAnswer | null = null;
        if (status === 2) answer = this.read(ticket);
        else if (status === 0 && (now >= ticket.pickupEnd || slot.dead)) answer = this.kill(slot, 0, 0);
        else if (status === 1) {
          const running = this.running(ticket, now);
          if (typeof running !== 'number') answer = running;
        }
        if (!answer) {
          setTimeout(poll, SETTLE_POLL_MS);
          return;
        }
        this.pending--;
        this.reattach(slot);
        resolve(answer);
      };
      poll();
    });
  }

  /**
   * A running evaluation: the 'killed' answer once it has used its time (or, starved, ran
   * {@link WALL_BACKSTOP} times it in wall time), else how long it can run on at least, ms.
   */
  private running(ticket: Ticket, now: number): SandboxAnswer | number {
    const started = (ticket.started ??= now);
    if (now >= ticket.checkAt) {
      const cpu = this.cpuOf(ticket.slot);
      const ran = cpu ?? now - started;
      if (ran >= ticket.timeoutMs) return this.kill(ticket.slot, ran, ran);
      ticket.checkAt = now + Math.max(MIN_CHECK_MS, ticket.timeoutMs - ran);
    }
    const backstop = started + ticket.timeoutMs * (this.options.wallBackstop ?? WALL_BACKSTOP);
    if (now >= backstop) {
      const cpu = this.cpuOf(ticket.slot) ?? now - started;
      return this.kill(ticket.slot, now - started, cpu, true);
    }
    return Math.min(ticket.checkAt, backstop) - now;
  }

  /** The worker's CPU time since it picked up its evaluation, ms; null where it cannot be read. */
  private cpuOf(slot: Slot): number | null {
    const now = this.clockOf(slot)?.read() ?? null;
    const start = slot.times[0];
    return now === null || !Number.isFinite(start) ? null : Math.max(0, now - start);
  }

  /** The worker thread's clock, opened the first time it is needed (the worker wrote its thread id when it loaded). */
  private clockOf(slot: Slot): TaskClock | null {
    if (slot.clock === undefined) {
      const tid = Atomics.load(slot.state, 2);
      if (!tid && Atomics.load(slot.state, 1) !== 1) return null;
      slot.clock = tid ? openTaskClock(tid) : null;
    }
    return slot.clock;
  }

  private read(ticket: Ticket): SandboxAnswer {
    const { slot, seq } = ticket;
    for (let message = receiveMessageOnPort(slot.port); message; message = receiveMessageOnPort(slot.port)) {
      const answer = message.message as SandboxAnswer & { seq: number };
      if (answer.seq === seq) {
        const cpu = slot.times[1];
        answer.ms = Number.isFinite(cpu) ? cpu : ticket.started === null ? 0 : performance.now() - ticket.started;
        return answer;
      }
    }
    // Answered without a message: cannot happen unless the worker died between the two steps.
    const ran = ticket.started === null ? 0 : performance.now() - ticket.started;
    return this.kill(slot, ran, ran);
  }

  /** The worker of an evaluation left running: the next evaluations go to the spare. */
  private detach(slot: Slot): void {
    this.pending++;
    this.keepSpare = true;
    slot.detached = true;
    if (this.slot === slot) this.slot = null;
    this.take();
  }

  /** A detached worker that answered: back as the spare, or terminated when there is one. */
  private reattach(slot: Slot): void {
    if (slot.dead || !slot.detached) return;
    slot.detached = false;
    if (!this.spare) this.spare = slot;
    else {
      slot.dead = true;
      forget(slot);
      this.spawner?.postMessage({ cmd: 'kill', id: slot.id });
    }
  }

  /** Terminates the workers (tests, shutdown). */
  close(): void {
    void this.spawner?.terminate().catch(() => undefined);
    this.spawner = null;
    for (const slot of this.slots.values()) forget(slot);
    this.slots.clear();
    this.slot = this.spare = null;
  }

  private take(): Slot {
    if (this.slot?.dead) this.slot = null;
    if (this.spare?.dead) this.spare = null;
    if (!this.slot) {
      this.slot = this.spare ?? this.spawn();
      this.spare = null;
    }
    if (this.keepSpare) this.spare ??= this.spawn();
    return this.slot;
  }

  private kill(slot: Slot, ranMs: number, ms: number, starved = false): SandboxAnswer {
    this.stats.killed++;
    this.keepSpare = true;
    slot.dead = true;
    forget(slot);
    this.spawner?.postMessage({ cmd: 'kill', id: slot.id });
    if (this.slot === slot) this.slot = null;
    this.take();
    const death = {
      outOfMemory: slot.outOfMemory,
      onKnown(fn: (outOfMemory: boolean) => void) {
        if (slot.outOfMemory) fn(true);
        else slot.deathListeners.push(fn);
      },
    };
    return { kind: 'killed', ranMs, ms, starved, death };
  }

  private spawn(): Slot {
    this.stats.spawned++;
    const spawner = this.spawnerThread();
    const { port1, port2 } = new MessageChannel();
    const sab = new SharedArrayBuffer(STATE_BYTES);
    const times = new Float64Array(sab, 16, 2).fill(NaN);
    const slot: Slot = { id: ++this.nextId, detached: false, port: port1, state: new Int32Array(sab, 0, 4), times, clock: undefined, dead: false, outOfMemory: false, deathListeners: [] };
    this.slots.set(slot.id, slot);
    const file = this.options.workerFile ? pathToFileURL(this.options.workerFile).href : undefined;
    spawner.postMessage({ cmd: 'spawn', id: slot.id, state: sab, port: port2, memoryMb: Math.max(8, Math.floor(this.memoryMb())), file }, [port2]);
    port1.unref();
    return slot;
  }

  private spawnerThread(): Worker {
    if (this.spawner) return this.spawner;
    const spawner = new Worker(SPAWNER_FILE, { execArgv: [], env: {}, stdout: true, stderr: true });
    spawner.on('message', (message: { id: number; died: boolean; outOfMemory: boolean }) => {
      const slot = this.slots.get(message.id);
      if (!slot) return;
      this.slots.delete(message.id);
      slot.dead = true;
      forget(slot);
      slot.outOfMemory ||= message.outOfMemory;
      for (const fn of slot.deathListeners.splice(0)) fn(slot.outOfMemory);
    });
    // The spawner itself failing: every slot is gone with it; the next evaluation starts afresh.
    const lost = () => {
      if (this.spawner !== spawner) return;
      this.spawner = null;
      for (const slot of this.slots.values()) {
        slot.dead = true;
        forget(slot);
        for (const fn of slot.deathListeners.splice(0)) fn(slot.outOfMemory);
      }
      this.slots.clear();
    };
    spawner.on('error', lost);
    spawner.on('exit', lost);
    spawner.unref();
    this.spawner = spawner;
    return spawner;
  }
}

/** Closes the clock of a worker that is gone (its descriptor). */
function forget(slot: Slot): void {
  slot.clock?.close();
  slot.clock = null;
}
