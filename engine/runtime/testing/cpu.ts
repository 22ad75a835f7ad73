import { readFileSync } from 'node:fs';

/** Blocks this thread for `ms` without using a CPU (as a thread a loaded machine leaves waiting). */
export const block = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
};

const threadCpuUsage = (process as { threadCpuUsage?: () => { user: number; system: number } }).threadCpuUsage;

/**
 * This thread's CPU time, ms, read apart from the budget's clock object: `process.threadCpuUsage`
 * (Node 22.19+ and 24), else a fresh read of Linux `/proc/thread-self/schedstat`. Not
 * `process.cpuUsage`: that counts every thread of the process (V8's GC helpers, worker threads
 * of earlier suites), so a test burning "130 ms" by it gave this thread less on a busy process.
 */
export function threadCpuMs(): number {
  if (threadCpuUsage) {
    const { user, system } = threadCpuUsage.call(process);
    return (user + system) / 1000;
  }
  return Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[0]) / 1e6;
}

/** Uses about `ms` of this thread's CPU time ({@link threadCpuMs}). */
export function burn(ms: number): void {
  const from = threadCpuMs();
  while (threadCpuMs() - from < ms);
}
