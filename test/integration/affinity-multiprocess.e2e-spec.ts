import { request as httpRequest } from 'node:http';
import { Client } from 'pg';
import { bpmn, linearTasks, sequenceFlow, userTask } from '../support/bpmn';
import { completeRetrying, sleep, startClusterServer, type Answer, type ClusterServer } from '../support/cluster-server';
import { freePort } from '../support/server-process';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const ADMIN = { username: 'affinity-admin', password: 'affinity-admin-password' };
const STAFF = { username: 'affinity-staff', password: 'affinity-staff-password' };
const FLOW = linearTasks('affinity-flow', ['first', 'second', 'third'], 'affinity');
const TIMEOUT = 600_000;
/** first → a 1 s timer → second: the timer is fired by the servers' pollers between two commands. */
const TIMER_FLOW = bpmn(
  'affinity-timer-flow',
  [
    `<bpmn:startEvent id="start"/>`, userTask('first', 'affinity'),
    `<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1S</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>`,
    userTask('second', 'affinity'), `<bpmn:endEvent id="end"/>`,
    sequenceFlow('f1', 'start', 'first'), sequenceFlow('f2', 'first', 'wait'), sequenceFlow('f3', 'wait', 'second'), sequenceFlow('f4', 'second', 'end'),
  ].join('\n'),
);

/**
 * Acceptance (issue 11, instance affinity): the real server (api/main.ts) with WORKERS=2 on one
 * PostgreSQL database. Every request goes over a new connection, so the cluster spreads them over
 * both workers; the commands of an instance still all run on the worker holding its engine. Without
 * DATABASE_URL the database is an embedded PGlite server that both workers share.
 */
