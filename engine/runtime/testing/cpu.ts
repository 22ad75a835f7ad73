/** Blocks this thread for `ms` without using a CPU (as a thread a loaded machine leaves waiting). */
export const block = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
};

/** Uses about `ms` of this process's CPU time (this thread's work, measured by process.cpuUsage: a clock independent of the budget's). */
export function burn(ms: number): void {
  const from = process.cpuUsage();
  for (;;) {
    const used = process.cpuUsage(from);
    if ((used.user + used.system) / 1000 >= ms) return;
  }
}
