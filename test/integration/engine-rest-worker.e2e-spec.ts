import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { TEST_PASSWORD } from '../support/auth';
import { bpmn } from '../support/bpmn';
import { createTestApp, type ApiTestApp } from '../support/test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * Acceptance of the Camunda 7 compatible API with the real external task client
 * (camunda-external-task-client-js 3.1, unchanged, in a process of its own: test/support/camunda-worker.mjs),
 * authenticated with HTTP Basic as a user with the worker role. The worker completes tasks with
 * typed variables, fails one until its retries run out (an incident), throws a BPMN error that
 * a boundary event catches, and extends a lock; every instance reaches its expected end.
 */
const payment = bpmn(
  'payment',
  `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="charge"/>
   <bpmn:serviceTask id="charge" name="Charge the card" camunda:type="external" camunda:topic="charge"/>
   <bpmn:boundaryEvent id="declined" attachedToRef="charge"><bpmn:errorEventDefinition errorRef="Error_declined"/></bpmn:boundaryEvent>
   <bpmn:sequenceFlow id="f2" sourceRef="charge" targetRef="ship"/>
   <bpmn:serviceTask id="ship" name="Ship" camunda:type="external" camunda:topic="ship"/>
   <bpmn:sequenceFlow id="f3" sourceRef="ship" targetRef="shipped"/><bpmn:endEvent id="shipped"/>
   <bpmn:sequenceFlow id="f4" sourceRef="declined" targetRef="refused"/><bpmn:endEvent id="refused"/>`,
).replace('</bpmn:definitions>', '<bpmn:error id="Error_declined" name="Declined" errorCode="card-declined"/></bpmn:definitions>');

interface WorkerEvent {
  event: string;
  taskId?: string;
  instanceId?: string;
  scenario?: string;
  retries?: number;
  before?: string;
  after?: string;
  message?: string;
}

describe('a real Camunda external task worker against /engine-rest', () => {
  let db: TestDatabase;
  let t: ApiTestApp;
  let base: string;
  let worker: ChildProcess | null = null;
  const events: WorkerEvent[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db);
    await t.user({ username: 'robot', roles: ['worker'] });
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as { port: number }).port}/engine-rest`;
  });
  afterAll(async () => {
    if (worker && worker.exitCode === null) {
      const exited = new Promise((resolve) => worker!.once('exit', resolve));
      worker.kill('SIGTERM');
      await exited;
    }
    await t?.close();
    await db?.drop();
  });

  /** Polls `read` until `done` holds; fails with the worker's events when `ms` pass first. */
  async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 60_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() > deadline) throw new Error(`timed out; last value ${JSON.stringify(value)}; worker events ${JSON.stringify(events)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it('deploys, then the worker completes, retries to an incident, throws a caught BPMN error and extends a lock; every instance ends as expected', async () => {
    // given: the diagram, deployed through /engine-rest as Camunda Modeler does, and one instance per scenario
    const form = new FormData();
    form.append('deployment-name', 'payment');
    form.append('deployment-source', 'Camunda Modeler');
    form.append('enable-duplicate-filtering', 'true');
    form.append('payment.bpmn', new Blob([payment], { type: 'text/xml' }), 'payment.bpmn');
    const deployed = await fetch(`${base}/deployment/create`, { method: 'POST', body: form, headers: { authorization: `Basic ${Buffer.from(`admin:${TEST_PASSWORD}`).toString('base64')}` } });
    expect(deployed.status).toBe(200);
    const instances: Record<string, string> = {};
    for (const scenario of ['ok', 'decline', 'broken', 'slow']) {
      const res = await t.as('alice').post('/engine-rest/process-definition/key/payment/start').send({
        businessKey: `PAY-${scenario}`,
        variables: { scenario: { value: scenario, type: 'String' }, amount: { value: 20, type: 'Integer' } },
      });
      expect(res.status).toBe(200);
      instances[scenario] = res.body.id;
    }

    // when: the worker runs
    worker = spawn(process.execPath, [join(__dirname, '..', 'support', 'camunda-worker.mjs')], {
      env: { ...process.env, BASE_URL: base, USERNAME: 'robot', PASSWORD: TEST_PASSWORD },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    createInterface({ input: worker.stdout! }).on('line', (line) => {
      try {
        events.push(JSON.parse(line) as WorkerEvent);
      } catch {
        events.push({ event: 'output', message: line });
      }
    });

    // then: ok and slow are charged and shipped, with the worker's typed variables
    const status = (id: string) => async () => (await t.as('admin').get(`/api/instances/${id}`).expect(200)).body as { status: string; variables: Record<string, unknown>; activeElementIds: string[] };
    for (const scenario of ['ok', 'slow']) {
      const done = await until(status(instances[scenario]!), (i) => i.status !== 'running');
      expect([scenario, done.status]).toEqual([scenario, 'completed']);
      expect(done.variables).toMatchObject({ charged: true, total: 30, shipped: true, chargedAt: '2026-12-06T10:00:00.000Z', receipt: { id: expect.stringMatching(/^R-/), lines: [20] } });
    }
    // the BPMN error was caught by the boundary event: the instance ended at "refused", with the worker's variables
    const declined = await until(status(instances.decline!), (i) => i.status !== 'running');
    expect(declined.status).toBe('completed');
    expect(declined.variables).toMatchObject({ declineReason: 'insufficient funds' });
    expect(declined.variables).not.toHaveProperty('charged');
    const history = (await t.as('admin').get(`/api/instances/${instances.decline}/history`).expect(200)).body as { type: string; elementId: string | null }[];
    expect(history.some((e) => e.elementId === 'refused')).toBe(true);
    expect(history.some((e) => e.elementId === 'shipped')).toBe(false);

    // the broken one was fetched again after each failure (retries 2, 1, 0), then an incident stopped it
    const [stuck] = await until(
      async () => (await t.as('admin').get(`/engine-rest/external-task?processInstanceId=${instances.broken}`).expect(200)).body as { retries: number; suspended: boolean; errorMessage: string; id: string }[],
      (tasks) => tasks[0]?.retries === 0,
    );
    expect(stuck).toMatchObject({ retries: 0, errorMessage: 'payment gateway down', activityId: 'charge', topicName: 'charge' });
    expect(events.filter((e) => e.event === 'failure' && e.instanceId === instances.broken).map((e) => e.retries)).toEqual([2, 1, 0]);
    const incidents = (await t.as('admin').get('/api/incidents?size=200').expect(200)).body.items as { instanceId: string; status: string }[];
    expect(incidents.filter((i) => i.instanceId === instances.broken && i.status === 'open')).toHaveLength(1);
    expect((await t.as('admin').get(`/api/instances/${instances.broken}`).expect(200)).body.status).toBe('running');
    expect((await t.as('admin').get(`/engine-rest/external-task/count?noRetriesLeft=true`).expect(200)).body).toEqual({ count: 1 });

    // the lock was extended before the slow task was completed
    const extended = events.find((e) => e.event === 'extendLock');
    expect(extended).toBeDefined();
    expect(Date.parse(extended!.after!.replace('+0000', 'Z')) - Date.parse(extended!.before!.replace('+0000', 'Z'))).toBeGreaterThan(500_000);

    // and the worker never saw an error of the server
    expect(events.filter((e) => e.event === 'error' || e.event === 'poll:error')).toEqual([]);
  }, 120_000);
});
