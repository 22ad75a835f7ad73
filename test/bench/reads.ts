/**
 * `npm run bench:reads`: the read side on a generated database (`npm run bench:data`). Starts the
 * server against BENCH_READS_DATABASE_URL, signs in as each role (admin, a staff member of one
 * group, a process owner of one key, an auditor, a requester without roles) and times the list
 * endpoints as the app calls them, through HTTP, one request at a time: open and completed tasks
 * (in the default order, and open ones by due date, record and creation, completed ones by record
 * and creation), instances, records, the history of one instance the caller may see; and the KPI report over a
 * quarter. Prints p50 / p99 per endpoint and role, then one last line of JSON with every figure.
 *
 * Knobs: BENCH_READS_REPEATS (default 200 per endpoint and role, after 10 unmeasured ones),
 * BENCH_READS_KPI_REPEATS (default 20), BENCH_READS_WARMUP (default 10 unmeasured requests first),
 * BENCH_READS_ONLY (a regular expression over "<endpoint> <role>", e.g. `record` or `staff$`). `npm run bench` runs this as a child when
 * BENCH_READS_DATABASE_URL is set.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
}

type Role = keyof typeof BENCH_USERS;

export async function benchReads(databaseUrl: string, log: (line: string) => void = console.log): Promise<ReadFigure[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'itsm-bench-reads-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = await startServer(port, databaseUrl, dataDir);
  const figures: ReadFigure[] = [];
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
        for (let i = 0; i < repeats; i++) {
          const t = process.hrtime.bigint();
          last = await get(path);
          times.push(Number(process.hrtime.bigint() - t) / 1e6);
        }
        times.sort((a, b) => a - b);
        const body = last!.body as { items?: unknown[]; total?: number } | unknown[];
        const items = Array.isArray(body) ? body.length : (body.items?.length ?? 0);
        const total = Array.isArray(body) ? null : (body.total ?? null);
        const p50Ms = round(percentile(times, 0.5));
        const p99Ms = round(percentile(times, 0.99));
        figures.push({ endpoint, role, requests: repeats, p50Ms, p99Ms, items, total, goalMs, met: p99Ms <= goalMs });
        log(`${endpoint.padEnd(21)} ${role.padEnd(10)} p50 ${p50Ms.toFixed(1).padStart(7)} ms  p99 ${p99Ms.toFixed(1).padStart(7)} ms  (${items} items, total ${total ?? '-'}; goal p99 <= ${goalMs} ms: ${p99Ms <= goalMs ? 'met' : 'NOT met'})`);
      }
    }
  } finally {
    await stopServer(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
  return figures;
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
