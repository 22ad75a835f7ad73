// Starts and terminates the FEEL sandbox workers (see sandbox.ts) off the main thread: creating a
// worker blocks the creating thread for tens of milliseconds, which the server's event loop must
// not pay when an attack gets a worker killed. Plain JavaScript, like feel-worker.mjs.
import { setPriority } from 'node:os';
import { parentPort, Worker } from 'node:worker_threads';

// The lowest CPU priority for this thread (on Linux a thread's own, inherited by the threads it
// starts): a runaway expression competes with the server's event loop only for spare CPU.
try {
  setPriority(19);
} catch {
  // not permitted here: the thread runs at the process's priority
}

const WORKER_FILE = new URL('./feel-worker.mjs', import.meta.url);
const workers = new Map();

parentPort.on('message', (message) => {
  if (message.cmd === 'spawn') {
    const { id, state, port, memoryMb, file } = message;
    // `file`: another worker speaking the same protocol (tests only: sandbox.ts's SandboxOptions).
    const worker = new Worker(file ? new URL(file) : WORKER_FILE, {
      workerData: { state, port },
      transferList: [port],
      resourceLimits: { maxOldGenerationSizeMb: memoryMb, maxYoungGenerationSizeMb: Math.max(2, Math.floor(memoryMb / 8)), stackSizeMb: 4 },
      execArgv: [],
      env: {},
      stdout: true,
      stderr: true,
    });
    workers.set(id, worker);
    let reported = false;
    const died = (outOfMemory) => {
      if (reported) return;
      reported = true;
      workers.delete(id);
      parentPort.postMessage({ id, died: true, outOfMemory });
    };
    worker.on('error', (error) => died(error?.code === 'ERR_WORKER_OUT_OF_MEMORY'));
    worker.on('exit', () => died(false));
    worker.on('message', () => undefined);
  } else if (message.cmd === 'kill') {
    void workers.get(message.id)?.terminate().catch(() => undefined);
  }
});
