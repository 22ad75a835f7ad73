/**
 * `npm run bench:reads`: the read side on a generated database (`npm run bench:data`). Starts the
 * server against BENCH_READS_DATABASE_URL, signs in as each role (admin, a staff member of one
 * group, a process owner of one key, an auditor, a requester without roles) and times the list
 * endpoints as the app calls them, through HTTP, one request at a time: open and completed tasks
 * (in the default order, and open ones by due date, record and creation, completed ones by record
 * and creation), instances, records, the history of one instance the caller may see; and the KPI report over a
 * quarter. Prints p50 / p99 per endpoint and role, then one last line of JSON with every figure.
 * Beside the wall times, the CPU time per request of the server process and of the database's
 * sessions (Linux /proc, when the database runs on this machine; else null): on a loaded machine
 * these say more than the wall times do.
 *
 * Knobs: BENCH_READS_REPEATS (default 200 per endpoint and role, after 10 unmeasured ones),
 * BENCH_READS_KPI_REPEATS (default 20), BENCH_READS_WARMUP (default 10 unmeasured requests first),
 * BENCH_READS_ONLY (a regular expression over "<endpoint> <role>", e.g. `record` or `staff$`). `npm run bench` runs this as a child when
 * BENCH_READS_DATABASE_URL is set.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { BENCH_PASSWORD, BENCH_USERS } from './data';

const REPEATS = Number(process.env.BENCH_READS_REPEATS ?? 200);
const KPI_REPEATS = Number(process.env.BENCH_READS_KPI_REPEATS ?? 20);
const WARMUP = Number(process.env.BENCH_READS_WARMUP ?? 10);
/** Only the endpoints whose "<endpoint> <role>" matches this regular expression (default: all). */
const ONLY = process.env.BENCH_READS_ONLY ? new RegExp(process.env.BENCH_READS_ONLY) : null;
/** The goals of issue 11: lists and one instance's history, and the KPI report for a quarter. */
export const LIST_GOAL_MS = 20;
export const KPI_GOAL_MS = 200;

export interface ReadFigure {
  endpoint: string;
  role: string;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  /** Items on the first page and the page's total (what the caller saw). */
  items: number;
  total: number | null;
  goalMs: number;
  met: boolean;
  /** CPU time per request (user + system, ms) of the server process, and of the database sessions; null where /proc has none. */
  serverCpuMs: number | null;
  databaseCpuMs: number | null;
  /** Database sessions opened while the endpoint was timed (the server's pool closes idle ones; a new one plans cold). */
  sessionsOpened: number;
}

type Role = keyof typeof BENCH_USERS;

export async function benchReads(databaseUrl: string, log: (line: string) => void = console.log): Promise<ReadFigure[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'itsm-bench-reads-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = await startServer(port, databaseUrl, dataDir);
  const figures: ReadFigure[] = [];
  const sessions = new Client({ connectionString: databaseUrl });
  await sessions.connect();
  try {
    for (const role of Object.keys(BENCH_USERS) as Role[]) {
      const token = await signIn(base, BENCH_USERS[role]);
      const get = (path: string) => request(base, path, token);
      const first = await get('/api/instances?size=20');
      const instanceId = (first.body as { items: { id: string }[] }).items[0]?.id;
      const endpoints: [string, string, number, number][] = [
        ['tasks (open)', '/api/tasks?size=20', REPEATS, LIST_GOAL_MS],
        ['tasks (completed)', '/api/tasks?status=completed&size=20', REPEATS, LIST_GOAL_MS],
        // the other orders of the task list (the app's "Sort by")
        ['tasks (open, due)', '/api/tasks?sort=due&size=20', REPEATS, LIST_GOAL_MS],
        ['tasks (open, record)', '/api/tasks?sort=record&size=20', REPEATS, LIST_GOAL_MS],
        ['tasks (open, created)', '/api/tasks?sort=created&size=20', REPEATS, LIST_GOAL_MS],
        ['tasks (done, record)', '/api/tasks?status=completed&sort=record&size=20', REPEATS, LIST_GOAL_MS],
        ['tasks (done, created)', '/api/tasks?status=completed&sort=created&size=20', REPEATS, LIST_GOAL_MS],
        ['instances', '/api/instances?size=20', REPEATS, LIST_GOAL_MS],
        ['records', '/api/records?size=20', REPEATS, LIST_GOAL_MS],
      ];
      if (instanceId) endpoints.push(['instance history', `/api/instances/${instanceId}/history`, REPEATS, LIST_GOAL_MS]);
      if (role === 'admin') endpoints.push(['kpis (quarter)', `/api/kpis?from=${quarter().from}&to=${quarter().to}`, KPI_REPEATS, KPI_GOAL_MS]);
      for (const [endpoint, path, repeats, goalMs] of endpoints.filter(([name]) => !ONLY || ONLY.test(`${name} ${role}`))) {
        for (let i = 0; i < WARMUP; i++) await get(path);
        const times: number[] = [];
        let last: Answer | null = null;
        const serverBefore = cpuTicks([server.pid!]);
        const dbBefore = await sessionTicks(sessions);
        const openedBefore = await sessionsSoFar(sessions);
        for (let i = 0; i < repeats; i++) {
          const t = process.hrtime.bigint();
          last = await get(path);
          times.push(Number(process.hrtime.bigint() - t) / 1e6);
        }
        const serverAfter = cpuTicks([server.pid!]);
        const dbAfter = await sessionTicks(sessions);
        const sessionsOpened = (await sessionsSoFar(sessions)) - openedBefore;
        const serverCpuMs = serverBefore === null || serverAfter === null ? null : round(((serverAfter - serverBefore) * TICK_MS) / repeats);
        const databaseCpuMs = ticksBetween(dbBefore, dbAfter, repeats);
        times.sort((a, b) => a - b);
        const body = last!.body as { items?: unknown[]; total?: number } | unknown[];
        const items = Array.isArray(body) ? body.length : (body.items?.length ?? 0);
        const total = Array.isArray(body) ? null : (body.total ?? null);
        const p50Ms = round(percentile(times, 0.5));
        const p99Ms = round(percentile(times, 0.99));
        figures.push({ endpoint, role, requests: repeats, p50Ms, p99Ms, items, total, goalMs, met: p99Ms <= goalMs, serverCpuMs, databaseCpuMs, sessionsOpened });
        const cpu = `cpu/request server ${serverCpuMs?.toFixed(2) ?? '-'} ms, database ${databaseCpuMs?.toFixed(2) ?? '-'} ms; ${sessionsOpened} sessions opened`;
        log(`${endpoint.padEnd(21)} ${role.padEnd(10)} p50 ${p50Ms.toFixed(1).padStart(7)} ms  p99 ${p99Ms.toFixed(1).padStart(7)} ms  (${items} items, total ${total ?? '-'}; goal p99 <= ${goalMs} ms: ${p99Ms <= goalMs ? 'met' : 'NOT met'}; ${cpu})`);
      }
    }
  } finally {
    await sessions.end();
    await stopServer(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
  return figures;
}

/** /proc/<pid>/stat counts CPU time in clock ticks (USER_HZ, 100 on Linux). */
const TICK_MS = 10;

/** User + system CPU ticks of the processes, or null where /proc does not have them. */
function cpuTicks(pids: number[]): number | null {
  let sum = 0;
  for (const pid of pids) {
    try {
      // fields after "(comm)": state is the 3rd field, utime and stime the 14th and 15th
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\)\s+/s, '').split(/\s+/);
      sum += Number(fields[11]) + Number(fields[12]);
    } catch {
      return null;
    }
  }
  return sum;
}

