import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { createThreadClock, currentThreadId, openTaskClock, taskClocksAvailable, threadClock, type ThreadClock } from './thread-clock';
import { block, burn, threadCpuMs } from './testing/cpu';

const linux = process.platform === 'linux';
const onLinux = linux ? it : it.skip;

describe('the per-thread CPU clock', () => {
  const clocks: [string, () => ThreadClock][] = [['schedstat (Node 20)', () => createThreadClock({ threadCpuUsage: null })]];
  if ((process as { threadCpuUsage?: unknown }).threadCpuUsage) clocks.push(['process.threadCpuUsage', () => createThreadClock()]);

  onLinux('is a CPU clock on Linux on every supported Node version, not wall time', () => {
    expect(threadClock().kind).not.toBe('wall');
    expect(createThreadClock({ threadCpuUsage: null }).kind).toBe('schedstat');
    expect(currentThreadId()).toBe(process.pid);
    expect(taskClocksAvailable()).toBe(true);
  });

  describe.each(clocks)('%s', (_name, create) => {
    onLinux('does not advance while the thread is blocked, though wall time passes', () => {
      const clock = create();
      const cpu = clock.now();
      const wall = performance.now();
      block(300);
      expect(performance.now() - wall).toBeGreaterThanOrEqual(290);
      expect(clock.now() - cpu).toBeLessThan(30);
      expect(clock.kind).not.toBe('wall');
    });

    onLinux("advances with the thread's work, as the process's CPU time does", () => {
      const clock = create();
      const cpu = clock.now();
      const process0 = process.cpuUsage();
      const thread0 = threadCpuMs();
      burn(150);
      const threadRan = threadCpuMs() - thread0;
      const ran = clock.now() - cpu;
      const processRan = (process.cpuUsage(process0).user + process.cpuUsage(process0).system) / 1000;
      // this thread's CPU time read apart from the clock (a fresh read of schedstat, or threadCpuUsage),
      // within the clock's own readings; never more than the process's, whose other threads (garbage
      // collection helpers, sandbox workers) may meanwhile have used several times as much
      expect(ran).toBeGreaterThanOrEqual(threadRan - 0.5);
      expect(ran).toBeLessThanOrEqual(threadRan + 10);
      expect(ran).toBeLessThanOrEqual(processRan + 5);
    });
  });

  it('is wall time where the thread has no CPU clock (no /proc)', () => {
    const clock = createThreadClock({ threadCpuUsage: null, schedstatPath: '/nonexistent/schedstat' });
    expect(clock.kind).toBe('wall');
    const wall = clock.now();
    block(50);
    expect(clock.now() - wall).toBeGreaterThanOrEqual(45);
  });

  it('turns to wall time when a reading fails, going on from its last reading', () => {
    const dir = mkdtempSync(join(tmpdir(), 'thread-clock-'));
    try {
      const file = join(dir, 'schedstat');
      writeFileSync(file, '5000000 100 2\n');
      const clock = createThreadClock({ threadCpuUsage: null, schedstatPath: file });
      expect(clock.kind).toBe('schedstat');
      expect(clock.now()).toBe(5);
      writeFileSync(file, 'gone\n');
      const after = clock.now();
      expect(clock.kind).toBe('wall');
      expect(after).toBeGreaterThanOrEqual(5);
      block(30);
      expect(clock.now() - after).toBeGreaterThanOrEqual(25);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  onLinux("reads another thread's CPU time by its thread id: still while it is blocked, growing while it works", async () => {
    const control = new Int32Array(new SharedArrayBuffer(8));
    const worker = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       const { readlinkSync } = require('node:fs');
       const control = new Int32Array(workerData);
       parentPort.postMessage(Number(/task\\/(\\d+)$/.exec(readlinkSync('/proc/thread-self'))[1]));
       Atomics.wait(control, 0, 0);
       const end = Date.now() + 150;
       while (Date.now() < end);
       Atomics.store(control, 1, 1);
       Atomics.notify(control, 1);
       Atomics.wait(control, 0, 1);`,
      { eval: true, workerData: control.buffer },
    );
    try {
      const tid = await new Promise<number>((resolve) => worker.once('message', resolve));
      expect(tid).not.toBe(process.pid);
      const clock = openTaskClock(tid)!;
      expect(clock).not.toBeNull();
      const idle = clock.read()!;
      block(200);
      expect(clock.read()! - idle).toBeLessThan(20);
      Atomics.store(control, 0, 1);
      Atomics.notify(control, 0);
      Atomics.wait(control, 1, 0, 10_000);
      // it spun 150 ms of wall time: on a loaded machine it got less CPU, but some
      expect(clock.read()! - idle).toBeGreaterThan(5);
      Atomics.store(control, 0, 2);
      Atomics.notify(control, 0);
      await new Promise((resolve) => worker.once('exit', resolve));
      expect(clock.read()).toBeNull();
      clock.close();
    } finally {
      await worker.terminate();
    }
  });

  it('answers no clock for a thread that is not one of this process', () => {
    expect(openTaskClock(0)).toBeNull();
    expect(openTaskClock(2 ** 30)).toBeNull();
  });
});
