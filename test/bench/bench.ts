/**
 * `npm run bench`: what one command costs on this machine, end to end and against bpmn-engine alone.
 *
 * Workloads (each run by BENCH_CLIENTS concurrent HTTP clients against a server of BENCH_WORKERS
 * processes, started as `npm start` starts it: the first start deploys processes/catalogue.json
 * with its forms and decision tables):
 *   - incident: processes/incident/incident_management.bpmn, started by the service desk, then
 *     classify → assign → diagnose → resolve → caller confirms, with valid form data (6 commands);
 *   - change: processes/change/change_management.bpmn, a normal low-risk change: raise (planned
 *     start BENCH_CHANGE_WINDOW_MS = 3000 ms ahead) → assess → authorise → (the window timer, fired
 *     by the server's poller; clients poll the task list) → implement → post-implementation review
 *     (5 commands + 1 timer); 16 × BENCH_CLIENTS instances run at once, never more than
 *     BENCH_CLIENTS requests in flight, so an instance waiting for its timer does not idle a client;
 *   - small / large: generated diagrams, start → first task → exclusive gateway → one of B branch
 *     tasks → joining gateway → last task → end (4 commands): B = 1 (13 elements) and B = 30
 *     (100 elements; elements = flow nodes + sequence flows). largeToSmallCost = server CPU per
 *     command on the large one ÷ on the small one (engineLargeToSmallCost: the same in bare engine).
 * Each workload: the clients run instances without pause; the clock is cut into windows of
 * BENCH_WINDOW_SECONDS. Warm-up: windows are run until two consecutive ones differ by < 5 % in both
 * commands/s and server CPU per command (the JIT and caches have settled), at most
 * BENCH_MAX_WARMUP_WINDOWS; then BENCH_REPEATS (≥ 3) measured windows; figures are the median of the
 * windows, with their min–max spread. Per window, from before/after readings:
 *   - server CPU: utime+stime of the server's processes (primary and workers) from /proc/<pid>/stat;
 *   - PostgreSQL CPU: the backends of the bench database (/proc, local server only; n/a otherwise),
 *     or the PGlite host process;
 *   - client CPU: process.cpuUsage() of this process (it only runs the HTTP clients meanwhile);
 *   - statements: the server's statement counter (STATEMENT_COUNTER_DIR, api/database/statement-counter.ts:
 *     every statement TypeORM sends, BEGIN/COMMIT included, timer poller and the change clients'
 *     polling reads included); transactions: pg_stat_database xact_commit + xact_rollback over all
 *     measured windows (pg_stat_statements is used instead when the server preloads it);
 *   - RSS: the largest server process's RSS sampled every 250 ms (rssMb), and all of them summed;
 *   - heap per warm engine (heapMbPerWarmEngine): after the HTTP part, `node --expose-gc
 *     engine-profile.js` with ENGINE_PROFILE_MODES=none parks ENGINE_PROFILE_PARKED (quick 100, else
 *     200) engines of each flow at their first wait state as the server keeps them, and divides the
 *     heap used after a full GC by their number (load-independent);
 *   - latency p50 / p99 of the commands completed in the window, commands/s.
 *   - latency by command kind (the start, and each task completion by its definition key): count,
 *     p50, p99, max over the measured windows together (`latencyByCommand`), to see which commands
 *     make the tail.
 * A window lasts at least BENCH_WINDOW_SECONDS and until every client completed a command. Before
 * the workloads, the idle server's statements/s and CPU/s (its timer pollers) are measured and
 * printed (`idle`): the per-command figures include that work.
 * Engine: the same definition, steps and variables run in this process by the project's
 * InstanceRunner (bpmn-engine with this project's extensions and service handlers, decision tables
 * from the same DMN files held in memory, live engines kept as the server keeps them), with no
 * persistence, HTTP, forms, records or history; CPU per command by process.cpuUsage(), warmed up and
 * repeated by the same rule. serverToEngine = serverCpuMsPerCommand ÷ engineCpuMsPerCommand.
 * Then: the raw-SQL reference (a transaction shaped like one command, with a snapshot the size of the
 * incident instances' real stored snapshots, measured), due timers fired by 1 then 2 server
 * processes (BENCH_TIMERS, after as many fired unmeasured on the same server so its fire path is
 * compiled; duplicates and early firings counted over both; server and PostgreSQL CPU and
 * statements per fired timer; then the bare engine's cold fire of the same instance in this process,
 * `timerEngine`: CPU, broker messages, and serverToEngine per process count), the execution-budget cost (`node
 * dist/test/bench/budget-cost.js`, unless BENCH_BUDGET=0) and, when BENCH_READS_DATABASE_URL is set
 * and dist/test/bench/reads.js exists, the read-side figures it prints (its last line, JSON).
 *
 * Database: PostgreSQL via DATABASE_URL (the bench creates a database of its own there and drops it),
 * else embedded PGlite hosted in a child process (pglite-host.ts).
 * Knobs: BENCH_QUICK=1 (shorter windows, fewer timers: < 3 min), BENCH_CLIENTS (16), BENCH_WORKERS (2),
 * BENCH_FLOWS (incident,change,small,large), BENCH_WINDOW_SECONDS (10; quick 3), BENCH_REPEATS (5;
 * quick 3), BENCH_MAX_WARMUP_WINDOWS (12; quick 3), BENCH_SQL_SECONDS (10; quick 3), BENCH_TIMERS
 * (2000; quick 1000), BENCH_TIMER_WARMUP (timers fired unmeasured first, as many as BENCH_TIMERS), BENCH_TIMER_POLL_MS (the workload server's TIMER_POLL_MS, 1000),
 * BENCH_BUDGET (1; 0 skips), BENCH_READS_DATABASE_URL, BENCH_ONLY=timers (only the timer part),
 * BENCH_TIMER_PROCESSES (1,2: the server process counts of the timer part), BENCH_SERVER_STDOUT (1: the servers'
 * stdout goes to the bench's, e.g. for `node --trace-gc-nvp dist/test/bench/bench.js`, whose V8 flags the servers
 * inherit; else dropped). The workload server runs with
 * ENGINE_TIME_BUDGET_MS=60000 (its default 2 s of CPU is passed on a loaded machine; the budget's
 * checks still run) unless ENGINE_TIME_BUDGET_MS is set. A command answered with an error is counted
 * (`errors`, `lastError`) and its instance abandoned; more than 10 % errors end the bench.
 *
 * Last line: one JSON object. Top level: the incident flow's figures {flow, elements, clients,
 * workers, commandsPerInstance, commandsPerSecond, p50Ms, p99Ms, latencyByCommand {<kind>: {count, p50Ms,
 * p99Ms, maxMs}}, serverCpuMsPerCommand,
 * postgresCpuMsPerCommand (null: n/a), clientCpuMsPerCommand,
 * engineCpuMsPerCommand, serverToEngine, statementsPerCommand, transactionsPerCommand, pollsPerCommand, snapshotBytes, errors, lastError, rssMb, rssTotalMb, heapMbPerWarmEngine,
 * warmEngineRatio (share of engine resumes that found the instance's engine warm, from the server's
 * itsm_engine_resumes_total on its METRICS_PORT), forwardsPerCommand (commands sent between workers to the instance's owner), retriesPerCommand (command transactions run again after a retryable conflict, itsm_transaction_retries_total),
 * busiestWorkerShare (the share of the workers' CPU that the busiest worker used: 1 ÷ workers when even; null with one process)}
 * (the first workload's when incident is not run), plus largeToSmallCost, engineLargeToSmallCost,
 * database, node (the version the bench and its servers run on), quick, windowSeconds, repeats, load (1-min load average at start and end), seconds,
 * timerPollMs, idle {statementsPerSecond, cpuMsPerSecond}, `flows` (the same figures for every
 * workload, each with `spread`: {min, max} per figure over the measured windows, and `warmup`:
 * {windows, settled, lastDifference, engineBatches, engineSettled}), `sql` {snapshotBytes,
 * transactionsPerSecond, p50Ms, p99Ms}, `timers` [{processes, timers, warmup, perSecond, duplicates, early,
 * serverCpuMsPerTimer, postgresCpuMsPerTimer, statementsPerTimer, serverToEngine}], `timerEngine` {cpuMsPerFire, spread,
 * brokerMessagesPerFire, brokerMessagesToResume, snapshotBytes} (null: no timer part),
 * `budget` (the lines budget-cost printed) and `reads` (reads.js's last line parsed, or null).
 */
