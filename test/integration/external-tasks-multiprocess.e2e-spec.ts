import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { defaultHistoryConfig } from '../../api/config/config';
import { tokenFor } from '../support/auth';
import { bpmn } from '../support/bpmn';
import { createTestApp } from '../support/test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/** The server processes of one database share its history key. */
const HISTORY_KEY = 'the history key of the external task processes, 32+ bytes';
const TASKS = Number(process.env.MULTIPROCESS_EXTERNAL_TASKS ?? 2000);
const WORKERS = 8;
const ROOT = join(__dirname, '..', '..');

const WORK = bpmn(
  'external-work',
  `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
   <bpmn:serviceTask id="work" camunda:type="external" camunda:topic="bulk-work"/>
   <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end"/><bpmn:endEvent id="end"/>`,
);

interface Locked {
  id: string;
  processInstanceId: string;
  businessKey: string;
}

/**
 * Acceptance (issue 12): two server processes on one database, 8 workers (4 on each) fetching the
 * same topic through the native API: each of 2,000 tasks is locked once and completed once, and
 * every instance ends.
 */
describe(`${TASKS} external tasks, two server processes, ${WORKERS} workers`, () => {
  let db: TestDatabase;
  const servers: ChildProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await Promise.all(servers.map(stop));
    await db?.drop();
  });

  it('does every task exactly once', async () => {
    // given: TASKS instances waiting at the external task, and a token of the role worker
    const t = await createTestApp(db, { config: { history: { ...defaultHistoryConfig({ dataDir: db.dataDir }), key: HISTORY_KEY } } });
    await t.user({ username: 'bulk-worker', roles: ['worker'] });
    await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(WORK).expect(201);
    const template = (await t.as('admin').post('/api/instances').send({ definitionKey: 'external-work', businessKey: 'bulk-0' }).expect(201)).body.instance.id;
    // cloned in SQL (with their external task rows): starting 2,000 instances one by one takes minutes on a shared machine
    await t.sql.query(
      `INSERT INTO process_instance (id, definition_id, definition_key, definition_version, business_key, status, snapshot, variables,
                                     active_element_ids, revision, started_by, started_at, history_seq, history_hash)
       SELECT gen_random_uuid(), definition_id, definition_key, definition_version, 'bulk-' || g, status, snapshot, variables,
              active_element_ids, revision, started_by, started_at, 0, NULL
         FROM process_instance p, generate_series(1, $2::int) g WHERE p.id = $1`,
      [template, TASKS - 1],
    );
    await t.sql.query(
      `INSERT INTO external_task (id, instance_id, definition_id, definition_key, definition_version, business_key, element_id, element_type,
                                  execution_id, topic, priority, locals, created_at)
       SELECT gen_random_uuid(), p.id, x.definition_id, x.definition_key, x.definition_version, p.business_key, x.element_id, x.element_type,
              x.execution_id, x.topic, x.priority, x.locals, x.created_at
         FROM process_instance p, external_task x WHERE x.instance_id = $1 AND p.business_key LIKE 'bulk-%' AND p.id <> $1`,
      [template],
    );
    const token = await tokenFor(t, 'bulk-worker');
    console.log(`${TASKS} instances started`);
    await t.close();
    const [{ open }] = await query(db.databaseUrl, `SELECT count(*)::int AS open FROM external_task`);
    expect(open).toBe(TASKS);

    // when: two server processes serve 8 workers (4 each) fetching the same topic
    servers.push(startServer(db.databaseUrl), startServer(db.databaseUrl));
    const ports = await Promise.all(servers.map(listening));
    const started = Date.now();
    const done: { worker: string; id: string; businessKey: string }[] = [];
    const failures: string[] = [];
    const deadline = Date.now() + 840_000;
    await Promise.all(
      Array.from({ length: WORKERS }, async (_, w) => {
        const base = `http://127.0.0.1:${ports[w % 2]}/api/external-tasks`;
        const workerId = `worker-${w}`;
        const post = (path: string, body: unknown) =>
          fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) }).catch(
            (error: Error & { cause?: Error }) => {
              // a connection the server closed without an answer: recorded with its time (the assertions then list every such failure)
              throw new Error(`${workerId} POST ${path} at ${((Date.now() - started) / 1000).toFixed(1)} s: ${error.message} (${error.cause?.message ?? 'no cause'})`);
            },
          );
        let idle = 0;
        while (Date.now() < deadline && idle < 3) {
          try {
            idle = await round(idle);
          } catch (error) {
            failures.push((error as Error).message);
            return;
          }
        }
        /** One fetch and the completion of what it locked; answers the number of empty fetches in a row. */
        async function round(idleRounds: number): Promise<number> {
          const res = await post('/fetchAndLock', { workerId, maxTasks: 10, asyncResponseTimeout: 500, topics: [{ topicName: 'bulk-work', lockDuration: 900_000, variables: [] }] });
          if (res.status !== 200) {
            failures.push(`fetch ${res.status} ${await res.text()}`);
            return idleRounds;
          }
          const tasks = (await res.json()) as Locked[];
          if (process.env.TRACE_WORKERS) console.log(`${workerId}: ${tasks.length} locked, ${done.length} done`);
          for (const task of tasks) {
            const completed = await post(`/${task.id}/complete`, { workerId, variables: { doneBy: workerId } });
            if (completed.status === 200) done.push({ worker: workerId, id: task.id, businessKey: task.businessKey });
            else failures.push(`complete ${completed.status} ${await completed.text()}`);
          }
          return tasks.length ? 0 : idleRounds + 1;
        }
      }),
    );
    const seconds = (Date.now() - started) / 1000;

    // then: every task was completed once, by the worker that locked it, and every instance ended
    expect(failures).toEqual([]);
    expect(done).toHaveLength(TASKS);
    expect(new Set(done.map((d) => d.id)).size).toBe(TASKS);
    expect(new Set(done.map((d) => d.businessKey)).size).toBe(TASKS);
    const [{ left }] = await query(db.databaseUrl, `SELECT count(*)::int AS left FROM external_task`);
    expect(left).toBe(0);
    const [{ completed }] = await query(db.databaseUrl, `SELECT count(*)::int AS completed FROM process_instance WHERE status = 'completed' AND definition_key = 'external-work'`);
    expect(completed).toBe(TASKS);
    const steps = await query(
      db.databaseUrl,
      `SELECT instance_id, count(*) FILTER (WHERE type = 'externalTask.locked')::int AS locks, count(*) FILTER (WHERE type = 'externalTask.completed')::int AS completions
         FROM history_event WHERE type LIKE 'externalTask.%' GROUP BY instance_id`,
    );
    expect(steps).toHaveLength(TASKS);
    expect(steps.filter((s) => s.locks !== 1 || s.completions !== 1)).toEqual([]);
    const byWorker = new Map<string, number>();
    for (const d of done) byWorker.set(d.worker, (byWorker.get(d.worker) ?? 0) + 1);
    expect(byWorker.size).toBe(WORKERS); // every worker, so both processes, took part
    console.log(`${TASKS} external tasks done by ${WORKERS} workers on 2 processes in ${seconds.toFixed(1)} s (${[...byWorker.values()].join(' + ')})`);
  }, 900_000);
});

function startServer(databaseUrl: string): ChildProcess {
  return spawn(process.execPath, ['-r', join(ROOT, 'test/support/ts-register.cjs'), join(ROOT, 'test/support/http-server.ts'), databaseUrl], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, HISTORY_KEY, LOG_LEVEL: 'warn' },
  });
}

function listening(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let port = 0;
    child.stdout!.on('data', (chunk: Buffer) => {
      // after "listening", the server's own log lines (LOG_LEVEL warn: warnings and errors) go to this test's output
      if (port) return void process.stderr.write(chunk);
      const match = /listening (\d+)/.exec(chunk.toString());
      if (match) resolve((port = Number(match[1])));
    });
    child.once('exit', (code, signal) => {
      if (!port) reject(new Error(`server exited with ${code}`));
      else if (!stopping.has(child)) process.stderr.write(`server on port ${port} (pid ${child.pid}) exited during the test: code ${code}, signal ${signal}\n`);
    });
  });
}

/** Servers this test is stopping (their exit is expected). */
const stopping = new Set<ChildProcess>();

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  stopping.add(child);
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 10_000)))]);
  clearTimeout(timer);
  if (child.exitCode === null) child.kill('SIGKILL');
}

async function query(url: string, sql: string): Promise<any[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}
