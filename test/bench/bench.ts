/**
 * `npm run bench`: end-to-end command throughput of the orchestrator, next to the two limits it
 * is built from, measured in one run on this machine:
 *   1. HTTP end to end: N instances of start → user task → user task → end, every task
 *      completed through the API by C concurrent clients, against a server of WORKERS processes
 *      (signed in: the administrator deploys, a staff member of the group "bench" starts and completes);
 *   2. bpmn-engine alone, in memory (no persistence, no HTTP), same process;
 *   3. a raw SQL transaction shaped like one command (lock a row, update a snapshot-sized jsonb,
 *      insert 3 history rows and a task row) with C clients on the same database.
 *   4. durable timers: BENCH_TIMERS due timers fired by 1, then by 2 server processes.
 *   5. the execution budget's cost, in-process (budget-cost.ts; BENCH_BUDGET_RUNS).
 * PostgreSQL via DATABASE_URL, else embedded PGlite (as `npm start`).
 * Knobs: BENCH_INSTANCES (default 1000), BENCH_CLIENTS (16), BENCH_WORKERS (2), BENCH_SQL_SECONDS (10), BENCH_TIMERS (2000).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventEmitter } from 'node:events';
import { Engine } from 'bpmn-engine';
import { Client, Pool } from 'pg';
import { compileDefinition, loadSourceContext, checkExpression } from '../../engine';
import { EmbeddedPostgres } from '../../api/database/embedded-postgres';
import { benchBudget } from './budget-cost';

const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 1000);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 16);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 2);
const SQL_SECONDS = Number(process.env.BENCH_SQL_SECONDS ?? 10);
const TIMERS = Number(process.env.BENCH_TIMERS ?? 2000);

const PROCESS_XML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_bench" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="bench-two-tasks" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="first"/>
    <bpmn:userTask id="first" name="First" camunda:candidateGroups="bench"/>
    <bpmn:sequenceFlow id="f2" sourceRef="first" targetRef="second"/>
    <bpmn:userTask id="second" name="Second" camunda:candidateGroups="bench"/>
    <bpmn:sequenceFlow id="f3" sourceRef="second" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>`;

interface Figures {
  commands: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'itsm-bench-'));
  const database = await prepareDatabase(dataDir);
  console.log(`database: ${database.label}; ${WORKERS} server process(es); ${CLIENTS} clients; ${INSTANCES} instances (3 commands each)`);
  try {
    const port = await freePort();
    const server = await startServer(port, database.url, dataDir, WORKERS);
    let http: Figures;
    try {
      http = await benchHttp(`http://127.0.0.1:${port}`);
    } finally {
      await stopServer(server);
    }
    const memory = await benchInMemory();
    const sql = await benchSql(database.url);
    const timers1 = await benchTimers(database.url, dataDir, 1);
    const timers2 = await benchTimers(database.url, dataDir, 2);
    const budget = await benchBudget();

    console.log('');
    console.log(`end to end (HTTP + engine + ${database.label}): ${http.commands} commands in ${http.seconds.toFixed(1)} s = ${http.perSecond.toFixed(0)} commands/s; latency p50 ${http.p50.toFixed(1)} ms, p99 ${http.p99.toFixed(1)} ms`);
    console.log(`bpmn-engine in memory (1 core, no persistence, no HTTP): ${memory.perSecond.toFixed(0)} commands/s (${(memory.perSecond / 3).toFixed(0)} instances/s)`);
    console.log(`raw SQL command-shaped transaction (${CLIENTS} clients): ${sql.perSecond.toFixed(0)} transactions/s; p50 ${sql.p50.toFixed(1)} ms, p99 ${sql.p99.toFixed(1)} ms`);
    console.log(`ratio end-to-end / in-memory engine: ${(http.perSecond / memory.perSecond).toFixed(2)}`);
    console.log(`ratio end-to-end / raw SQL: ${(http.perSecond / sql.perSecond).toFixed(2)}`);
    console.log(`due timers fired, 1 server process: ${timers1.toFixed(0)} timers/s (${TIMERS} timers)`);
    console.log(`due timers fired, 2 server processes: ${timers2.toFixed(0)} timers/s (${TIMERS} timers)`);
    console.log(`execution budget: one engine run (start + complete through a FEEL gateway) ${budget.withoutMs.toFixed(2)} ms without, ${budget.withMs.toFixed(2)} ms with the budget (${(((budget.withMs - budget.withoutMs) / budget.withoutMs) * 100).toFixed(1)} %)`);
    console.log(`execution budget: one FEEL condition in-process (fast path) ${budget.fastMicros.toFixed(1)} µs, in the worker sandbox ${budget.sandboxMicros.toFixed(1)} µs`);
  } finally {
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function prepareDatabase(dataDir: string): Promise<{ url: string; label: string; close(): Promise<void> }> {
  const server = process.env.DATABASE_URL;
  if (server) {
    const name = `itsm_bench_${Date.now()}`;
    await admin(server, `CREATE DATABASE ${name}`);
    const url = new URL(server);
    url.pathname = `/${name}`;
    return { url: url.toString(), label: 'PostgreSQL', close: () => admin(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
  }
  // The server's primary process would own PGlite; the bench hosts it instead so its own SQL
  // benchmark can share the same embedded database after the server has stopped.
  const embedded = await EmbeddedPostgres.start(join(dataDir, 'pglite'));
  return { url: embedded.url, label: 'embedded PGlite', close: () => embedded.stop() };
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

async function startServer(port: number, databaseUrl: string, dataDir: string, workers: number): Promise<ChildProcess> {
  const child = fork(join(__dirname, '..', '..', 'api', 'main.js'), [], {
    env: {
      ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: databaseUrl, DATA_DIR: dataDir, WORKERS: String(workers),
      LOG_LEVEL: 'warn', NODE_ENV: 'production', TIMER_POLL_MS: '20', ADMIN_USERNAME: 'bench', ADMIN_PASSWORD: 'bench-password-1',
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/health`);
      if (res.ok) {
        // every worker must be up before the clock starts
        await new Promise((r) => setTimeout(r, 1500));
        return child;
      }
    } catch {
      /* not listening yet */
    }
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error('server did not become healthy within 60 s');
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