import { fork, spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { Queue } from 'smqp';
import {
  builtInHandlers,
  checkExpression,
  compileDefinition,
  InstanceRunner,
  loadSourceContext,
  parseBusinessCalendar,
  ServiceHandlerRegistry,
  slaHandlers,
  type BusinessCalendar,
  type EngineSnapshot,
  type RunnableDefinition,
  type RunOutcome,
} from '../../engine';
import { runWithStore } from '../../engine/commands/current-store';
import { compileDecisions } from '../../engine/decisions/parse';
import type { DecisionRecord, DecisionStore } from '../../engine/decisions/ports';
import type { CommandStore } from '../../engine/persistence/ports';
import { gatewayDiagram } from './gateway-diagram';

const env = (name: string, fallback: number) => {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number`);
  return value;
};
const QUICK = process.env.BENCH_QUICK === '1';
const CLIENTS = env('BENCH_CLIENTS', 16);
const WORKERS = env('BENCH_WORKERS', 2);
const WINDOW_SECONDS = env('BENCH_WINDOW_SECONDS', QUICK ? 3 : 10);
const REPEATS = Math.max(3, env('BENCH_REPEATS', QUICK ? 3 : 5));
const MAX_WARMUP_WINDOWS = Math.max(2, env('BENCH_MAX_WARMUP_WINDOWS', QUICK ? 3 : 12));
const SQL_SECONDS = env('BENCH_SQL_SECONDS', QUICK ? 3 : 10);
const TIMERS = env('BENCH_TIMERS', QUICK ? 1000 : 2000);
/** Timers fired (unmeasured) before the measured burst, so the fire path is compiled as in a server that has run a while. */
const TIMER_WARMUP = env('BENCH_TIMER_WARMUP', TIMERS);
/** The workload server's timer poll interval (the server's default; the change flow waits for its window timer meanwhile; the timer bench polls every 20 ms). */
const TIMER_POLL_MS = env('BENCH_TIMER_POLL_MS', 1000);
/** How long after its start a change's planned start (its window timer) falls due. */
const CHANGE_WINDOW_MS = env('BENCH_CHANGE_WINDOW_MS', 3000);
/** `BENCH_ONLY=timers`: only the timer part (no flows, raw SQL, budget or reads). */
const ONLY_TIMERS = process.env.BENCH_ONLY === 'timers';
/** Server process counts the timer part runs with. */
const TIMER_PROCESSES = (process.env.BENCH_TIMER_PROCESSES ?? '1,2').split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0);
const FLOWS = (process.env.BENCH_FLOWS ?? 'incident,change,small,large').split(',').map((f) => f.trim()).filter(Boolean);
/** Two consecutive windows closer than this (relative) count as settled. */
const SETTLED = 0.05;
const ROOT = join(__dirname, '..', '..', '..');
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
const PAGE_BYTES = Number(execFileSync('getconf', ['PAGESIZE']).toString().trim()) || 4096;

// ---------------------------------------------------------------------------------------------
// Workloads: the same steps drive the HTTP clients and the in-process engine.

type Step =
  | { kind: 'start'; as: string; variables: () => Record<string, unknown> }
  | { kind: 'complete'; as: string; elementId: string; variables: () => Record<string, unknown> }
  /** A timer the server's poller fires (HTTP clients wait for the next task); the engine fires it. */
  | { kind: 'timer'; elementId: string };

interface Workload {
  name: string;
  key: string;
  /** Flow nodes + sequence flows of the process. */
  elements: number;
  /** The BPMN source and the DMN files its business rule tasks use (engine side). */
  xml: string;
  dmn: string[];
  /** Steps of one instance; `pick` varies the branch of the generated diagrams. */
  steps(pick: number): Step[];
}

/** Bench users: username → groups (all staff). */
const USERS: Record<string, string[]> = {
  sam: ['servicedesk'],
  rita: ['resolvers'],
  carl: [],
  rick: [],
  mike: ['change-managers'],
  ivan: ['change-implementers'],
  'bench-staff': ['bench'],
};
const PASSWORD = 'bench-user-password-1';
const ADMIN = { username: 'bench', password: 'bench-password-1' };

function countElements(xml: string): number {
  const process = xml.slice(xml.indexOf('<bpmn:process'), xml.indexOf('</bpmn:process>'));
  const tags = process.match(/<bpmn:(startEvent|endEvent|userTask|serviceTask|businessRuleTask|scriptTask|sendTask|receiveTask|manualTask|task|callActivity|subProcess|exclusiveGateway|parallelGateway|inclusiveGateway|eventBasedGateway|intermediateCatchEvent|intermediateThrowEvent|boundaryEvent|sequenceFlow)\b/g);
  return tags?.length ?? 0;
}

function generated(name: string, branches: number): Workload {
  const key = `bench_${name}`;
  const xml = gatewayDiagram(key, branches);
  return {
    name,
    key,
    elements: countElements(xml),
    xml,
    dmn: [],
    steps: (pick) => {
      const branch = pick % branches;
      return [
        { kind: 'start', as: 'bench-staff', variables: () => ({ branch }) },
        { kind: 'complete', as: 'bench-staff', elementId: 'first', variables: () => ({ note: 'first done' }) },
        { kind: 'complete', as: 'bench-staff', elementId: `b${branch}`, variables: () => ({ note: `branch ${branch} done` }) },
        { kind: 'complete', as: 'bench-staff', elementId: 'last', variables: () => ({ note: 'last done' }) },
      ];
    },
  };
}

const processFile = (...p: string[]) => readFileSync(join(ROOT, 'processes', ...p), 'utf8');

function workloads(): Workload[] {
  const incidentXml = processFile('incident', 'incident_management.bpmn');
  const changeXml = processFile('change', 'change_management.bpmn');
  const all: Workload[] = [
    {
      name: 'incident',
      key: 'incident_management',
      elements: countElements(incidentXml),
      xml: incidentXml,
      dmn: ['incident-priority.dmn', 'incident-sla-targets.dmn'].map((f) => processFile('incident', 'decisions', f)),
      steps: () => [
        { kind: 'start', as: 'sam', variables: () => ({ title: 'Mail server down', description: 'Nobody can send mail', caller: 'carl', channel: 'phone', category: 'software', impact: 'medium', urgency: 'low' }) },
        { kind: 'complete', as: 'sam', elementId: 'UT_LogClassify', variables: () => ({ classification: 'incident', category: 'software', major: false, resolvableAtL1: false }) },
        { kind: 'complete', as: 'sam', elementId: 'UT_AssignGroup', variables: () => ({ assignmentGroup: 'applications' }) },
        { kind: 'complete', as: 'rita', elementId: 'UT_InvestigateDiagnose', variables: () => ({ workNotes: 'Disk full', nextStep: 'resolved' }) },
        { kind: 'complete', as: 'rita', elementId: 'UT_ApplyResolution', variables: () => ({ resolutionCode: 'config_change', resolutionNotes: 'Restarted the mail relay', workaroundUsed: false, problemCandidate: false }) },
        { kind: 'complete', as: 'carl', elementId: 'UT_ConfirmResolution', variables: () => ({ confirmation: 'accepted', satisfaction: '4' }) },
      ],
    },
    {
      name: 'change',
      key: 'change_management',
      elements: countElements(changeXml),
      xml: changeXml,
      dmn: [processFile('change', 'decisions', 'change-authority.dmn')],
      steps: () => [
        // the window timer falls due CHANGE_WINDOW_MS after the start (a planned start already past when
        // the change is authorised takes another path: see `incomplete`)
        { kind: 'start', as: 'rick', variables: () => ({ title: 'Patch the mail relay', changeType: 'normal', description: 'apply the vendor patch', plannedStart: new Date(Date.now() + CHANGE_WINDOW_MS).toISOString() }) },
        { kind: 'complete', as: 'mike', elementId: 'UT_AssessRisk', variables: () => ({ risk: 'low', impactAssessment: 'mail relay down 5 min', backoutPlan: 'restore the snapshot' }) },
        { kind: 'complete', as: 'mike', elementId: 'UT_AuthoriseCM', variables: () => ({ decision: 'approve', authorisationComment: 'low risk' }) },
        { kind: 'timer', elementId: 'ICE_WaitWindow' },
        { kind: 'complete', as: 'ivan', elementId: 'UT_Implement', variables: () => ({ outcome: 'successful', actualStart: new Date().toISOString(), implementationNotes: 'done' }) },
        { kind: 'complete', as: 'mike', elementId: 'UT_PIR', variables: () => ({ reviewCompleted: true, lessonsLearned: 'went as planned' }) },
      ],
    },
    generated('small', 1),
    generated('large', 30),
  ];
  const unknown = FLOWS.filter((f) => !all.some((w) => w.name === f));
  if (unknown.length) throw new Error(`BENCH_FLOWS: unknown ${unknown.join(', ')} (known: ${all.map((w) => w.name).join(', ')})`);
  return all.filter((w) => FLOWS.includes(w.name));
}

const commandsOf = (w: Workload) => w.steps(0).filter((s) => s.kind !== 'timer').length;

// ---------------------------------------------------------------------------------------------
// Processes: server, database, /proc readings.

interface Database {
  url: string;
  label: string;
  /** The bench database's name (PostgreSQL), for its backends and pg_stat_database. */
  name: string;
  /** Process ids whose CPU is "the database's": the PGlite host, or null = the local server's backends. */
  hostPid: number | null;
  /** PostgreSQL backends are visible in /proc (the server runs on this machine). */
  local: boolean;
  close(): Promise<void>;
}

async function prepareDatabase(dataDir: string): Promise<Database> {
  const server = process.env.DATABASE_URL;
  if (server) {
    const name = `itsm_bench_${process.pid}_${Date.now()}`;
    await admin(server, `CREATE DATABASE ${name}`);
    const url = new URL(server);
    url.pathname = `/${name}`;
    const local = ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(url.hostname) && postgresProcesses(name, true).length > 0;
    return { url: url.toString(), label: 'PostgreSQL', name, hostPid: null, local, close: () => admin(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
  }
  const child = fork(join(__dirname, 'pglite-host.js'), [join(dataDir, 'pglite')], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m: { url: string }) => resolve(m.url));
    child.once('exit', (code) => reject(new Error(`the PGlite host exited with ${code}`)));
  });
  return {
    url,
    label: 'embedded PGlite (own process)',
    name: 'postgres',
    hostPid: child.pid!,
    local: true,
    close: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(10_000)]);
    },
  };
}

async function admin(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

interface Server {
  child: ChildProcess;
  base: string;
  counterDir: string;
  /** METRICS_PORT of the server (the primary aggregates its workers'). */
  metricsBase: string;
}

async function startServer(databaseUrl: string, dataDir: string, workers: number, timerPollMs: number): Promise<Server> {
  const port = await freePort();
  const metricsPort = await freePort();
  const counterDir = mkdtempSync(join(dataDir, 'statements-'));
  const child = fork(join(__dirname, '..', '..', 'api', 'main.js'), [], {
    env: {
      ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: databaseUrl, DATA_DIR: dataDir, WORKERS: String(workers),
      LOG_LEVEL: 'warn', NODE_ENV: 'production', TIMER_POLL_MS: String(timerPollMs), ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password,
      SEED_PROCESSES: 'true', STATEMENT_COUNTER_DIR: counterDir, METRICS_PORT: String(metricsPort),
      // on a loaded shared machine a command's wall time can pass the default 2 s budget: the
      // budget's checks still run, only its limit is raised (its cost is measured by budget-cost)
      ENGINE_TIME_BUDGET_MS: process.env.ENGINE_TIME_BUDGET_MS ?? '60000',
    },
    stdio: ['ignore', process.env.BENCH_SERVER_STDOUT ? 'inherit' : 'ignore', 'inherit', 'ipc'],
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${base}/api/health`);
      // every worker must be up before the clock starts
      if (res.ok && serverPids(child.pid!).length >= workers + (workers > 1 ? 1 : 0)) {
        await sleep(1000);
        return { child, base, counterDir, metricsBase: `http://127.0.0.1:${metricsPort}` };
      }
    } catch {
      /* not listening yet */
    }
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    await sleep(200);
  }
  child.kill('SIGKILL');
  throw new Error('server did not become healthy within 180 s');
}

