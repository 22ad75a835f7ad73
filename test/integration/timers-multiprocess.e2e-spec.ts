import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { defaultHistoryConfig } from '../../api/config/config';
import { createTestApp } from '../support/test-app';

import { bpmn } from '../support/bpmn';

/** The server processes of one database share its history key. */
const HISTORY_KEY = 'the history key of the timer processes, 32+ bytes';

const TIMERS = Number(process.env.MULTIPROCESS_TIMERS ?? 5000);
const ROOT = join(__dirname, '..', '..');

const waiting = bpmn(
  'wait-then-end',
  `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait"/>
   <bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
   <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="end"/><bpmn:endEvent id="end"/>`,
);

/**
 * Two real server processes share one database holding 5,000 due timers: every timer fires
 * exactly once and none before its due time.
 */
describe(`${TIMERS} due timers, two server processes`, () => {
  let db: TestDatabase;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await Promise.all(workers.map(stop));
    await db?.drop();
  });

  it('fires every timer exactly once, never early', async () => {
    // given: one instance waiting at a timer, cloned into TIMERS instances whose timers fall due
    // over the next few seconds (so an early firing would be visible)
    const t = await createTestApp(db, { config: { history: { ...defaultHistoryConfig({ dataDir: db.dataDir }), key: HISTORY_KEY } } });
    await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(waiting).expect(201);
    const template = (await t.as('alice').post('/api/instances').send({ definitionKey: 'wait-then-end' }).expect(201)).body.instance.id;
    await t.sql.query(
      `INSERT INTO process_instance (id, definition_id, definition_key, definition_version, business_key, status, snapshot, variables,
                                     active_element_ids, revision, started_by, started_at, history_seq, history_hash)
       SELECT gen_random_uuid(), definition_id, definition_key, definition_version, 'clone-' || g, status, snapshot, variables,
              active_element_ids, revision, started_by, started_at, 0, NULL
         FROM process_instance p, generate_series(1, $2::int) g WHERE p.id = $1`,
      [template, TIMERS - 1],
    );
    await t.sql.query(
      `INSERT INTO timer_job (id, kind, instance_id, definition_id, definition_key, element_id, element_type, execution_id, spec, due_at, run_at, created_at)
       SELECT gen_random_uuid(), 'instance', p.id, j.definition_id, j.definition_key, j.element_id, j.element_type, j.execution_id, j.spec, now(), now(), now()
         FROM process_instance p, timer_job j WHERE j.instance_id = $1 AND p.business_key LIKE 'clone-%'`,
      [template],
    );
    // due times spread over the next 3 seconds, in 30 steps
    await t.sql.query(`UPDATE timer_job SET due_at = now() + (abs(hashtext(id::text)) % 30) * interval '100 milliseconds' + interval '1 second'`);
    await t.sql.query(`UPDATE timer_job SET run_at = due_at`);
    await t.close();
    const [{ n }] = await query(db.databaseUrl, `SELECT count(*)::int AS n FROM timer_job`);
    expect(n).toBe(TIMERS);

    // when: two server processes poll the same database
    const started = Date.now();
    workers.push(startWorker(db.databaseUrl), startWorker(db.databaseUrl));
    await Promise.all(workers.map(ready));
    const deadline = Date.now() + 240_000;
    while (Date.now() < deadline) {
      const [{ left }] = await query(db.databaseUrl, `SELECT count(*)::int AS left FROM timer_job`);
      if (left === 0) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const seconds = (Date.now() - started) / 1000;

    // then: every instance completed with exactly one firing, at or after its due time
    const fired = await query(
      db.databaseUrl,
      `SELECT instance_id, count(*)::int AS firings, min(occurred_at) AS at, min((payload->>'dueAt')::timestamptz) AS due, min(payload->>'worker') AS worker
         FROM history_event WHERE type = 'timer.fired' GROUP BY instance_id`,
    );
    const [{ completed }] = await query(db.databaseUrl, `SELECT count(*)::int AS completed FROM process_instance WHERE status = 'completed'`);
    const [{ left }] = await query(db.databaseUrl, `SELECT count(*)::int AS left FROM timer_job`);
    expect(left).toBe(0);
    expect(fired).toHaveLength(TIMERS);
    expect(fired.filter((r) => r.firings !== 1)).toEqual([]);
    expect(fired.filter((r) => new Date(r.at).getTime() < new Date(r.due).getTime())).toEqual([]);
    expect(completed).toBe(TIMERS);
    const byWorker = new Map<string, number>();
    for (const r of fired) byWorker.set(r.worker, (byWorker.get(r.worker) ?? 0) + 1);
    expect(byWorker.size).toBe(2); // both processes took part
    console.log(`${TIMERS} timers fired by 2 processes in ${seconds.toFixed(1)} s (${[...byWorker.values()].join(' + ')})`);
  }, 300_000);
});

function startWorker(databaseUrl: string): ChildProcess {
  return spawn(process.execPath, ['-r', join(ROOT, 'test/support/ts-register.cjs'), join(ROOT, 'test/support/timer-worker.ts'), databaseUrl], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, POLL_MS: '20', HISTORY_KEY },
  });
}

function ready(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
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
