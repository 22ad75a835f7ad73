// A stand-in for feel-worker.mjs in the sandbox's tests: it speaks the same protocol
// (worker-clock.mjs) but, instead of FEEL, "idle N" blocks its thread for N ms without using a CPU
// (as a worker a loaded machine leaves waiting does) and "burn N" uses N ms of CPU time (its own
// clock). It answers { idle | burn: N }.
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { sandboxProtocol, threadCpuClock } from '../worker-clock.mjs';

const protocol = sandboxProtocol(workerData.state);
const port = workerData.port;
const clock = threadCpuClock() ?? { now: () => performance.now() };
const sleeper = new Int32Array(new SharedArrayBuffer(4));

port.on('message', (request) => {
  protocol.begin();
  const [verb, amount] = String(request.source).split(' ');
  const ms = Number(amount);
  if (verb === 'idle') Atomics.wait(sleeper, 0, 0, ms);
  else if (verb === 'burn') {
    const from = clock.now();
    while (clock.now() - from < ms);
  }
  port.postMessage({ seq: request.seq, kind: 'ok', value: { [verb]: ms }, warnings: [] });
  protocol.end();
});
protocol.loaded();
parentPort?.postMessage('ready');