async function stopServer(server: Server): Promise<void> {
  const { child } = server;
  if (child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(10_000)]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  rmSync(server.counterDir, { recursive: true, force: true });
}

interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime, ms. */
  cpuMs: number;
  rssBytes: number;
}

function procStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(f[1]), cpuMs: ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK, rssBytes: Number(f[21]) * PAGE_BYTES };
  } catch {
    return null; // gone
  }
}

function allPids(): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
}

/** The server's primary and its descendants (cluster workers). */
function serverPids(root: number): number[] {
  const stats = allPids().map(procStat).filter((s): s is ProcStat => s !== null);
  const pids = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const s of stats) {
      if (!pids.has(s.ppid) || pids.has(s.pid)) continue;
      pids.add(s.pid);
      grew = true;
    }
  }
  return [...pids];
}

/** PostgreSQL backends of `database` (their process title names it). */
function postgresProcesses(database: string, any = false): number[] {
  const out: number[] = [];
  for (const pid of allPids()) {
    let cmd: string;
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (!cmd.startsWith('postgres: ')) continue;
    if (any || cmd.includes(` ${database} `)) out.push(pid);
  }
  return out;
}

const cpuOf = (pids: number[]) => pids.reduce((sum, pid) => sum + (procStat(pid)?.cpuMs ?? 0), 0);

function statementCount(dir: string): number {
  let total = 0;
  for (const file of readdirSync(dir)) {
    if (file.endsWith('.tmp')) continue;
    // written in place (api/database/statement-counter.ts): a read racing the write differs from the next one
    const read = () => Number(readFileSync(join(dir, file), 'utf8')) || 0;
    let value = read();
    for (let again = read(), tries = 0; again !== value && tries < 10; again = read(), tries++) value = again;
    total += value;
  }
  return total;
}

// ---------------------------------------------------------------------------------------------
// HTTP clients.

interface Clients {
  tokens: Record<string, string>;
}

async function login(base: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (res.status !== 200) throw new Error(`login of ${username} answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

/** Signs in as the administrator and creates (once) the bench users in the groups of the reference flows' lanes. */
async function signIn(base: string): Promise<Clients> {
  const adminToken = await login(base, ADMIN.username, ADMIN.password);
  const post = async (path: string, body: unknown) => {
    const res = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` }, body: JSON.stringify(body) });
    if (res.status !== 201 && res.status !== 409) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
  };
  await post('/api/groups', { name: 'bench' });
  const tokens: Record<string, string> = { admin: adminToken };
  for (const [username, groups] of Object.entries(USERS)) {
    await post('/api/users', { username, password: PASSWORD, roles: ['staff'], groups });
    tokens[username] = await login(base, username, PASSWORD);
  }
  return { tokens };
}

async function deploy(base: string, clients: Clients, xml: string): Promise<void> {
  const res = await fetch(`${base}/api/definitions`, { method: 'POST', headers: { 'content-type': 'application/xml', authorization: `Bearer ${clients.tokens.admin}` }, body: xml });
  if (res.status !== 201 && res.status !== 200) throw new Error(`deploy answered ${res.status}: ${await res.text()}`);
}

interface TaskRow {
  id: string;
  elementId: string;
}

/** Counters the windows read: completed commands with their latencies, polling reads. */
class Tally {
  latencies: number[] = [];
  /** The kind of each command in `latencies` (same index): `start`, or the completed task's definition key. */
  kinds: string[] = [];
  polls = 0;
  instances = 0;
  /** Instances still running after their last step (every command succeeded). */
  incomplete = 0;
  /** Commands answered with an error (the instance is abandoned, the client starts another). */
  errors = 0;
  lastError = '';
}

/**
 * At most BENCH_CLIENTS requests in flight: an instance waiting for a timer holds no client (the
 * change workload runs more instances than clients, so the window timer does not idle a client).
 */
class Permits {
  private free = CLIENTS;
  private readonly waiting: (() => void)[] = [];

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((r) => this.waiting.push(r));
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}
const permits = new Permits();

async function post(base: string, token: string, path: string, body: unknown, tally: Tally, kind: string): Promise<any> {
  return permits.run(async () => {
    const t0 = performance.now();
    const res = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
    const json = await res.json();
    if (!res.ok) throw new Error(`${path} answered ${res.status}: ${JSON.stringify(json)}`);
    tally.latencies.push(performance.now() - t0);
    tally.kinds.push(kind);
    return json;
  });
}

async function openTask(base: string, token: string, instanceId: string, elementId: string, tally: Tally): Promise<TaskRow> {
  const deadline = performance.now() + 60_000;
  for (;;) {
    tally.polls++;
    const items = await permits.run(async () => {
      const res = await fetch(`${base}/api/tasks?instanceId=${instanceId}&status=open`, { headers: { authorization: `Bearer ${token}` } });
      if (!res.ok) throw new Error(`task list answered ${res.status}: ${await res.text()}`);
      return ((await res.json()) as { items: TaskRow[] }).items;
    });
    const found = items.find((t) => t.elementId === elementId);
    if (found) return found;
    if (performance.now() > deadline) throw new Error(`task ${elementId} of instance ${instanceId} did not open within 60 s`);
    await sleep(Math.min(250, TIMER_POLL_MS / 4));
  }
}

/** Runs one instance's steps; when `stopping()` turns true between steps, the instance is left where it is. */
async function runInstanceHttp(base: string, clients: Clients, w: Workload, pick: number, tally: Tally, stopping: () => boolean): Promise<void> {
  let instanceId = '';
  let tasks: TaskRow[] = [];
  const steps = w.steps(pick);
  let status = '';
  for (const step of steps) {
    if (stopping() && step.kind !== 'start') return;
    if (step.kind === 'timer') {
      tasks = []; // the server's poller fires it; the next step waits for its task
      continue;
    }
    const token = clients.tokens[step.as]!;
    if (step.kind === 'start') {
      const started = await post(base, token, '/api/instances', { definitionKey: w.key, variables: step.variables() }, tally, 'start');
      instanceId = started.instance.id;
      tasks = started.tasks ?? [];
      continue;
    }
    const task = tasks.find((t) => t.elementId === step.elementId) ?? (await openTask(base, token, instanceId, step.elementId, tally));
    const done = await post(base, token, `/api/tasks/${task.id}/complete`, { variables: step.variables() }, tally, step.elementId);
    tasks = done.tasks ?? [];
    status = done.instance.status;
  }
  tally.instances++;
  if (status !== 'completed') tally.incomplete++;
}

// ---------------------------------------------------------------------------------------------
// Windows, warm-up, repeats.

interface Window {
  seconds: number;
  commands: number;
  commandsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  serverCpuMsPerCommand: number;
  postgresCpuMsPerCommand: number | null;
  clientCpuMsPerCommand: number;
  statementsPerCommand: number;
  pollsPerCommand: number;
  /** Commands answered with an error in the window. */
  errors: number;
  rssMb: number;
  rssTotalMb: number;
  /** Share of the engine runs of existing instances that found their engine warm (itsm_engine_resumes_total); null without metrics. */
  warmRatio: number | null;
  /** Commands a worker sent to the worker owning their instance (itsm_affinity_forwards_total), per command. */
  forwardsPerCommand: number | null;
  /** Command transactions run again after a retryable conflict (itsm_transaction_retries_total), per command. */
  retriesPerCommand: number | null;
  /** The busiest worker's share of the workers' CPU in the window (null: one server process). */
  busiestWorkerShare: number | null;
}

interface Reading {
  at: number;
  commands: number;
  polls: number;
  serverCpu: number;
  /** CPU of each cluster worker (not the primary), in the order of `workerPids`. */
  workerCpu: number[];
  pgCpu: number | null;
  clientCpu: number;
  statements: number;
  errors: number;
  engine: EngineCounters | null;
}

interface EngineCounters {
  warm: number;
  cold: number;
  forwarded: number;
  retries: number;
}