/** The server's first administrator (ADMIN_USERNAME / ADMIN_PASSWORD above). */
const ADMIN = { username: 'bench', password: 'bench-password-1' };
/** A staff member of the group the bench processes offer their tasks to: starts and completes. */
const STAFF = { username: 'bench-staff', password: 'bench-staff-password-1' };

/** Bearer tokens of the bench administrator (deploys) and the staff member (starts, completes). */
interface Session {
  admin: string;
  staff: string;
}

async function login(base: string, user: { username: string; password: string }): Promise<string> {
  const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(user) });
  if (res.status !== 200) throw new Error(`login of ${user.username} answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

/** Signs in as the administrator and creates (once) the staff member and the group "bench". */
async function signIn(base: string): Promise<Session> {
  const admin = await login(base, ADMIN);
  const post = async (path: string, body: unknown) => {
    const res = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` }, body: JSON.stringify(body) });
    if (res.status !== 201 && res.status !== 409) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
  };
  await post('/api/groups', { name: 'bench' });
  await post('/api/users', { ...STAFF, roles: ['staff'], groups: ['bench'] });
  return { admin, staff: await login(base, STAFF) };
}

async function deploy(base: string, session: Session, xml: string): Promise<void> {
  const res = await fetch(`${base}/api/definitions`, { method: 'POST', headers: { 'content-type': 'application/xml', authorization: `Bearer ${session.admin}` }, body: xml });
  if (res.status !== 201 && res.status !== 200) throw new Error(`deploy answered ${res.status}: ${await res.text()}`);
}

