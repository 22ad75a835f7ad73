// The CPU clock of a FEEL sandbox worker thread (see sandbox.ts and engine/runtime/thread-clock.ts):
// the thread's time on a CPU from Linux's /proc/thread-self/schedstat (first field, ns), read through
// a descriptor this thread opens (/proc/thread-self resolves when it is opened), and the thread's id,
// so that its parent can read the same figure from /proc/self/task/<tid>/schedstat while the
// worker is busy. Plain JavaScript, like feel-worker.mjs.
import { Buffer } from 'node:buffer';
import { openSync, readlinkSync, readSync } from 'node:fs';

// The SharedArrayBuffer of a sandbox worker (32 bytes, sandbox.ts): Int32 [status, loaded, tid, unused],
// then Float64 [CPU ms at pickup, CPU ms of the evaluation].

/**
 * This thread's clock: `tid` (0 when unknown) and `now()`, its CPU time in ms (NaN once it cannot be
 * read); null where there is no such clock (not Linux).
 */
export function threadCpuClock() {
  let fd;
  let tid = 0;
  try {
    fd = openSync('/proc/thread-self/schedstat', 'r');
    tid = Number(/\/task\/(\d+)$/.exec(readlinkSync('/proc/thread-self'))?.[1] ?? 0);
  } catch {
    return null;
  }
  const buffer = Buffer.alloc(64);
  let broken = false;
  const now = () => {
    if (broken) return NaN;
    try {
      const n = readSync(fd, buffer, 0, buffer.length, 0);
      let ns = 0;
      let i = 0;
      for (; i < n && buffer[i] >= 48 && buffer[i] <= 57; i++) ns = ns * 10 + (buffer[i] - 48);
      if (i > 0) return ns / 1e6;
    } catch {
      // fall through: the clock is gone
    }
    broken = true;
    return NaN;
  };
  return Number.isNaN(now()) ? null : { tid: Number.isSafeInteger(tid) ? tid : 0, now };
}

/**
 * The worker side of the protocol around one evaluation: `begin()` stamps the CPU time at pickup
 * and flags "running", `end()` stamps the evaluation's CPU time and flags "answered" (the answer
 * itself goes over the port in between). `loaded()` flags the worker ready, with its thread id.
 */
export function sandboxProtocol(sab) {
  const state = new Int32Array(sab, 0, 4);
  const times = new Float64Array(sab, 16, 2);
  const clock = threadCpuClock();
  return {
    begin() {
      times[0] = clock ? clock.now() : NaN;
      Atomics.store(state, 0, 1);
    },
    end() {
      times[1] = clock ? clock.now() - times[0] : NaN;
      Atomics.store(state, 0, 2);
      Atomics.notify(state, 0);
    },
    loaded() {
      Atomics.store(state, 2, clock?.tid ?? 0);
      Atomics.store(state, 1, 1);
    },
  };
}