/** CPU ticks of each session of the database (the server's pool), by process id; null where /proc does not show them. */
async function sessionTicks(own: Client): Promise<Map<number, number> | null> {
  const { rows } = await own.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
  const ticks = new Map<number, number>();
  for (const { pid } of rows) {
    const t = cpuTicks([pid]);
    if (t === null) return null;
    ticks.set(pid, t);
  }
  return ticks;
}

/** Sessions opened on the database so far (pg_stat_database, PostgreSQL 14+), this bench's own connection included. */
async function sessionsSoFar(own: Client): Promise<number> {
  const { rows } = await own.query<{ n: string }>('SELECT sessions::text AS n FROM pg_stat_database WHERE datname = current_database()');
  return Number(rows[0]?.n ?? 0);
}

/** CPU ms per request of the sessions alive at the end (one opened in between counts whole; one closed in between is missed). */
function ticksBetween(before: Map<number, number> | null, after: Map<number, number> | null, requests: number): number | null {
  if (!before || !after) return null;
  let sum = 0;
  for (const [pid, t] of after) sum += t - (before.get(pid) ?? 0);
  return round((sum * TICK_MS) / requests);
}

/** The last full calendar quarter before today. */
function quarter(): { from: string; to: string } {
  const now = new Date();
  const q = Math.floor(now.getUTCMonth() / 3);
  const to = new Date(Date.UTC(now.getUTCFullYear(), q * 3, 1));
  const from = new Date(Date.UTC(to.getUTCFullYear(), to.getUTCMonth() - 3, 1));
  return { from: from.toISOString(), to: to.toISOString() };
}

interface Answer {
  status: number;
  body: unknown;
}

async function request(base: string, path: string, token: string): Promise<Answer> {
  const res = await fetch(base + path, { headers: { authorization: `Bearer ${token}` } });
  const body: unknown = await res.json();
  if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
  return { status: res.status, body };
}

async function signIn(base: string, username: string): Promise<string> {
  const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: BENCH_PASSWORD }) });
  const body = (await res.json()) as { accessToken?: string };
  if (res.status !== 200 || !body.accessToken) throw new Error(`sign-in of ${username} answered ${res.status}: is this a database built by npm run bench:data?`);
  return body.accessToken;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? NaN;
}

const round = (n: number) => Math.round(n * 100) / 100;

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolvePort(port));
    });
    srv.on('error', reject);
  });
}

async function startServer(port: number, databaseUrl: string, dataDir: string): Promise<ChildProcess> {
  const child = fork(join(__dirname, '..', '..', 'api', 'main.js'), [], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: databaseUrl, DATA_DIR: dataDir, WORKERS: '1', LOG_LEVEL: 'warn', NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/health`)).ok) return child;
    } catch {
      /* not listening yet */
    }
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error('server did not become healthy within 120 s');
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

async function main(): Promise<void> {
  const url = process.env.BENCH_READS_DATABASE_URL;
  if (!url) throw new Error('set BENCH_READS_DATABASE_URL to a database built by npm run bench:data');
  console.log(`read side: ${REPEATS} requests per endpoint and role (KPIs: ${KPI_REPEATS}), one at a time, after ${WARMUP} unmeasured ones`);
  const figures = await benchReads(url);
  const failed = figures.filter((f) => !f.met);
  console.log(failed.length ? `goals not met: ${failed.map((f) => `${f.endpoint} as ${f.role} (p99 ${f.p99Ms} ms)`).join('; ')}` : 'every read goal met');
  console.log(JSON.stringify({ reads: figures, listGoalMs: LIST_GOAL_MS, kpiGoalMs: KPI_GOAL_MS, allMet: failed.length === 0 }));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  });
}
