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
    closeConnectionsLostWith(worker);
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

/** A handle as the cluster module passes it (the primary's libuv TCP handle of an accepted connection). */
interface PassedHandle {
  close(): void;
}

/**
 * Node's cluster module (round-robin scheduling, the default except on Windows) accepts each
 * connection in the primary and sends it to a worker over IPC ({cmd: 'NODE_CLUSTER', act: 'newconn',
 * seq} with the handle); the primary closes its own copy only when the worker acknowledges it
 * ({cmd: 'NODE_CLUSTER', ack: seq}). A worker that dies in between (sent, queued behind another
 * handle awaiting its NODE_HANDLE_ACK, or written into its dead channel) never acknowledges, and the
 * primary keeps the connection open forever: its client's request, already sent, is never answered
 * and the connection never closes, until the client gives up (Node's fetch after 300 s). Node does
 * not clean this up (lib/internal/cluster/round_robin_handle.js, Node 20, 22 and 24), so this does: it
 * notes each connection sent to `worker` until acknowledged, and closes those still unacknowledged
 * when the worker exits. Closing drops the last copy, so the client sees its connection end at
 * once and retries; the request was never read by a server, so nothing it asked for happened.
 */
export function closeConnectionsLostWith(worker: Worker): void {
  const child = worker.process as unknown as {
    send: (message: unknown, handle?: unknown, ...rest: unknown[]) => boolean;
    on(event: 'internalMessage', listener: (message: unknown) => void): unknown;
  };
  if (typeof child.send !== 'function') return;
  const unacknowledged = new Map<number, PassedHandle>();
  const send = child.send;
  child.send = function (this: unknown, message: unknown, handle?: unknown, ...rest: unknown[]) {
    const m = message as { cmd?: unknown; act?: unknown; seq?: unknown } | null;
    if (m?.cmd === 'NODE_CLUSTER' && m.act === 'newconn' && typeof m.seq === 'number' && isHandle(handle)) unacknowledged.set(m.seq, handle);
    return send.call(this, message, handle, ...rest);
  };
  child.on('internalMessage', (message: unknown) => {
    const m = message as { cmd?: unknown; ack?: unknown } | null;
    if (m?.cmd === 'NODE_CLUSTER' && typeof m.ack === 'number') unacknowledged.delete(m.ack);
  });
  worker.once('exit', () => {
    if (unacknowledged.size) {
      console.error(JSON.stringify({ level: 40, msg: `closed ${unacknowledged.size} connection(s) handed to the exited worker (pid ${worker.process.pid}) and never taken`, pid: process.pid }));
    }
    for (const handle of unacknowledged.values()) {
      try {
        handle.close();
      } catch {
        /* already closed */
      }
    }
    unacknowledged.clear();
  });
}

function isHandle(handle: unknown): handle is PassedHandle {
  return typeof handle === 'object' && handle !== null && typeof (handle as PassedHandle).close === 'function';
}
