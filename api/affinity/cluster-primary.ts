import cluster, { type Worker } from 'node:cluster';
import { isAffinityMessage, type AffinityMessage, type ReplyMessage } from './protocol';

/** A worker that lived shorter than this before exiting is forked again only after RESTART_DELAY_MS (no busy crash loop). */
const SHORT_LIFE_MS = 10_000;
const RESTART_DELAY_MS = 2_000;

export interface ClusterSupervisor {
  /** Stops forking replacements and sends SIGTERM to every worker. */
  stop(): void;
}

/**
 * The cluster primary: forks `workers` server processes, each told its place (CLUSTER_WORKER =
 * "index/workers") for instance affinity (api/affinity/affinity-router.ts), relays the workers'
 * affinity messages by index, forks a replacement with the same index when a worker exits, and
 * answers `unavailable` for the calls an exited (or not yet listening) worker will never answer,
 * so that their callers run them themselves.
 */
export function superviseCluster(workers: number, env: NodeJS.ProcessEnv, execArgv: string[] = process.execArgv): ClusterSupervisor {
  // Structured clone on the IPC channel: dates in command answers stay dates. execArgv: V8's memory flags (api/config/v8-memory.ts).
  cluster.setupPrimary({ serialization: 'advanced', execArgv });
  const byIndex = new Map<number, Worker>();
  const listening = new Set<number>();
  /** Calls relayed to a worker and not yet answered: "from:id" → target index. */
  const inFlight = new Map<string, number>();
  let stopping = false;

  const deliver = (index: number, message: AffinityMessage): boolean => {
    const worker = byIndex.get(index);
    if (!worker || !listening.has(index) || !worker.isConnected()) return false;
    try {
      worker.send(message);
      return true;
    } catch {
      return false;
    }
  };
  const undelivered = (to: number, id: number): ReplyMessage => ({ affinity: 'reply', id, to, ok: false, undelivered: 'unavailable' });

  const relay = (from: number, message: unknown) => {
    if (!isAffinityMessage(message)) return;
    if (message.affinity === 'call') {
      const key = `${from}:${message.id}`;
      inFlight.set(key, message.to);
      if (!deliver(message.to, { ...message, from })) {
        inFlight.delete(key);
        deliver(from, undelivered(from, message.id));
      }
    } else if (message.affinity === 'reply') {
      inFlight.delete(`${message.to}:${message.id}`);
      deliver(message.to, message);
    } else if (message.affinity === 'bump') {
      deliver(message.target, message);
    }
  };

  const fork = (index: number) => {
    const worker = cluster.fork({ ...env, CLUSTER_WORKER: `${index}/${workers}` });
    const born = Date.now();
    byIndex.set(index, worker);
    worker.on('message', (message: unknown) => relay(index, message));
    // A send racing the worker's exit fails here; its caller is answered `unavailable` on 'exit'.
    worker.on('error', () => undefined);
    worker.on('listening', () => listening.add(index));
    worker.on('exit', (code, signal) => {
      if (byIndex.get(index) === worker) {
        byIndex.delete(index);
        listening.delete(index);
      }
      // The calls it held will not be answered: their callers run them themselves.
      for (const [key, target] of inFlight) {
        if (target !== index) continue;
        inFlight.delete(key);
        const [from, id] = key.split(':').map(Number) as [number, number];
        deliver(from, undelivered(from, id));
      }
      if (stopping) return;
      console.error(JSON.stringify({ level: 50, msg: `worker ${index} (pid ${worker.process.pid}) exited with ${signal ?? code}; forking a replacement`, pid: process.pid }));
      setTimeout(() => stopping || fork(index), Date.now() - born < SHORT_LIFE_MS ? RESTART_DELAY_MS : 0);
    });
  };

  for (let i = 0; i < workers; i++) fork(i);
  return {
    stop() {
      stopping = true;
      for (const worker of byIndex.values()) worker.kill('SIGTERM');
    },
  };
}