async function call(base: string, token: string, path: string, body: unknown, latencies: number[]): Promise<any> {
  const t0 = performance.now();
  const res = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  const json = await res.json();
  latencies.push(performance.now() - t0);
  if (!res.ok) throw new Error(`${path} answered ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

async function benchHttp(base: string): Promise<Figures> {
  const session = await signIn(base);
  await deploy(base, session, PROCESS_XML);
  // warm-up: a few instances so caches and JITs are hot on every worker
  const warm: number[] = [];
  await Promise.all(Array.from({ length: CLIENTS }, () => runInstance(base, session.staff, warm)));

  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next++ < INSTANCES) await runInstance(base, session.staff, latencies);
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  return summarise(latencies, seconds);
}

async function runInstance(base: string, token: string, latencies: number[]): Promise<void> {
  const started = await call(base, token, '/api/instances', { definitionKey: 'bench-two-tasks', variables: { n: 1 } }, latencies);
  const afterFirst = await call(base, token, `/api/tasks/${started.tasks[0].id}/complete`, { variables: { first: true } }, latencies);
  const ended = await call(base, token, `/api/tasks/${afterFirst.tasks[0].id}/complete`, { variables: { second: true } }, latencies);
  if (ended.instance.status !== 'completed') throw new Error(`instance ${ended.instance.id} did not complete`);
}

async function benchInMemory(): Promise<{ perSecond: number }> {
  const compiled = await compileDefinition(PROCESS_XML, { knownHandlers: new Set(), checkExpression });
  const sourceContext = loadSourceContext(compiled.serialized);
  const runOne = async () => {
    const engine = new Engine({ sourceContext, settings: { disableTrackState: true } } as any);
    const listener = new EventEmitter();
    const ended = engine.waitFor('end');
    let waiting = new Promise<any>((r) => listener.once('activity.wait', r));
    await engine.execute({ listener });
    let api = await waiting;
    waiting = new Promise((r) => listener.once('activity.wait', r));
    api.signal({ first: true });
    api = await waiting;
    api.signal({ second: true });
    await ended;
  };
  for (let i = 0; i < 200; i++) await runOne();
  const count = Math.max(500, Math.min(3000, INSTANCES));
  const t0 = performance.now();
  for (let i = 0; i < count; i++) await runOne();
  const seconds = (performance.now() - t0) / 1000;
  return { perSecond: (count * 3) / seconds };
}

async function benchSql(url: string): Promise<Figures> {
  const pool = new Pool({ connectionString: url, max: CLIENTS });
  await pool.query(`CREATE TABLE IF NOT EXISTS bench_instance (id int PRIMARY KEY, snapshot jsonb, revision int NOT NULL DEFAULT 0)`);
  await pool.query(`CREATE TABLE IF NOT EXISTS bench_history (id bigserial PRIMARY KEY, instance_id int, type text, payload jsonb, at timestamptz DEFAULT now())`);
  await pool.query(`CREATE TABLE IF NOT EXISTS bench_task (id bigserial PRIMARY KEY, instance_id int, element_id text, status text, created_at timestamptz DEFAULT now())`);
  await pool.query(`INSERT INTO bench_instance (id, snapshot) SELECT g, '{}' FROM generate_series(1, 1000) g ON CONFLICT DO NOTHING`);
  // ~2.4 KB, the measured size of a stored snapshot
  const snapshot = JSON.stringify({ state: Array.from({ length: 40 }, (_, i) => ({ id: `element_${i}`, status: 'completed', counters: { taken: i, discarded: 0 }, executionId: `exec_${i}_abcdef` })) });
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
  return summarise(latencies, seconds);
}

const TIMER_XML = PROCESS_XML.replace('bench-two-tasks', 'bench-timer').replace(
  /<bpmn:userTask id="first"[^>]*\/>/,
  '<bpmn:intermediateCatchEvent id="first"><bpmn:timerEventDefinition><bpmn:timeDuration>P1D</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>',
);

/**
 * Timer firing rate: TIMERS instances each waiting at a timer (one started through the API,
 * cloned in SQL) all fall due at once; the server's pollers fire them. Returns timers/s.
 */
async function benchTimers(url: string, dataDir: string, workers: number): Promise<number> {
  const port = await freePort();
  const server = await startServer(port, url, dataDir, workers);
  const pool = new Pool({ connectionString: url, max: 2 });
  try {
    const base = `http://127.0.0.1:${port}`;
    const session = await signIn(base);
    await deploy(base, session, TIMER_XML);
    const template = (await call(base, session.staff, '/api/instances', { definitionKey: 'bench-timer', businessKey: `timer-template-${workers}` }, [])).instance.id;
    await pool.query(
      `INSERT INTO process_instance (id, definition_id, definition_key, definition_version, business_key, status, snapshot, variables,
                                     active_element_ids, revision, started_by, started_at, history_seq, history_hash)
       SELECT gen_random_uuid(), definition_id, definition_key, definition_version, 'timer-clone-${workers}', status, snapshot, variables,
              active_element_ids, revision, started_by, started_at, 0, NULL
         FROM process_instance p, generate_series(1, $2::int) g WHERE p.id = $1`,
      [template, TIMERS - 1],
    );
    await pool.query(
      `INSERT INTO timer_job (id, kind, instance_id, definition_id, definition_key, element_id, element_type, execution_id, spec, due_at, run_at, created_at)
       SELECT gen_random_uuid(), 'instance', p.id, j.definition_id, j.definition_key, j.element_id, j.element_type, j.execution_id, j.spec, j.due_at, j.run_at, now()
         FROM process_instance p, timer_job j WHERE j.instance_id = $1 AND p.business_key = 'timer-clone-${workers}'`,
      [template],
    );
    const t0 = performance.now();
    await pool.query(`UPDATE timer_job SET due_at = now(), run_at = now() WHERE kind = 'instance'`);
    for (;;) {
      const { rows } = await pool.query(`SELECT count(*)::int AS n FROM timer_job WHERE kind = 'instance'`);
      if (rows[0].n === 0) break;
      if (performance.now() - t0 > 600_000) throw new Error('timers did not all fire within 10 minutes');
      await new Promise((r) => setTimeout(r, 100));
    }
    return TIMERS / ((performance.now() - t0) / 1000);
  } finally {
    await pool.end();
    await stopServer(server);
  }
}

function summarise(latencies: number[], seconds: number): Figures {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { commands: latencies.length, seconds, perSecond: latencies.length / seconds, p50: at(0.5), p99: at(0.99) };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