/** The server's warm/cold engine resumes and forwarded commands, from its metrics port (null when it does not answer). */
async function engineCounters(server: Server): Promise<EngineCounters | null> {
  try {
    const res = await fetch(`${server.metricsBase}/metrics`);
    if (!res.ok) return null;
    const text = await res.text();
    const sample = (pattern: RegExp) => text.split('\n').reduce((sum, line) => sum + (pattern.test(line) ? Number(line.split(' ').pop()) : 0), 0);
    return {
      warm: sample(/^itsm_engine_resumes_total\{[^}]*warm="hit"/),
      cold: sample(/^itsm_engine_resumes_total\{[^}]*warm="miss"/),
      forwarded: sample(/^itsm_affinity_forwards_total\{/),
      retries: sample(/^itsm_transaction_retries_total(\{| )/),
    };
  } catch {
    return null;
  }
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}
const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 0.5);
const differ = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-9);

interface Spread {
  min: number;
  max: number;
}

/** Latency of one kind of command (the start, or the completion of one task definition key) over the measured windows. */
interface KindLatency {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Latencies by command kind, in the order the kinds first occur. */
function latencyByKind(latencies: number[], kinds: string[]): Record<string, KindLatency> {
  const by = new Map<string, number[]>();
  latencies.forEach((ms, i) => {
    const kind = kinds[i]!;
    if (!by.has(kind)) by.set(kind, []);
    by.get(kind)!.push(ms);
  });
  const out: Record<string, KindLatency> = {};
  for (const [kind, xs] of by) {
    xs.sort((a, b) => a - b);
    out[kind] = { count: xs.length, p50Ms: round(percentile(xs, 0.5), 1)!, p99Ms: round(percentile(xs, 0.99), 1)!, maxMs: round(xs.at(-1)!, 1)! };
  }
  return out;
}

interface Measured {
  windows: Window[];
  /** Latency per command kind over all measured windows together. */
  latencyByCommand: Record<string, KindLatency>;
  /** The last error a client saw, if any. */
  lastError: string | null;
  /** Mean size of the stored snapshots of this flow's running instances, under load (bytes of jsonb text). */
  snapshotBytes: number | null;
  /** Instances run to their last step (warm-up included), and those of them still running after it. */
  instances: number;
  incompleteInstances: number;
  warmup: { windows: number; settled: boolean; lastDifference: number };
  transactionsPerCommand: number | null;
}

interface Idle {
  statementsPerSecond: number;
  cpuMsPerSecond: number;
}

async function measureHttp(server: Server, database: Database, clients: Clients, w: Workload): Promise<Measured> {
  const tally = new Tally();
  const pids = serverPids(server.child.pid!);
  // The cluster's workers (the primary, when there is one, is the bench's child: it relays and does no command).
  const workerPids = pids.length > 1 ? pids.filter((pid) => pid !== server.child.pid) : [];
  const pgPids = () => (database.hostPid ? [database.hostPid] : database.local ? postgresProcesses(database.name) : []);
  const pgKnown = database.hostPid !== null || database.local;
  const read = async (): Promise<Reading> => {
    // One read of each server process's /proc stat: the server's CPU is their sum, the workers' their own.
    const cpu = new Map(pids.map((pid) => [pid, procStat(pid)?.cpuMs ?? 0]));
    return {
      at: performance.now(),
      commands: tally.latencies.length,
      polls: tally.polls,
      serverCpu: [...cpu.values()].reduce((sum, ms) => sum + ms, 0),
      workerCpu: workerPids.map((pid) => cpu.get(pid)!),
      pgCpu: pgKnown ? cpuOf(pgPids()) : null,
      clientCpu: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
      statements: statementCount(server.counterDir),
      errors: tally.errors,
      engine: await engineCounters(server),
    };
  };
  let rssMax = 0;
  let rssTotalMax = 0;
  const sampler = setInterval(() => {
    const rss = pids.map((p) => procStat(p)?.rssBytes ?? 0);
    rssMax = Math.max(rssMax, ...rss);
    rssTotalMax = Math.max(rssTotalMax, rss.reduce((a, b) => a + b, 0));
  }, 250);
  let stop = false;
  let failure: unknown = null;
  let pick = 0;
  const runners = w.steps(0).some((step) => step.kind === 'timer') ? CLIENTS * 16 : CLIENTS;
  const running = Array.from({ length: runners }, async () => {
    while (!stop && !failure) {
      try {
        await runInstanceHttp(server.base, clients, w, pick++, tally, () => stop);
      } catch (error) {
        tally.errors++;
        tally.lastError = error instanceof Error ? error.message : String(error);
        // an error is a figure (reported); a server that answers mostly errors ends the bench
        if (tally.errors > 20 && tally.errors > tally.latencies.length / 10) failure ??= error;
      }
    }
  });
  let windowNo = 0;
  const window = async (): Promise<Window> => {
    rssMax = 0;
    rssTotalMax = 0;
    const a = await read();
    await sleep(WINDOW_SECONDS * 1000);
    // at least one command per client in a window, so that per-command figures mean something
    while (tally.latencies.length - a.commands < CLIENTS && !failure) await sleep(100);
    const b = await read();
    if (failure) throw failure;
    const errors = tally.errors - a.errors;
    const commands = b.commands - a.commands;
    const sorted = tally.latencies.slice(a.commands, b.commands).sort((x, y) => x - y);
    const seconds = (b.at - a.at) / 1000;
    const resumes = a.engine && b.engine ? b.engine.warm - a.engine.warm + (b.engine.cold - a.engine.cold) : 0;
    const warmRatio = a.engine && b.engine && resumes > 0 ? (b.engine.warm - a.engine.warm) / resumes : null;
    const forwardsPerCommand = a.engine && b.engine ? (b.engine.forwarded - a.engine.forwarded) / commands : null;
    const retriesPerCommand = a.engine && b.engine ? (b.engine.retries - a.engine.retries) / commands : null;
    const workerCpu = b.workerCpu.map((cpu, i) => cpu - (a.workerCpu[i] ?? 0));
    const workersCpu = workerCpu.reduce((sum, cpu) => sum + cpu, 0);
    const busiestWorkerShare = workerCpu.length > 1 && workersCpu > 0 ? Math.max(...workerCpu) / workersCpu : null;
    console.log(
      `    ${w.name} window ${++windowNo}: ${commands} commands in ${seconds.toFixed(1)} s = ${(commands / seconds).toFixed(0)}/s, server CPU ${((b.serverCpu - a.serverCpu) / commands).toFixed(2)} ms per command${warmRatio === null ? '' : `, warm engines ${(warmRatio * 100).toFixed(0)} %`}${busiestWorkerShare === null ? '' : `, busiest worker ${(busiestWorkerShare * 100).toFixed(0)} % of the workers' CPU`}${errors ? `, ${errors} errors` : ''}`,
    );
    return {
      seconds,
      commands,
      commandsPerSecond: commands / seconds,
      p50Ms: percentile(sorted, 0.5),
      p99Ms: percentile(sorted, 0.99),
      serverCpuMsPerCommand: (b.serverCpu - a.serverCpu) / commands,
      postgresCpuMsPerCommand: a.pgCpu === null || b.pgCpu === null ? null : (b.pgCpu - a.pgCpu) / commands,
      clientCpuMsPerCommand: (b.clientCpu - a.clientCpu) / commands,
      statementsPerCommand: (b.statements - a.statements) / commands,
      pollsPerCommand: (b.polls - a.polls) / commands,
      errors,
      rssMb: rssMax / 2 ** 20,
      rssTotalMb: rssTotalMax / 2 ** 20,
      warmRatio,
      forwardsPerCommand,
      retriesPerCommand,
      busiestWorkerShare,
    };
  };
  try {
    let previous = await window();
    let warmups = 1;
    let lastDifference = 1;
    let settled = false;
    while (warmups < MAX_WARMUP_WINDOWS) {
      const next = await window();
      warmups++;
      lastDifference = Math.max(differ(previous.commandsPerSecond, next.commandsPerSecond), differ(previous.serverCpuMsPerCommand, next.serverCpuMsPerCommand));
      previous = next;
      if (lastDifference < SETTLED) {
        settled = true;
        break;
      }
    }
    const xacts0 = await transactions(database);
    const windows: Window[] = [];
    const commands0 = tally.latencies.length;
    for (let i = 0; i < REPEATS; i++) windows.push(await window());
    const commands = tally.latencies.length - commands0;
    const latencyByCommand = latencyByKind(tally.latencies.slice(commands0), tally.kinds.slice(commands0));
    const xacts1 = await transactions(database);
    const snapshotBytes = await snapshotSize(database.url, w.key);
    return { windows, latencyByCommand, snapshotBytes, instances: tally.instances, incompleteInstances: tally.incomplete, lastError: tally.lastError || null, warmup: { windows: warmups, settled, lastDifference }, transactionsPerCommand: xacts0 === null || xacts1 === null ? null : (xacts1 - xacts0) / commands };
  } finally {
    stop = true;
    clearInterval(sampler);
    await Promise.all(running);
  }
}

/** Committed + rolled back transactions of the bench database (pg_stat_database; flushed by backends at most once a second). */
/** What the server does with no client: its timer pollers and housekeeping, per second. */
async function idleCost(server: Server): Promise<Idle> {
  const pids = serverPids(server.child.pid!);
  await sleep(500);
  const t0 = performance.now();
  const [s0, c0] = [statementCount(server.counterDir), cpuOf(pids)];
  await sleep(QUICK ? 2000 : 5000);
  const seconds = (performance.now() - t0) / 1000;
  return { statementsPerSecond: (statementCount(server.counterDir) - s0) / seconds, cpuMsPerSecond: (cpuOf(pids) - c0) / seconds };
}

async function transactions(database: Database): Promise<number | null> {
  const client = new Client({ connectionString: database.url });
  try {
    await client.connect();
    await sleep(1100);
    await client.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await client.query(`SELECT (xact_commit + xact_rollback)::bigint AS n FROM pg_stat_database WHERE datname = current_database()`);
    // this reading's own transactions (clear_snapshot, this select) are 2 per reading: negligible
    return rows[0] ? Number(rows[0].n) : null;
  } catch {
    return null;
  } finally {
    await client.end().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------
// The same steps in-process: InstanceRunner (bpmn-engine + this project's engine layer), no persistence.

class MemoryDecisions implements Pick<DecisionStore, 'latestDecision' | 'decisionVersion' | 'decisionXml'> {
  private readonly byKey = new Map<string, { record: DecisionRecord; xml: string }>();

  static async of(files: string[]): Promise<MemoryDecisions> {
    const store = new MemoryDecisions();
    for (const xml of files) {
      for (const table of (await compileDecisions(xml, { maxBytes: Number.MAX_SAFE_INTEGER })).decisions) {
        store.byKey.set(table.key, {
          xml,
          record: { id: `bench-${table.key}`, key: table.key, version: 1, name: null, hitPolicy: table.hitPolicy, sha256: '', deployedBy: null, deployedAt: new Date(0).toISOString() },
        });
      }
    }
    return store;
  }

  async latestDecision(key: string): Promise<DecisionRecord | null> {
    return this.byKey.get(key)?.record ?? null;
  }

  async decisionVersion(key: string, version: number): Promise<DecisionRecord | null> {
    return version === 1 ? this.latestDecision(key) : null;
  }

  async decisionXml(id: string): Promise<string | null> {
    return [...this.byKey.values()].find((d) => d.record.id === id)?.xml ?? null;
  }
}

interface EngineFigures {
  cpuMsPerCommand: number;
  spread: Spread;
  warmup: { batches: number; settled: boolean };
  instancesPerBatch: number;
}

async function measureEngine(w: Workload, calendars: Map<string, BusinessCalendar>): Promise<EngineFigures> {
  const calendar = (name: string): BusinessCalendar => {
    const found = calendars.get(name);
    if (!found) throw new Error(`no business calendar "${name}"`);
    return found;
  };
  const handlers = new ServiceHandlerRegistry([...builtInHandlers, ...slaHandlers(calendar)]);
  const runner = new InstanceRunner(handlers, undefined, 'UTC', 64, calendar);
  const compiled = await compileDefinition(w.xml, { knownHandlers: handlers.names(), checkExpression });
  const definition: RunnableDefinition = { id: `bench-${w.key}`, key: compiled.processId, version: 1, sourceContext: loadSourceContext(compiled.serialized) };
  const store = { decisions: await MemoryDecisions.of(w.dmn) } as unknown as CommandStore;
  let serial = 0;
  const runOne = async (pick: number) => {
    const instanceId = `bench-${++serial}`;
    const ctx = { instanceId, businessKey: null };
    let snapshot: EngineSnapshot | null = null;
    let revision = 0;
    const open = new Map<string, string>();
    const apply = (outcome: RunOutcome) => {
      for (const t of outcome.createdTasks) open.set(t.elementId, t.executionId);
      const waiting = new Set(outcome.waitingTaskExecutionIds);
      for (const [element, execution] of open) if (!waiting.has(execution)) open.delete(element);
      snapshot = outcome.state;
      revision++;
      runner.keep(instanceId, revision, outcome.live);
    };
    for (const step of w.steps(pick)) {
      if (step.kind === 'start') {
        apply(await runner.start(definition, ctx, { ...step.variables(), recordNumber: `BENCH${serial}` }));
      } else if (step.kind === 'timer') {
        apply(await runner.resume(definition, ctx, snapshot!, (engine) => {
          const timer = engine.timers().find((t) => t.elementId === step.elementId);
          return timer ? engine.fireTimer(timer.executionId) : true;
        }, { revision }));
      } else {
        const executionId = open.get(step.elementId);
        if (!executionId) throw new Error(`engine: no open task ${step.elementId} in ${w.name} (open: ${[...open.keys()].join(', ')})`);
        const variables = step.variables();
        apply(await runner.resume(definition, ctx, snapshot!, (engine) => {
          engine.signal(executionId, variables);
          return true;
        }, { revision }));
      }
    }
    if (snapshot !== null) throw new Error(`engine: the ${w.name} instance did not complete`);
    runner.forget(instanceId);
  };
  const perCommand = async (instances: number) => {
    const t0 = process.cpuUsage();
    for (let i = 0; i < instances; i++) await runWithStore(store, () => runOne(i));
    const used = process.cpuUsage(t0);
    return (used.user + used.system) / 1000 / (instances * commandsOf(w));
  };
  // batches of about WINDOW_SECONDS / 4 of CPU: sized from a first timed batch
  const probe = await perCommand(20);
  const instances = Math.max(20, Math.round((WINDOW_SECONDS * 250) / (probe * commandsOf(w))));
  let previous = await perCommand(instances);
  let batches = 1;
  let settled = false;
  while (batches < MAX_WARMUP_WINDOWS) {
    const next = await perCommand(instances);
    batches++;
    const close = differ(previous, next) < SETTLED;
    previous = next;
    if (close) {
      settled = true;
      break;
    }
  }
  const runs: number[] = [];
  for (let i = 0; i < REPEATS; i++) runs.push(await perCommand(instances));
  return { cpuMsPerCommand: median(runs), spread: { min: Math.min(...runs), max: Math.max(...runs) }, warmup: { batches, settled }, instancesPerBatch: instances };
}

async function loadCalendars(url: string): Promise<Map<string, BusinessCalendar>> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string; definition: Record<string, unknown> }>('SELECT name, definition FROM business_calendar');
    return new Map(rows.map((r) => [r.name, parseBusinessCalendar({ ...r.definition, name: r.name } as Parameters<typeof parseBusinessCalendar>[0])]));
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------
// Raw SQL reference, timers, budget, reads.

interface SqlFigures {
  snapshotBytes: number;
  transactionsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

async function snapshotSize(url: string, key: string): Promise<number | null> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT avg(octet_length(snapshot::text))::int AS n FROM process_instance WHERE definition_key = $1 AND snapshot IS NOT NULL`, [key]);
    return rows[0]?.n === null || rows[0]?.n === undefined ? null : Number(rows[0].n);
  } finally {
    await client.end();
  }
}

async function benchSql(url: string, snapshotBytes: number): Promise<SqlFigures> {
  const pool = new Pool({ connectionString: url, max: CLIENTS });
  // pool.end() resolves before its connections' sockets have closed: the bench database's DROP ... WITH (FORCE)
  // right after may terminate one (57P01), which an idle client reports on the pool (seen once: the bench exited)
  pool.on('error', () => undefined);
  await pool.query(`CREATE TABLE IF NOT EXISTS bench_instance (id int PRIMARY KEY, snapshot jsonb, revision int NOT NULL DEFAULT 0)`);
  await pool.query(`CREATE TABLE IF NOT EXISTS bench_history (id bigserial PRIMARY KEY, instance_id int, type text, payload jsonb, at timestamptz DEFAULT now())`);
  await pool.query(`CREATE TABLE IF NOT EXISTS bench_task (id bigserial PRIMARY KEY, instance_id int, element_id text, status text, created_at timestamptz DEFAULT now())`);
  await pool.query(`INSERT INTO bench_instance (id, snapshot) SELECT g, '{}' FROM generate_series(1, 1000) g ON CONFLICT DO NOTHING`);
  // a jsonb document of the measured size of a stored incident snapshot
  const state: { id: string; status: string; counters: { taken: number; discarded: number }; executionId: string }[] = [];
  while (JSON.stringify({ state }).length < snapshotBytes) state.push({ id: `element_${state.length}`, status: 'completed', counters: { taken: state.length, discarded: 0 }, executionId: `exec_${state.length}_abcdef` });
  const snapshot = JSON.stringify({ state });
  const latencies: number[] = [];
  const deadline = performance.now() + SQL_SECONDS * 1000;
  const t0 = performance.now();
  let n = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      const client = await pool.connect();
      try {
        while (performance.now() < deadline) {
          const id = (n++ % 1000) + 1;
          const s = performance.now();
          await client.query('BEGIN');
          await client.query('SELECT revision FROM bench_instance WHERE id = $1 FOR UPDATE', [id]);
          await client.query('UPDATE bench_instance SET snapshot = $2, revision = revision + 1 WHERE id = $1', [id, snapshot]);
          await client.query(`INSERT INTO bench_history (instance_id, type, payload) VALUES ($1, 'element.completed', '{"a":1}'), ($1, 'flow.taken', '{"b":2}'), ($1, 'element.waiting', '{"c":3}')`, [id]);
          await client.query(`INSERT INTO bench_task (instance_id, element_id, status) VALUES ($1, 'second', 'open')`, [id]);
          await client.query('COMMIT');
          latencies.push(performance.now() - s);
        }
      } finally {
        client.release();
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  await pool.end();
  const sorted = latencies.sort((a, b) => a - b);
  return { snapshotBytes: snapshot.length, transactionsPerSecond: latencies.length / seconds, p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99) };
}

const TIMER_XML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_bench_timer" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="bench-timer" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="first"/>
    <bpmn:intermediateCatchEvent id="first"><bpmn:timerEventDefinition><bpmn:timeDuration>P1D</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="first" targetRef="second"/>
    <bpmn:userTask id="second" name="Second" camunda:candidateGroups="bench"/>
    <bpmn:sequenceFlow id="f3" sourceRef="second" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>`;

interface TimerFigures {
  processes: number;
  timers: number;
  /** Timers fired before the measured burst (BENCH_TIMER_WARMUP). */
  warmup: number;
  perSecond: number;
  duplicates: number;
  /** Fired before their due time (history's timer.fired against the job's due time). */
  early: number;
  /** Server processes' CPU (user + system) per fired timer. */
  serverCpuMsPerTimer: number;
  /** The bench database's PostgreSQL backends' CPU per fired timer (null: server not local). */
  postgresCpuMsPerTimer: number | null;
  statementsPerTimer: number;
}

/**
 * Timer firing rate: TIMERS instances each waiting at a timer (one started through the API,
 * cloned in SQL) all fall due at once; the server's pollers fire them. Duplicates: timer.fired
 * history events beyond one per instance.
 */
async function benchTimers(database: Database, dataDir: string, workers: number): Promise<TimerFigures> {
  const url = database.url;
  const server = await startServer(url, dataDir, workers, 20);
  const client = new Client({ connectionString: url });
  await client.connect();
  // this connection's backend is the bench's, not the server's: left out of the PostgreSQL CPU
  const own = (await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
  const run = `timer-${workers}-${Date.now()}`;
  const tags: string[] = [];
  try {
    const clients = await signIn(server.base);
    await deploy(server.base, clients, TIMER_XML);
    /** `count` instances waiting at the timer, all made due at once; resolves once every one has fired (ms). */
    const burst = async (tag: string, count: number, atStart?: () => void): Promise<number> => {
      tags.push(tag);
      const template = (await post(server.base, clients.tokens['bench-staff']!, '/api/instances', { definitionKey: 'bench-timer', businessKey: tag }, new Tally(), 'start')).instance.id;
      await client.query(
        `INSERT INTO process_instance (id, definition_id, definition_key, definition_version, business_key, status, snapshot, variables,
                                       active_element_ids, revision, started_by, started_at, history_seq, history_hash)
         SELECT gen_random_uuid(), definition_id, definition_key, definition_version, business_key, status, snapshot, variables,
                active_element_ids, revision, started_by, started_at, 0, NULL
           FROM process_instance p, generate_series(1, $2::int) g WHERE p.id = $1`,
        [template, count - 1],
      );
      await client.query(
        `INSERT INTO timer_job (id, kind, instance_id, definition_id, definition_key, element_id, element_type, execution_id, spec, due_at, run_at, created_at)
         SELECT gen_random_uuid(), 'instance', p.id, j.definition_id, j.definition_key, j.element_id, j.element_type, j.execution_id, j.spec, j.due_at, j.run_at, now()
           FROM process_instance p, timer_job j WHERE j.instance_id = $1 AND p.business_key = $2 AND p.id <> $1`,
        [template, tag],
      );
      await sleep(500);
      atStart?.();
      const t0 = performance.now();
      await client.query(
        `UPDATE timer_job SET due_at = now(), run_at = now() WHERE id IN (SELECT j.id FROM timer_job j JOIN process_instance p ON p.id = j.instance_id WHERE j.kind = 'instance' AND p.business_key = $1)`,
        [tag],
      );
      for (;;) {
        // cheap (a scan of the small timer_job table): every earlier bench-timer instance has fired
        const { rows } = await client.query(`SELECT count(*)::int AS n FROM timer_job WHERE definition_key = 'bench-timer' AND kind = 'instance'`);
        if (rows[0].n === 0) break;
        if (performance.now() - t0 > 600_000) throw new Error('timers did not all fire within 10 minutes');
        await sleep(20);
      }
      return performance.now() - t0;
    };
    // A server that has run for a while has compiled the fire path (JIT): the same burst first,
    // unmeasured, as the workloads warm up before their windows (each process fires its share).
    if (TIMER_WARMUP > 0) await burst(`${run}-warmup`, TIMER_WARMUP);
    const pids = serverPids(server.child.pid!);
    const backends = () => (database.local ? postgresProcesses(database.name).filter((pid) => pid !== own) : []);
    let [s0, c0, pg0] = [0, 0, 0];
    // measured from the moment the timers fall due (the template's start and the clones come before)
    const elapsed = await burst(run, TIMERS, () => {
      [s0, c0, pg0] = [statementCount(server.counterDir), cpuOf(pids), cpuOf(backends())];
    });
    const perSecond = TIMERS / (elapsed / 1000);
    const [c1, pg1] = [cpuOf(pids), cpuOf(backends())];
    await sleep(1100); // the statement counters are flushed about once a second
    const statements = statementCount(server.counterDir) - s0;
    // every burst's timers, the warm-up's too: a timer fired twice or early there is as wrong
    const { rows } = await client.query(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE h.occurred_at < (h.payload->>'dueAt')::timestamptz)::int AS early
         FROM history_event h JOIN process_instance p ON p.id = h.instance_id WHERE p.business_key = ANY($1) AND h.type = 'timer.fired'`,
      [tags],
    );
    return {
      processes: workers, timers: TIMERS, warmup: TIMER_WARMUP, perSecond, duplicates: rows[0].n - TIMERS - TIMER_WARMUP, early: rows[0].early,
      serverCpuMsPerTimer: (c1 - c0) / TIMERS, postgresCpuMsPerTimer: database.local ? (pg1 - pg0) / TIMERS : null,
      statementsPerTimer: statements / TIMERS,
    };
  } finally {
    await client.end();
    await stopServer(server);
  }
}

/** The bare engine's share of a timer fire (see {@link measureTimerEngine}). */
interface TimerEngineFigures {
  /** CPU per cold fire, median of REPEATS batches. */
  cpuMsPerFire: number;
  spread: Spread;
  /** smqp messages queued per cold fire (deterministic: the engine's work, whatever the load). */
  brokerMessagesPerFire: number;
  /** Of those, before the fire: recovering the engine from the snapshot and resuming it. */
  brokerMessagesToResume: number;
  snapshotBytes: number;
}

/**
 * The floor of a timer fire: what the server's fire does in bpmn-engine, in this process, with no
 * database, history or claim. The timer bench's instance (TIMER_XML) started once; then each fire
 * recovers a new engine from its stored snapshot (JSON text round trip, as read from the
 * database: a due timer finds no warm engine), resumes it, fires the timer, runs to the user task
 * and encodes the new snapshot. Batches of about WINDOW_SECONDS / 4 of CPU, warmed up and
 * repeated by the same rule as the flows' engine figures.
 */
async function measureTimerEngine(): Promise<TimerEngineFigures> {
  const handlers = new ServiceHandlerRegistry([...builtInHandlers]);
  const runner = new InstanceRunner(handlers, undefined, 'UTC', 0);
  const compiled = await compileDefinition(TIMER_XML, { knownHandlers: handlers.names(), checkExpression });
  const definition: RunnableDefinition = { id: 'bench-timer', key: compiled.processId, version: 1, sourceContext: loadSourceContext(compiled.serialized) };
  const started = await runner.start(definition, { instanceId: 'bench-timer-0', businessKey: null }, {});
  const stored = JSON.stringify(started.state);
  const timer = started.timers[0];
  if (!timer) throw new Error('timer engine: the bench timer instance armed no timer');
  let serial = 0;
  /** One cold fire; `beforeFire` runs once the engine has resumed. */
  const fire = async (beforeFire?: () => void) => {
    const outcome = await runner.resume(definition, { instanceId: `bench-timer-${++serial}`, businessKey: null }, JSON.parse(stored) as EngineSnapshot, (engine) => {
      beforeFire?.();
      return engine.fireTimer(timer.executionId);
    }, { revision: 1 });
    if (!outcome.createdTasks.length) throw new Error('timer engine: the fire did not reach the user task');
    return JSON.stringify(outcome.state).length;
  };
  const perFire = async (fires: number) => {
    const t0 = process.cpuUsage();
    for (let i = 0; i < fires; i++) await fire();
    const used = process.cpuUsage(t0);
    return (used.user + used.system) / 1000 / fires;
  };
  const probe = await perFire(50);
  const fires = Math.max(50, Math.round((WINDOW_SECONDS * 250) / probe));
  let previous = await perFire(fires);
  for (let batch = 1; batch < MAX_WARMUP_WINDOWS; batch++) {
    const next = await perFire(fires);
    const close = differ(previous, next) < SETTLED;
    previous = next;
    if (close) break;
  }
  const runs: number[] = [];
  for (let i = 0; i < REPEATS; i++) runs.push(await perFire(fires));
  // every message landing in any smqp queue (bpmn-elements builds all its brokers on smqp)
  const queueMessage = Queue.prototype.queueMessage;
  let messages = 0;
  let toResume = 0;
  let snapshotBytes = 0;
  Queue.prototype.queueMessage = function (this: Queue, ...args: Parameters<Queue['queueMessage']>) {
    messages++;
    return queueMessage.apply(this, args);
  };
  try {
    snapshotBytes = await fire(() => (toResume = messages));
  } finally {
    Queue.prototype.queueMessage = queueMessage;
  }
  return {
    cpuMsPerFire: median(runs), spread: { min: Math.min(...runs), max: Math.max(...runs) },
    brokerMessagesPerFire: messages, brokerMessagesToResume: toResume, snapshotBytes,
  };
}

/**
 * Heap per warm engine of each flow: engine-profile.js (heap figure only) in a child run with
 * --expose-gc, which parks ENGINE_PROFILE_PARKED engines at their first wait state as the server
 * keeps them and divides the heap used after a full GC by their number. Null for a flow it failed on.
 */
async function heapPerWarmEngine(flows: string[]): Promise<Record<string, number | null>> {
  if (!flows.length) return {};
  try {
    const lines = await runChild(join(__dirname, 'engine-profile.js'), { ENGINE_PROFILE_FLOWS: flows.join(','), ENGINE_PROFILE_MODES: 'none', ENGINE_PROFILE_PARKED: process.env.ENGINE_PROFILE_PARKED ?? (QUICK ? '100' : '200') }, ['--expose-gc']);
    const figures = JSON.parse(lines.at(-1) ?? '{}') as { flows?: Record<string, { heapMbPerWarmEngine?: number | null }> };
    return Object.fromEntries(flows.map((f) => [f, figures.flows?.[f]?.heapMbPerWarmEngine ?? null]));
  } catch (error) {
    console.log(`heap per warm engine not measured: ${error instanceof Error ? error.message : String(error)}`);
    return {};
  }
}

/** Runs a compiled bench script as a child; answers its stdout lines (stderr passes through). */
function runChild(script: string, extraEnv: NodeJS.ProcessEnv = {}, execArgv: string[] = []): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...execArgv, script], { env: { ...process.env, ...extraEnv }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out.split('\n').filter((l) => l.trim())) : reject(new Error(`${script} exited with ${code}`))));
  });
}

// ---------------------------------------------------------------------------------------------

interface FlowFigures {
  flow: string;
  elements: number;
  clients: number;
  workers: number;
  commandsPerInstance: number;
  commandsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Latency by command kind (`start`, or the completed task's definition key) over the measured windows together. */
  latencyByCommand: Record<string, KindLatency>;
  serverCpuMsPerCommand: number;
  postgresCpuMsPerCommand: number | null;
  clientCpuMsPerCommand: number;
  engineCpuMsPerCommand: number | null;
  serverToEngine: number | null;
  statementsPerCommand: number;
  transactionsPerCommand: number | null;
  pollsPerCommand: number;
  snapshotBytes: number | null;
  instances: number;
  incompleteInstances: number;
  /** Commands answered with an error over the measured windows. */
  errors: number;
  lastError: string | null;
  rssMb: number;
  rssTotalMb: number;
  /** Heap held by one warm engine of the flow (engine-profile.js with --expose-gc; null: not measured). */
  heapMbPerWarmEngine: number | null;
  /** Median share of engine resumes that found their engine warm (null: no metrics). */
  warmEngineRatio: number | null;
  /** Median commands forwarded between workers (instance affinity) per command. */
  forwardsPerCommand: number | null;
  /** Median command transactions retried after a conflict per command (null: no metrics). */
  retriesPerCommand: number | null;
  /** Median share of the workers' CPU used by the busiest worker (1 ÷ workers: even; null: one server process). */
  busiestWorkerShare: number | null;
  spread: Record<string, Spread>;
  warmup: Measured['warmup'] & { engineBatches: number | null; engineSettled: boolean | null };
  engineError?: string;
}

const round = (x: number | null, digits = 2) => (x === null ? null : Number(x.toFixed(digits)));

function summarise(w: Workload, m: Measured, engine: EngineFigures | null): FlowFigures {
  const pick = (f: (x: Window) => number) => m.windows.map(f);
  const med = (f: (x: Window) => number) => median(pick(f));
  const spreadOf = (f: (x: Window) => number): Spread => ({ min: round(Math.min(...pick(f)))!, max: round(Math.max(...pick(f)))! });
  const server = med((x) => x.serverCpuMsPerCommand);
  const pg = m.windows[0]!.postgresCpuMsPerCommand === null ? null : med((x) => x.postgresCpuMsPerCommand!);
  return {
    flow: w.name,
    elements: w.elements,
    clients: CLIENTS,
    workers: WORKERS,
    commandsPerInstance: commandsOf(w),
    commandsPerSecond: round(med((x) => x.commandsPerSecond), 1)!,
    p50Ms: round(med((x) => x.p50Ms), 1)!,
    p99Ms: round(med((x) => x.p99Ms), 1)!,
    latencyByCommand: m.latencyByCommand,
    serverCpuMsPerCommand: round(server)!,
    postgresCpuMsPerCommand: round(pg),
    clientCpuMsPerCommand: round(med((x) => x.clientCpuMsPerCommand))!,
    engineCpuMsPerCommand: engine ? round(engine.cpuMsPerCommand) : null,
    serverToEngine: engine ? round(server / engine.cpuMsPerCommand) : null,
    statementsPerCommand: round(med((x) => x.statementsPerCommand), 1)!,
    transactionsPerCommand: round(m.transactionsPerCommand),
    pollsPerCommand: round(med((x) => x.pollsPerCommand))!,
    snapshotBytes: m.snapshotBytes,
    instances: m.instances,
    incompleteInstances: m.incompleteInstances,
    errors: m.windows.reduce((sum, x) => sum + x.errors, 0),
    lastError: m.lastError,
    rssMb: round(Math.max(...pick((x) => x.rssMb)), 0)!,
    rssTotalMb: round(Math.max(...pick((x) => x.rssTotalMb)), 0)!,
    heapMbPerWarmEngine: null,
    warmEngineRatio: m.windows.every((x) => x.warmRatio !== null) ? round(med((x) => x.warmRatio!), 3) : null,
    forwardsPerCommand: m.windows.every((x) => x.forwardsPerCommand !== null) ? round(med((x) => x.forwardsPerCommand!), 3) : null,
    retriesPerCommand: m.windows.every((x) => x.retriesPerCommand !== null) ? round(med((x) => x.retriesPerCommand!), 3) : null,
    busiestWorkerShare: m.windows.every((x) => x.busiestWorkerShare !== null) ? round(med((x) => x.busiestWorkerShare!), 3) : null,
    spread: {
      commandsPerSecond: spreadOf((x) => x.commandsPerSecond),
      p50Ms: spreadOf((x) => x.p50Ms),
      p99Ms: spreadOf((x) => x.p99Ms),
      serverCpuMsPerCommand: spreadOf((x) => x.serverCpuMsPerCommand),
      statementsPerCommand: spreadOf((x) => x.statementsPerCommand),
      ...(engine ? { engineCpuMsPerCommand: { min: round(engine.spread.min)!, max: round(engine.spread.max)! } } : {}),
    },
    warmup: { ...m.warmup, lastDifference: round(m.warmup.lastDifference, 3)!, engineBatches: engine?.warmup.batches ?? null, engineSettled: engine?.warmup.settled ?? null },
  };
}

function printFlow(f: FlowFigures): void {
  const s = f.spread;
  const range = (k: string) => (s[k] ? ` (${s[k]!.min}–${s[k]!.max})` : '');
  console.log(`\n${f.flow} (${f.elements} elements, ${f.commandsPerInstance} commands per instance; ${f.clients} clients, ${f.workers} server processes)`);
  console.log(
    `  warm-up: ${f.warmup.windows} window(s) of ${WINDOW_SECONDS} s, ${f.warmup.settled ? 'settled' : 'NOT settled'} (last two differed by ${(f.warmup.lastDifference * 100).toFixed(1)} % in commands/s or server CPU per command; rule: < ${SETTLED * 100} %); then ${REPEATS} measured windows: median (min–max)`,
  );
  console.log(`  ${f.commandsPerSecond} commands/s${range('commandsPerSecond')}; latency p50 ${f.p50Ms} ms${range('p50Ms')}, p99 ${f.p99Ms} ms${range('p99Ms')}`);
  console.log(
    `  latency by command (measured windows together): ${Object.entries(f.latencyByCommand).map(([kind, l]) => `${kind} ${l.count}× p50 ${l.p50Ms} p99 ${l.p99Ms} max ${l.maxMs} ms`).join('; ')}`,
  );
  console.log(`  CPU per command: server ${f.serverCpuMsPerCommand} ms${range('serverCpuMsPerCommand')}, database ${f.postgresCpuMsPerCommand ?? 'n/a (server not local)'} ms, clients ${f.clientCpuMsPerCommand} ms`);
  console.log(
    `  in-process engine (same steps, no persistence/HTTP): ${f.engineCpuMsPerCommand ?? 'n/a'} ms per command${range('engineCpuMsPerCommand')}${f.engineError ? ` — failed: ${f.engineError}` : ''}; server / engine = ${f.serverToEngine ?? 'n/a'} (goal ≤ 1.3)`,
  );
  console.log(
    `  statements per command ${f.statementsPerCommand}${range('statementsPerCommand')} (server-side counter), transactions per command ${f.transactionsPerCommand ?? 'n/a'} (pg_stat_database)${f.pollsPerCommand ? `; includes ${f.pollsPerCommand} polling task-list reads per command` : ''}`,
  );
  console.log(
    `  warm engines: ${f.warmEngineRatio === null ? 'n/a (no metrics)' : `${(f.warmEngineRatio * 100).toFixed(1)} % of resumes`}; commands forwarded to the owning worker: ${f.forwardsPerCommand ?? 'n/a'} per command; conflict retries: ${f.retriesPerCommand ?? 'n/a'} per command${f.busiestWorkerShare === null ? '' : `; busiest worker ${(f.busiestWorkerShare * 100).toFixed(0)} % of the workers' CPU (even: ${(100 / f.workers).toFixed(0)} %)`}`,
  );
  if (f.incompleteInstances) console.log(`  ${f.incompleteInstances} of ${f.instances} instances were still running after their last step`);
  if (f.errors) console.log(`  ${f.errors} command(s) failed in the measured windows; last: ${f.lastError}`);
  console.log(`  RSS under load: largest server process ${f.rssMb} MB, all server processes ${f.rssTotalMb} MB (goal ≤ 300 MB per process); stored snapshot of a running instance ${f.snapshotBytes ?? 'n/a'} bytes (mean)`);
  console.log(`  heap per warm engine: ${f.heapMbPerWarmEngine === null ? 'n/a' : `${f.heapMbPerWarmEngine} MB`}${f.elements >= 100 ? ' (goal ≤ 2 MB for a 100-element flow)' : ''}`);
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const loadAtStart = loadavg()[0]!;
  const list = ONLY_TIMERS ? [] : workloads();
  const dataDir = mkdtempSync(join(tmpdir(), 'itsm-bench-'));
  const database = await prepareDatabase(dataDir);
  console.log(
    `database: ${database.label}; Node ${process.versions.node} (the servers run on the same); ${WORKERS} server process(es); ${CLIENTS} clients; windows of ${WINDOW_SECONDS} s, ${REPEATS} repeats${QUICK ? ' (BENCH_QUICK)' : ''}; flows: ${list.map((w) => w.name).join(', ')}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
  );
  const flows: FlowFigures[] = [];
  let sql: SqlFigures | null = null;
  const timers: TimerFigures[] = [];
  let timerEngine: TimerEngineFigures | null = null;
  let budget: string[] = [];
  let reads: unknown = null;
  let idle: Idle | null = null;
  try {
    if (!ONLY_TIMERS) {
      const server = await startServer(database.url, dataDir, WORKERS, TIMER_POLL_MS);
      const measured: { w: Workload; m: Measured }[] = [];
      try {
        const clients = await signIn(server.base);
        const idleNow = await idleCost(server);
        idle = idleNow;
        console.log(`idle server (timer pollers every ${TIMER_POLL_MS} ms, ${WORKERS} process(es)): ${idleNow.statementsPerSecond.toFixed(1)} statements/s, ${idleNow.cpuMsPerSecond.toFixed(1)} ms CPU/s — included in the per-command figures below`);
        for (const w of list) {
          if (w.name === 'small' || w.name === 'large') await deploy(server.base, clients, w.xml);
          const m = await measureHttp(server, database, clients, w);
          measured.push({ w, m });
          console.log(`  ${w.name}: ${median(m.windows.map((x) => x.commandsPerSecond)).toFixed(0)} commands/s over HTTP (${((Date.now() - startedAt) / 1000).toFixed(0)} s)`);
        }
      } finally {
        await stopServer(server);
      }
      // the engine runs in this process with the server stopped, so it has a core to itself
      const calendars = await loadCalendars(database.url);
      const heap = await heapPerWarmEngine(measured.map(({ w }) => w.name));
      for (const { w, m } of measured) {
        let engine: EngineFigures | null = null;
        let engineError: string | undefined;
        try {
          engine = await measureEngine(w, calendars);
        } catch (error) {
          engineError = error instanceof Error ? error.message : String(error);
        }
        const figures = summarise(w, m, engine);
        figures.heapMbPerWarmEngine = heap[w.name] ?? null;
        if (engineError) figures.engineError = engineError;
        flows.push(figures);
        printFlow(figures);
      }
      const small = flows.find((f) => f.flow === 'small');
      const large = flows.find((f) => f.flow === 'large');
      if (small && large) {
        console.log(`\nlarge (${large.elements} elements) / small (${small.elements} elements) cost per command: server ${(large.serverCpuMsPerCommand / small.serverCpuMsPerCommand).toFixed(2)} ×, engine ${small.engineCpuMsPerCommand && large.engineCpuMsPerCommand ? (large.engineCpuMsPerCommand / small.engineCpuMsPerCommand).toFixed(2) : 'n/a'} × (goal ≤ 2)`);
      }

      const snapshotBytes = flows.find((f) => f.flow === 'incident')?.snapshotBytes ?? null;
      sql = await benchSql(database.url, snapshotBytes ?? 6000);
      console.log(
        `\nraw SQL command-shaped transaction (${CLIENTS} clients; lock, update a ${sql.snapshotBytes}-byte snapshot${snapshotBytes ? ' (the mean stored incident snapshot, measured)' : ' (no incident run: 6 KB assumed)'}, 3 history rows, a task row, commit): ${sql.transactionsPerSecond.toFixed(0)} transactions/s; p50 ${sql.p50Ms.toFixed(1)} ms, p99 ${sql.p99Ms.toFixed(1)} ms`,
      );
    }

    if (TIMERS > 0) {
      for (const processes of TIMER_PROCESSES) {
        const t = await benchTimers(database, dataDir, processes);
        timers.push(t);
        console.log(
          `due timers fired, ${processes} server process(es): ${t.perSecond.toFixed(0)} timers/s (${t.timers} timers after ${t.warmup} unmeasured), ${t.duplicates} duplicates, ${t.early} early${processes === 2 ? ' (goal ≥ 1,000/s, 0 duplicates)' : ''}; ` +
            `per timer: server CPU ${t.serverCpuMsPerTimer.toFixed(2)} ms, PostgreSQL CPU ${t.postgresCpuMsPerTimer?.toFixed(2) ?? 'n/a'} ms, ${t.statementsPerTimer.toFixed(1)} statements`,
        );
      }
      // with every server stopped, so the engine has a core to itself
      timerEngine = await measureTimerEngine();
      const e = timerEngine;
      console.log(
        `  in-process engine, one cold fire (snapshot -> recover, resume, fire, run to the user task, encode; no database): ${e.cpuMsPerFire.toFixed(2)} ms CPU (${e.spread.min.toFixed(2)}–${e.spread.max.toFixed(2)}), ` +
          `${e.brokerMessagesPerFire} broker messages (${e.brokerMessagesToResume} before the fire); server / engine = ${timers.map((t) => (t.serverCpuMsPerTimer / e.cpuMsPerFire).toFixed(2)).join(' / ')}; ` +
          `two cores at this engine cost alone: at most ${Math.round(2000 / e.cpuMsPerFire)} fires/s`,
      );
    }

    if (process.env.BENCH_BUDGET !== '0' && !ONLY_TIMERS) {
      budget = await runChild(join(__dirname, 'budget-cost.js'), QUICK && !process.env.BENCH_BUDGET_RUNS ? { BENCH_BUDGET_RUNS: '100' } : {});
      console.log('');
      for (const line of budget) console.log(`execution ${line}`);
    }

    const readsScript = join(__dirname, 'reads.js');
    if (process.env.BENCH_READS_DATABASE_URL && !ONLY_TIMERS) {
      if (existsSync(readsScript)) {
        const lines = await runChild(readsScript, { DATABASE_URL: process.env.BENCH_READS_DATABASE_URL });
        console.log('');
        for (const line of lines.slice(0, -1)) console.log(line);
        try {
          reads = JSON.parse(lines.at(-1) ?? 'null');
        } catch {
          reads = { error: 'reads.js did not end with a JSON line', last: lines.at(-1) ?? null };
        }
      } else {
        console.log(`\nBENCH_READS_DATABASE_URL is set but ${readsScript} does not exist: read-side figures skipped`);
      }
    }
  } finally {
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }

  const loadAtEnd = loadavg()[0]!;
  const headline = flows.find((f) => f.flow === 'incident') ?? flows[0];
  const small = flows.find((f) => f.flow === 'small');
  const large = flows.find((f) => f.flow === 'large');
  const result = {
    ...(headline ? { ...headline, spread: undefined, warmup: undefined } : {}),
    largeToSmallCost: small && large ? round(large.serverCpuMsPerCommand / small.serverCpuMsPerCommand) : null,
    engineLargeToSmallCost: small?.engineCpuMsPerCommand && large?.engineCpuMsPerCommand ? round(large.engineCpuMsPerCommand / small.engineCpuMsPerCommand) : null,
    database: database.label,
    node: process.versions.node,
    quick: QUICK,
    windowSeconds: WINDOW_SECONDS,
    repeats: REPEATS,
    load: { start: round(loadAtStart), end: round(loadAtEnd) },
    seconds: Math.round((Date.now() - startedAt) / 1000),
    timerPollMs: TIMER_POLL_MS,
    idle: idle && { statementsPerSecond: round(idle.statementsPerSecond, 1), cpuMsPerSecond: round(idle.cpuMsPerSecond, 1) },
    flows,
    sql: sql && { ...sql, transactionsPerSecond: round(sql.transactionsPerSecond, 0), p50Ms: round(sql.p50Ms), p99Ms: round(sql.p99Ms) },
    timers: timers.map((t) => ({
      ...t, perSecond: round(t.perSecond, 0), serverCpuMsPerTimer: round(t.serverCpuMsPerTimer), postgresCpuMsPerTimer: round(t.postgresCpuMsPerTimer), statementsPerTimer: round(t.statementsPerTimer, 1),
      serverToEngine: timerEngine && round(t.serverCpuMsPerTimer / timerEngine.cpuMsPerFire),
    })),
    timerEngine: timerEngine && { ...timerEngine, cpuMsPerFire: round(timerEngine.cpuMsPerFire), spread: { min: round(timerEngine.spread.min), max: round(timerEngine.spread.max) } },
    budget,
    reads,
  };
  console.log(`\nbench took ${result.seconds} s; 1-min load average ${loadAtStart.toFixed(2)} at start, ${loadAtEnd.toFixed(2)} at end (2 cores, shared)`);
  console.log(JSON.stringify(result));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
