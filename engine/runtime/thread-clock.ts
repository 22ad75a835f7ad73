/**
 * Per-thread CPU clocks: how much CPU time a thread has had, so that a command's execution budget
 * (budget.ts) and a sandboxed FEEL evaluation (engine/expressions/sandbox.ts) are measured by the
 * work they did, not by how long a loaded machine kept them waiting (wall time).
 *
 * The calling thread's clock ({@link threadClock}), best first:
 * - `process.threadCpuUsage` (Node 22.19+ and 24): about 20 ns a reading;
 * - Linux `/proc/thread-self/schedstat` (Node 20): its first field is the thread's time on a CPU in
 *   ns; read through a descriptor opened once by the thread itself (`/proc/thread-self` resolves
 *   when it is opened), about 2-3 us a reading;
 * - wall time (`performance.now()`) elsewhere, or once a reading failed: an upper bound of the CPU
 *   time, which a loaded machine inflates.
 * Another thread's clock ({@link openTaskClock}): `/proc/self/task/<tid>/schedstat`, where the
 * thread tells its id ({@link currentThreadId}).
 */
import { closeSync, openSync, readlinkSync, readSync } from 'node:fs';

/** Which clock a {@link ThreadClock} reads. */
export type ThreadClockKind = 'threadCpuUsage' | 'schedstat' | 'wall';

/** The CPU time of the thread that created it. */
export interface ThreadClock {
  /** The clock read now ('wall' after a failed reading). */
  readonly kind: ThreadClockKind;
  /** CPU time of the thread, ms (only differences mean something); never goes back. */
  now(): number;
}

type ThreadCpuUsage = () => { user: number; system: number };

/** Where the clocks come from (tests replace them). */
export interface ClockSources {
  threadCpuUsage?: ThreadCpuUsage | null;
  /** The calling thread's schedstat file. */
  schedstatPath?: string;
}

const SCHEDSTAT = '/proc/thread-self/schedstat';
const buffer = Buffer.alloc(64);

/** The first field of a schedstat file (ns on a CPU) as ms, or null when it is not a number. */
function readSchedstat(fd: number): number | null {
  const n = readSync(fd, buffer, 0, buffer.length, 0);
  let ns = 0;
  let i = 0;
  for (; i < n; i++) {
    const c = buffer[i];
    if (c < 48 || c > 57) break;
    ns = ns * 10 + (c - 48);
  }
  return i === 0 || (i < n && buffer[i] !== 32 && buffer[i] !== 10) ? null : ns / 1e6;
}

/** Reads a schedstat file through a descriptor held open; null once it cannot (then it stays closed). */
class SchedstatReader {
  private fd: number | null;

  constructor(path: string) {
    this.fd = openSync(path, 'r');
    if (this.read() === null) throw new Error(`${path}: no CPU time in it`);
  }

  read(): number | null {
    if (this.fd === null) return null;
    let ms: number | null = null;
    try {
      ms = readSchedstat(this.fd);
    } catch {
      ms = null;
    }
    if (ms === null) this.close();
    return ms;
  }

  close(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    try {
      closeSync(fd);
    } catch {
      // already gone
    }
  }
}

/**
 * The calling thread's CPU clock (see the module comment); `sources` for tests. A reading that
 * fails turns it into wall time for good, continuing from its last reading (differences stay an
 * upper bound of the CPU time).
 */
export function createThreadClock(sources: ClockSources = {}): ThreadClock {
  const usage = sources.threadCpuUsage === undefined ? (process as { threadCpuUsage?: ThreadCpuUsage }).threadCpuUsage : sources.threadCpuUsage;
  if (usage) {
    return {
      kind: 'threadCpuUsage',
      now: () => {
        const { user, system } = usage.call(process);
        return (user + system) / 1000;
      },
    };
  }
  let reader: SchedstatReader | null = null;
  try {
    reader = new SchedstatReader(sources.schedstatPath ?? SCHEDSTAT);
  } catch {
    reader = null;
  }
  if (!reader) return { kind: 'wall', now: () => performance.now() };
  const schedstat = reader;
  let last = 0;
  let lastWall = 0;
  const clock = {
    kind: 'schedstat' as ThreadClockKind,
    now(): number {
      if (clock.kind === 'schedstat') {
        const ms = schedstat.read();
        if (ms !== null) {
          last = ms;
          lastWall = performance.now();
          return ms;
        }
        clock.kind = 'wall';
      }
      return last + (performance.now() - lastWall);
    },
  };
  clock.now();
  return clock;
}

let own: ThreadClock | null = null;

/** The calling thread's CPU clock, created on first use (module state is per thread). */
export function threadClock(): ThreadClock {
  own ??= createThreadClock();
  return own;
}

/** The calling thread's id on Linux (`/proc/thread-self` is "<pid>/task/<tid>"), or null. */
export function currentThreadId(): number | null {
  try {
    const tid = Number(/\/task\/(\d+)$/.exec(readlinkSync('/proc/thread-self'))?.[1]);
    return Number.isSafeInteger(tid) && tid > 0 ? tid : null;
  } catch {
    return null;
  }
}

/** Another thread's CPU clock, read from this process's `/proc/self/task/<tid>/schedstat`. */
export interface TaskClock {
  /** The thread's CPU time, ms; null once it cannot be read (the thread ended). */
  read(): number | null;
  /** Closes the descriptor (the thread ended or is no longer watched). */
  close(): void;
}

/** The CPU clock of thread `tid` of this process, or null when it cannot be read (not Linux, no such thread). */
export function openTaskClock(tid: number): TaskClock | null {
  if (!Number.isSafeInteger(tid) || tid <= 0) return null;
  try {
    return new SchedstatReader(`/proc/self/task/${tid}/schedstat`);
  } catch {
    return null;
  }
}

let taskClocks: boolean | null = null;

/** True when this process can read its threads' CPU time (the FEEL sandbox then limits its workers' CPU time). */
export function taskClocksAvailable(): boolean {
  if (taskClocks === null) {
    const tid = currentThreadId();
    const probe = tid === null ? null : openTaskClock(tid);
    taskClocks = probe !== null;
    probe?.close();
  }
  return taskClocks;
}

/** The clocks the execution budget uses here: the main thread's, and the FEEL sandbox workers' (logged at start). */
export function cpuClocks(): { budget: ThreadClockKind; sandbox: 'schedstat' | 'wall' } {
  return { budget: threadClock().kind, sandbox: taskClocksAvailable() ? 'schedstat' : 'wall' };
}