describe('instance affinity: two cluster workers', () => {
  let db: TestDatabase;
  let server: ClusterServer;
  let port = 0;
  let metricsPort = 0;
  let staff = '';

  beforeAll(async () => {
    db = await createTestDatabase();
    metricsPort = await freePort();
    server = await startClusterServer(db, { name: 'affinity', admin: ADMIN, env: { METRICS_PORT: String(metricsPort), TIMER_POLL_MS: '200' } });
    port = server.port;
    const admin = await login(ADMIN);
    expect((await call('POST', '/api/groups', admin, { name: 'affinity' })).status).toBe(201);
    expect((await call('POST', '/api/users', admin, { username: STAFF.username, password: STAFF.password, roles: ['staff'], groups: ['affinity'] })).status).toBe(201);
    expect((await call('POST', '/api/definitions', admin, FLOW, 'application/xml')).status).toBe(201);
    expect((await call('POST', '/api/definitions', admin, TIMER_FLOW, 'application/xml')).status).toBe(201);
    staff = await login(STAFF);
  }, TIMEOUT);

  afterAll(async () => {
    await server?.stop();
    await db?.drop();
  });

  it('runs every command of an instance where its engine is warm, whichever worker took the request', async () => {
    // given
    const before = await metrics();

    // when: 12 instances run start → first → second → third, each request on a new connection
    const instances = await Promise.all(Array.from({ length: 12 }, (_, i) => runInstance(`warm-${i}`)));

    // then: every instance completed, every resume found its engine warm, and the workers did send each other commands
    expect(instances.every((status) => status === 'completed')).toBe(true);
    const after = await metrics();
    const delta = (name: string, labels: string) => (after.get(`${name}{${labels}}`) ?? 0) - (before.get(`${name}{${labels}}`) ?? 0);
    expect(delta('itsm_engine_resumes_total', 'warm="miss"')).toBe(0);
    expect(delta('itsm_engine_resumes_total', 'warm="hit"')).toBe(36);
    expect(delta('itsm_affinity_forwards_total', 'result="answered"')).toBeGreaterThan(0);
    expect(delta('itsm_affinity_forwards_total', 'result="unavailable"') + delta('itsm_affinity_forwards_total', 'result="timeout"')).toBe(0);
  }, TIMEOUT);

  it('fires each timer on the worker that owns its instance, on the warm engine, which stays warm for the next command', async () => {
    // given: 8 instances that completed their first task and wait at a 1 s timer
    const before = await metrics();
    const ids = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const started = await call('POST', '/api/instances', staff, { definitionKey: 'affinity-timer-flow', businessKey: `timer-${i}` });
        expect(started.status).toBe(201);
        expect((await call('POST', `/api/tasks/${started.body.tasks[0].id}/complete`, staff, { variables: { i } })).status).toBe(200);
        return started.body.instance.id as string;
      }),
    );

    // when: the servers' pollers fire the timers, then each instance's second task is completed
    for (const id of ids) {
      const second = await openTask(id, 'second');
      expect((await call('POST', `/api/tasks/${second}/complete`, staff, { variables: {} })).status).toBe(200);
    }

    // then: every resume (first, the timer, second) found the engine warm, so each timer fired on its
    // instance's owner; each fired once, not before it was due, and every instance completed
    const after = await metrics();
    const delta = (name: string, labels: string) => (after.get(`${name}{${labels}}`) ?? 0) - (before.get(`${name}{${labels}}`) ?? 0);
    expect(delta('itsm_engine_resumes_total', 'warm="miss"')).toBe(0);
    expect(delta('itsm_engine_resumes_total', 'warm="hit"')).toBe(3 * ids.length);
    const fired = await sql(
      `SELECT instance_id, count(*)::int AS n, bool_and(occurred_at >= (payload->>'dueAt')::timestamptz) AS on_time
         FROM history_event WHERE type = 'timer.fired' AND instance_id = ANY($1::uuid[]) GROUP BY instance_id`,
      [ids],
    );
    expect(fired).toHaveLength(ids.length);
    expect(fired.every((r) => r.n === 1 && r.on_time)).toBe(true);
    const statuses = await sql(`SELECT status FROM process_instance WHERE id = ANY($1::uuid[])`, [ids]);
    expect(statuses.map((r) => r.status)).toEqual(ids.map(() => 'completed'));
  }, TIMEOUT);

  it('answers a forwarded command exactly as the owner answers it: results and problems', async () => {
    // given: an instance with its first task completed, and a claim of its second task
    const started = await call('POST', '/api/instances', staff, { definitionKey: 'affinity-flow', businessKey: 'answers' });
    expect(started.status).toBe(201);
    const first = started.body.tasks[0].id as string;
    expect((await call('POST', `/api/tasks/${first}/complete`, staff, { variables: { n: 1 } })).status).toBe(200);
    const second = await openTask(started.body.instance.id, 'second');

    // when: the same requests are sent 6 times each over new connections (both workers take some)
    const sameEveryTime = async (method: string, path: string, body?: unknown) => {
      const answers = await Promise.all(Array.from({ length: 6 }, () => call(method, path, staff, body)));
      const shapes = answers.map((a) => JSON.stringify({ status: a.status, body: withoutRequestId(a.body) }));
      expect(new Set(shapes).size).toBe(1);
      return answers[0]!;
    };
    const again = await sameEveryTime('POST', `/api/tasks/${first}/complete`, { variables: { n: 1 } });
    const missing = await sameEveryTime('POST', `/api/tasks/${first.slice(0, -2)}${first.slice(-2) === '00' ? '01' : '00'}/complete`, { variables: {} });
    const claimed = await sameEveryTime('POST', `/api/tasks/${second}/claim`);
    const badVariables = await sameEveryTime('POST', `/api/tasks/${second}/complete`, { variables: [1, 2] });

    // then: the engine's problems (problem+json) and the claim's result, whichever worker answered
    expect(again).toMatchObject({ status: 409, body: { code: 'TASK_NOT_OPEN', taskStatus: 'completed', completedBy: STAFF.username } });
    expect(missing).toMatchObject({ status: 404, body: { code: 'TASK_NOT_FOUND' } });
    expect(claimed).toMatchObject({ status: 200, body: { id: second, assignee: STAFF.username, status: 'open' } });
    expect(badVariables).toMatchObject({ status: 400, body: { code: 'INVALID_REQUEST' } });
  }, TIMEOUT);

  it('lets exactly one of two concurrent completions of a task win', async () => {
    // given: 8 instances at their first task
    const tasks = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => (await call('POST', '/api/instances', staff, { definitionKey: 'affinity-flow', businessKey: `race-${i}` })).body.tasks[0].id as string),
    );

    // when: each task is completed twice at once, over two connections
    const answers = await Promise.all(tasks.map((id) => Promise.all([0, 1].map((n) => call('POST', `/api/tasks/${id}/complete`, staff, { variables: { by: n } })))));

    // then: one 200 and one 409 TASK_NOT_OPEN per task, and one completion each in the database
    for (const pair of answers) {
      expect(pair.map((a) => a.status).sort()).toEqual([200, 409]);
      expect(pair.find((a) => a.status === 409)!.body.code).toBe('TASK_NOT_OPEN');
    }
    const rows = await sql(`SELECT count(*)::int AS n FROM user_task WHERE status = 'completed' AND id = ANY($1::uuid[])`, [tasks]);
    expect(rows[0].n).toBe(tasks.length);
  }, TIMEOUT);

  it('keeps every acknowledged command when a worker is killed, and answers again once it is replaced', async () => {
    // given: 10 instances, and the pids of both workers
    const [victim] = await server.workerPids(2);
    const ids = await Promise.all(Array.from({ length: 10 }, async (_, i) => (await call('POST', '/api/instances', staff, { definitionKey: 'affinity-flow', businessKey: `kill-${i}` })).body.instance.id as string));

    // when: the instances advance while one worker is killed (SIGKILL), clients retrying what got no answer
    const acknowledged: string[] = [];
    const advancing = Promise.all(
      ids.map(async (id) => {
        for (const element of ['first', 'second', 'third']) {
          const task = await openTask(id, element);
          const send = () => call('POST', `/api/tasks/${task}/complete`, staff, { variables: { element } }).catch(() => null);
          if (await completeRetrying(send, `completion of ${element} of ${id}`, 50, 200)) acknowledged.push(task);
        }
      }),
    );
    await sleep(300);
    process.kill(victim!, 'SIGKILL');
    await advancing.catch((error: Error) => {
      throw new Error(`${error.message}\nserver output:\n${server.output()}`);
    });

    // then: every acknowledged completion is in the database, every instance completed, and two workers serve again
    const completed = await sql(`SELECT id FROM user_task WHERE status = 'completed' AND id = ANY($1::uuid[])`, [acknowledged]);
    expect(completed).toHaveLength(acknowledged.length);
    const statuses = await sql(`SELECT status FROM process_instance WHERE id = ANY($1::uuid[])`, [ids]);
    expect(statuses.map((r) => r.status)).toEqual(ids.map(() => 'completed'));
    const pids = await server.workerPids(2);
    expect(pids).not.toContain(victim);
    expect(await runInstance('after-restart')).toBe('completed');
  }, TIMEOUT);

  // ------------------------------------------------------------------------------------------

  async function runInstance(businessKey: string): Promise<string> {
    const started = await call('POST', '/api/instances', staff, { definitionKey: 'affinity-flow', businessKey });
    if (started.status !== 201) throw new Error(`start answered ${started.status}: ${JSON.stringify(started.body)}`);
    let tasks = started.body.tasks as { id: string }[];
    let status = started.body.instance.status as string;
    for (let step = 0; step < 3; step++) {
      const done = await call('POST', `/api/tasks/${tasks[0]!.id}/complete`, staff, { variables: { step } });
      if (done.status !== 200) throw new Error(`completion answered ${done.status}: ${JSON.stringify(done.body)}`);
      tasks = done.body.tasks;
      status = done.body.instance.status;
    }
    return status;
  }

  async function openTask(instanceId: string, elementId: string): Promise<string> {
    for (let i = 0; i < 100; i++) {
      const list = await call('GET', `/api/tasks?instanceId=${instanceId}&status=open`, staff).catch(() => null);
      const found = list?.status === 200 ? (list.body.items as { id: string; elementId: string }[]).find((t) => t.elementId === elementId) : undefined;
      if (found) return found.id;
      await sleep(200);
    }
    throw new Error(`task ${elementId} of ${instanceId} never opened`);
  }

  async function login(user: { username: string; password: string }): Promise<string> {
    const answer = await call('POST', '/api/auth/login', null, user);
    if (answer.status !== 200) throw new Error(`login answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body.accessToken as string;
  }

  /** One request on a connection of its own (the cluster hands each new connection to the next worker). */
  function call(method: string, path: string, token: string | null, body?: unknown, type = 'application/json'): Promise<Answer> {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, method, path, agent: false, headers: { ...(payload ? { 'content-type': type } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) } },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      // an answer lost with a killed worker is an error to the client, not a wait
      req.setTimeout(60_000, () => req.destroy(new Error(`${method} ${path}: no answer in 60 s`)));
      req.end(payload);
    });
  }

  async function metrics(): Promise<Map<string, number>> {
    const text = await new Promise<string>((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port: metricsPort, path: '/metrics', agent: false }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve(body));
      })
        .on('error', reject)
        .end();
    });
    const samples = new Map<string, number>();
    for (const line of text.split('\n')) {
      const m = /^(itsm_[a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
      if (m) samples.set(m[1]!, Number(m[2]));
    }
    return samples;
  }

  async function sql(text: string, params: unknown[]): Promise<any[]> {
    const client = new Client({ connectionString: db.databaseUrl });
    await client.connect();
    try {
      return (await client.query(text, params)).rows;
    } finally {
      await client.end();
    }
  }
});

function withoutRequestId(body: any): any {
  if (!body || typeof body !== 'object') return body;
  const { requestId: _requestId, ...rest } = body;
  return rest;
}
