import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { freePort } from './server-process';
import type { TestDatabase } from './test-database';

const ROOT = join(__dirname, '..', '..');

/** An HTTP answer as the multi-process suites read it: status and parsed JSON body. */
export interface Answer {
  status: number;
  body: any;
}

/**
 * Completes a task as a client does around a killed worker: sends again what got no answer, until
 * it is acknowledged (true) or answered 409 TASK_NOT_OPEN (false: a lost answer whose completion had
 * committed, which the retry is told). Throws after `tries` attempts.
 */
export async function completeRetrying(send: () => Promise<Answer | null>, what: string, tries: number, pauseMs: number): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    const answer = await send();
    if (answer?.status === 200) return true;
    if (answer?.status === 409 && answer.body.code === 'TASK_NOT_OPEN') return false;
    if (attempt > tries) throw new Error(`${what} never answered: ${JSON.stringify(answer)}`);
    await sleep(pauseMs);
  }
}

/** The real server (api/main.ts) run as `npm start` runs it, with WORKERS cluster workers. */
export interface ClusterServer {
  readonly port: number;
  readonly process: ChildProcess;
  /** What the primary and its workers printed so far. */
  output(): string;
  /** The worker processes (children of the primary) once `count` of them answer /api/health/live. */
  workerPids(count: number, timeoutMs?: number): Promise<number[]>;
  /** SIGTERM, then SIGKILL after 10 s. */
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /** Names the signing secret and history key of this test cluster. */
  name: string;
  admin: { username: string; password: string };
  workers?: number;
  /**
   * `served` (default): the workers use `db` as their DATABASE_URL (PostgreSQL, or the test's PGlite
   * protocol server). `embedded`: on PGlite the primary embeds its own PGlite in DATA_DIR and serves
   * it to the workers, as `npm start` without DATABASE_URL does (PostgreSQL still takes `db`).
   */
  database?: 'served' | 'embedded';
  env?: Record<string, string>;
}

/** Starts api/main.ts from the TypeScript sources and waits until every worker answers. */
export async function startClusterServer(db: TestDatabase, o: ClusterOptions): Promise<ClusterServer> {
  const port = await freePort();
  const workers = o.workers ?? 2;
  const embedded = o.database === 'embedded' && db.kind === 'pglite';
  const child = spawn(process.execPath, ['-r', join(ROOT, 'test/support/ts-register.cjs'), join(ROOT, 'api/main.ts')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      ...(embedded ? {} : { DATABASE_URL: db.databaseUrl }),
      DATA_DIR: embedded ? join(db.dataDir, 'server') : db.dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      WORKERS: String(workers),
      SEED_PROCESSES: 'false',
      AUTH_SECRET: `the signing secret of the ${o.name} test cluster`,
      HISTORY_KEY: `the history key of the ${o.name} test cluster, 32+ bytes`,
      ADMIN_USERNAME: o.admin.username,
      ADMIN_PASSWORD: o.admin.password,
      ...o.env,
    },
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const server: ClusterServer = {
    port,
    process: child,
    output: () => output,
    async workerPids(count, timeoutMs = 240_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}: ${output}`);
        const children = childrenOf(child.pid!);
        const seen = new Set<number>();
        for (let i = 0; i < 8 && children.length === count; i++) {
          const live = await healthOnNewConnection(port).catch(() => null);
          if (live) seen.add(live.details.process.pid);
        }
        if (children.length === count && children.every((pid) => seen.has(pid))) return children;
        await sleep(500);
      }
      throw new Error(`${count} workers did not come up: ${output}`);
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      // the grace timer is cleared once the server exited: left running, it kept jest from exiting
      let grace: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => (grace = setTimeout(r, 10_000)))]);
      clearTimeout(grace);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
  await server.workerPids(workers);
  return server;
}

/**
 * GET /api/health/live on a connection of its own (the cluster hands each new connection to the
 * next worker): its body when it answers 200, else null; a TimeoutError past `timeoutMs`.
 */
export function healthOnNewConnection(port: number, timeoutMs = 10_000): Promise<any> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/api/health/live', agent: false }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve(res.statusCode === 200 ? JSON.parse(text) : null));
    });
    req.on('error', reject);
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error(`no answer in ${timeoutMs} ms`), { name: 'TimeoutError' })));
    req.end();
  });
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
