import { ManualClock, Orchestrator } from '../../engine';
import { bpmn } from '../support/bpmn';
import { createTestApp, type ApiTestApp, type Http } from '../support/test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * External tasks through /api/external-tasks: a worker (role `worker`) fetches and locks by topic,
 * completes with variables, fails with retries until an incident that an administrator retries,
 * throws a BPMN error that a boundary event catches, extends its lock; an expired lock is a 409
 * and the task is fetchable again; cancelling the instance removes the task.
 */
const CHARGE = bpmn(
  'charge',
  `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="chargeCard"/>
   <bpmn:serviceTask id="chargeCard" name="Charge card" camunda:type="external" camunda:topic="charge-card" camunda:taskPriority="\${urgency}">
     <bpmn:extensionElements><camunda:inputOutput>
       <camunda:inputParameter name="cents">\${amount * 100}</camunda:inputParameter>
     </camunda:inputOutput></bpmn:extensionElements>
   </bpmn:serviceTask>
   <bpmn:boundaryEvent id="declined" attachedToRef="chargeCard"><bpmn:errorEventDefinition errorRef="cardDeclined"/></bpmn:boundaryEvent>
   <bpmn:sequenceFlow id="f2" sourceRef="chargeCard" targetRef="review"/>
   <bpmn:userTask id="review" name="Review" camunda:candidateGroups="servicedesk"/>
   <bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="end"/><bpmn:endEvent id="end"/>
   <bpmn:sequenceFlow id="f4" sourceRef="declined" targetRef="tellCustomer"/>
   <bpmn:userTask id="tellCustomer" name="Tell the customer" camunda:candidateGroups="servicedesk"/>
   <bpmn:sequenceFlow id="f5" sourceRef="tellCustomer" targetRef="end2"/><bpmn:endEvent id="end2"/>`,
).replace('<bpmn:process ', '<bpmn:error id="cardDeclined" errorCode="CARD_DECLINED"/><bpmn:process ');

/** An external task that an interrupting timer boundary event ends after an hour. */
const TIMED = bpmn(
  'timed-charge',
  `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="slow"/>
   <bpmn:serviceTask id="slow" camunda:type="external" camunda:topic="slow-work"/>
   <bpmn:boundaryEvent id="tooLate" attachedToRef="slow"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
   <bpmn:sequenceFlow id="f2" sourceRef="slow" targetRef="end"/><bpmn:endEvent id="end"/>
   <bpmn:sequenceFlow id="f3" sourceRef="tooLate" targetRef="late"/><bpmn:endEvent id="late"/>`,
);

const MINUTE = 60_000;

describe('external tasks (/api/external-tasks)', () => {
  let db: TestDatabase;
  let t: ApiTestApp;
  let worker: Http;
  const clock = new ManualClock();

  const fetch = async (workerId: string, extra: Record<string, unknown> = {}, topic: Record<string, unknown> = {}) =>
    (await worker.post('/api/external-tasks/fetchAndLock').send({ workerId, maxTasks: 10, topics: [{ topicName: 'charge-card', lockDuration: MINUTE, ...topic }], ...extra }).expect(200)).body;
  const start = async (variables: Record<string, unknown> = { amount: 12.5, urgency: 5 }) =>
    (await t.as('alice').post('/api/instances').send({ definitionKey: 'charge', variables }).expect(201)).body.instance.id as string;
  const taskOf = async (instanceId: string) => (await t.sql.query(`SELECT id FROM external_task WHERE instance_id = $1`, [instanceId]))[0]?.id as string | undefined;
  const history = async (instanceId: string) => (await t.as('admin').get(`/api/instances/${instanceId}/history`).expect(200)).body as { type: string; actor: string | null; payload: Record<string, unknown> }[];

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db, { clock });
    worker = await t.user({ username: 'billing-bot', roles: ['worker'] });
    await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(CHARGE).expect(201);
    await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(TIMED).expect(201);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });
  beforeEach(async () => {
    // every test starts with no available task (earlier ones are cancelled)
    await t.sql.query(`UPDATE process_instance SET status = 'cancelled' WHERE definition_key = 'charge' AND status = 'running'`);
    await t.sql.query(`DELETE FROM external_task`);
  });

  it('completes with variables: the instance continues in the same request, history names the worker, the chain verifies', async () => {
    // given: an instance waiting at the external task
    const id = await start();

    // when: the worker fetches it (only the variables it asks for, input parameters included) and completes it
    const [task] = await fetch('w1', {}, { variables: ['amount', 'cents'] });
    expect(task).toMatchObject({ topicName: 'charge-card', workerId: 'w1', processInstanceId: id, activityId: 'chargeCard', processDefinitionKey: 'charge', priority: 5, variables: { amount: 12.5, cents: 1250 } });
    expect(Object.keys(task.variables).sort()).toEqual(['amount', 'cents']);
    const done = await worker.post(`/api/external-tasks/${task.id}/complete`).send({ workerId: 'w1', variables: { transactionId: 'TX-1' } }).expect(200);

    // then: the instance is at the review task with the worker's variables; the task is gone
    expect(done.body).toMatchObject({ task: null, instance: { id, status: 'running' } });
    const instance = (await t.as('admin').get(`/api/instances/${id}`).expect(200)).body;
    expect(instance.variables).toMatchObject({ transactionId: 'TX-1' });
    expect(instance.activeElementIds).toEqual(['review']);
    await worker.get(`/api/external-tasks/${task.id}`).expect(404);
    const events = await history(id);
    expect(events.filter((e) => e.type.startsWith('externalTask.')).map((e) => [e.type, e.payload.workerId ?? null, e.actor])).toEqual([
      ['externalTask.created', null, null],
      ['externalTask.locked', 'w1', 'billing-bot'],
      ['externalTask.completed', 'w1', 'billing-bot'],
    ]);
    expect((await t.as('admin').get(`/api/instances/${id}/history/verify`).expect(200)).body).toMatchObject({ valid: true });
  });

  it('a failure with retries hides the task for retryTimeout; at 0 retries an incident opens, which an administrator retries', async () => {
    const id = await start();
    const [task] = await fetch('w1');

    // when: it fails with 1 retry left and a 5-minute retry timeout
    await worker.post(`/api/external-tasks/${task.id}/failure`).send({ workerId: 'w1', errorMessage: 'gateway timeout', errorDetails: 'stack...', retries: 1, retryTimeout: 5 * MINUTE }).expect(200);
    // then: not fetchable before the timeout, fetchable after it
    expect(await fetch('w1')).toEqual([]);
    clock.advance(5 * MINUTE + 1000);
    const [again] = await fetch('w2', {}, { includeExtensionProperties: true });
    expect(again).toMatchObject({ id: task.id, retries: 1, errorMessage: 'gateway timeout', errorDetails: 'stack...', workerId: 'w2' });

    // when: it fails again with no retries left
    await worker.post(`/api/external-tasks/${task.id}/failure`).send({ workerId: 'w2', errorMessage: 'gateway down', retries: 0 }).expect(200);
    // then: an open incident, and the task is not fetchable
    const incidents = (await t.as('admin').get(`/api/incidents?instanceId=${id}&status=open`).expect(200)).body.items;
    expect(incidents).toEqual([expect.objectContaining({ type: 'external-task-failed', jobId: task.id, elementId: 'chargeCard', message: 'gateway down' })]);
    expect((await worker.get(`/api/external-tasks/${task.id}`).expect(200)).body).toMatchObject({ retries: 0, suspended: true, incidentId: incidents[0].id });
    expect(await fetch('w1')).toEqual([]);

    // when: an administrator retries the incident
    await t.as('admin').post(`/api/incidents/${incidents[0].id}/retry`).expect(200);
    // then: the task is fetchable again with one retry, and completes
    const [retried] = await fetch('w3');
    expect(retried).toMatchObject({ id: task.id, retries: 1, suspended: false });
    await worker.post(`/api/external-tasks/${task.id}/complete`).send({ workerId: 'w3' }).expect(200);
    expect((await history(id)).map((e) => e.type).filter((type) => /externalTask|incident/.test(type))).toEqual([
      'externalTask.created', 'externalTask.locked', 'externalTask.failed', 'externalTask.locked', 'externalTask.failed', 'incident.created', 'incident.resolved', 'externalTask.locked', 'externalTask.completed',
    ]);
  });

  it('a BPMN error is caught by the error boundary event, with the worker\'s variables', async () => {
    const id = await start();
    const [task] = await fetch('w1');
    await worker.post(`/api/external-tasks/${task.id}/bpmnError`).send({ workerId: 'w1', errorCode: 'CARD_DECLINED', errorMessage: 'insufficient funds', variables: { declineReason: 'funds' } }).expect(200);
    const instance = (await t.as('admin').get(`/api/instances/${id}`).expect(200)).body;
    expect(instance.activeElementIds).toEqual(['tellCustomer']);
    expect(instance.variables).toMatchObject({ declineReason: 'funds' });
    expect(await taskOf(id)).toBeUndefined();
  });

  it('a BPMN error nothing catches is a 422 and changes nothing', async () => {
    const id = await start();
    const [task] = await fetch('w1');
    const res = await worker.post(`/api/external-tasks/${task.id}/bpmnError`).send({ workerId: 'w1', errorCode: 'UNKNOWN' }).expect(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body).toMatchObject({ code: 'PROCESS_FAILED' });
    expect(await taskOf(id)).toBe(task.id);
  });

  it('extends a lock; an expired lock answers 409 to its worker and the task is fetched again', async () => {
    await start();
    const [task] = await fetch('w1');
    clock.advance(50_000);
    const before = clock.now().getTime();
    const extended = (await worker.post(`/api/external-tasks/${task.id}/extendLock`).send({ workerId: 'w1', newDuration: MINUTE }).expect(200)).body;
    expect(Date.parse(extended.lockExpirationTime)).toBeGreaterThanOrEqual(before + MINUTE);
    expect(Date.parse(extended.lockExpirationTime)).toBeLessThanOrEqual(clock.now().getTime() + MINUTE);
    // the original minute has passed, the extension holds: nobody else gets it, w1 still holds it
    clock.advance(30_000);
    expect(await fetch('w2')).toEqual([]);
    await worker.post(`/api/external-tasks/${task.id}/extendLock`).send({ workerId: 'w2', newDuration: MINUTE }).expect(409);

    // when: the extended lock expires
    clock.advance(31_000);
    const late = await worker.post(`/api/external-tasks/${task.id}/complete`).send({ workerId: 'w1' }).expect(409);
    expect(late.headers['content-type']).toContain('application/problem+json');
    expect(late.body).toMatchObject({ code: 'EXTERNAL_TASK_LOCK_CONFLICT' });
    // then: another worker fetches it; the first still cannot complete it
    const [refetched] = await fetch('w2');
    expect(refetched).toMatchObject({ id: task.id, workerId: 'w2' });
    await worker.post(`/api/external-tasks/${task.id}/complete`).send({ workerId: 'w1' }).expect(409);
    await worker.post(`/api/external-tasks/${task.id}/complete`).send({ workerId: 'w2' }).expect(200);
  });

  it('lock, unlock and priority ordering', async () => {
    const low = await start({ amount: 1, urgency: 1 });
    const high = await start({ amount: 1, urgency: 90 });
    const lowTask = (await taskOf(low))!;
    await worker.post(`/api/external-tasks/${lowTask}/lock`).send({ workerId: 'w1', lockDuration: MINUTE }).expect(200);
    await worker.post(`/api/external-tasks/${lowTask}/lock`).send({ workerId: 'w2', lockDuration: MINUTE }).expect(409);
    await worker.post(`/api/external-tasks/${lowTask}/unlock`).expect(200);
    const fetched = await fetch('w2', { usePriority: true, maxTasks: 2 });
    expect(fetched.map((f: { processInstanceId: string }) => f.processInstanceId)).toEqual([high, low]);
  });

  it('cancelling the instance removes its external task', async () => {
    const id = await start();
    const [task] = await fetch('w1');
    await t.as('admin').post(`/api/instances/${id}/cancel`).send({ reason: 'customer withdrew' }).expect(200);
    await worker.get(`/api/external-tasks/${task.id}`).expect(404);
    await worker.post(`/api/external-tasks/${task.id}/complete`).send({ workerId: 'w1' }).expect(404);
    expect((await history(id)).find((e) => e.type === 'externalTask.cancelled')).toMatchObject({ payload: { externalTaskId: task.id, reason: 'instance cancelled', workerId: 'w1' } });
  });

  it('an interrupting timer boundary event removes the external task', async () => {
    const id = (await t.as('alice').post('/api/instances').send({ definitionKey: 'timed-charge' }).expect(201)).body.instance.id;
    const [task] = (await worker.post('/api/external-tasks/fetchAndLock').send({ workerId: 'w1', maxTasks: 1, topics: [{ topicName: 'slow-work', lockDuration: 2 * 3600_000 }] }).expect(200)).body;
    clock.advance(3600_000 + 1000);
    await t.app.get(Orchestrator).fireDueTimers('test');
    expect((await t.as('admin').get(`/api/instances/${id}`).expect(200)).body).toMatchObject({ status: 'completed' });
    await worker.post(`/api/external-tasks/${task.id}/complete`).send({ workerId: 'w1' }).expect(404);
    expect((await history(id)).find((e) => e.type === 'externalTask.cancelled')).toMatchObject({ payload: { externalTaskId: task.id, reason: 'interrupted' } });
  });

  it('a long poll answers as soon as a task of its topic is created', async () => {
    const started = Date.now();
    const polling = worker.post('/api/external-tasks/fetchAndLock').send({ workerId: 'w1', maxTasks: 1, asyncResponseTimeout: 20_000, topics: [{ topicName: 'charge-card', lockDuration: MINUTE }] });
    const answer = new Promise<{ status: number; body: unknown[] }>((resolve, reject) => polling.then(resolve, reject));
    await new Promise((r) => setTimeout(r, 300));
    const id = await start();
    const res = await answer;
    expect(res.status).toBe(200);
    expect(res.body).toEqual([expect.objectContaining({ processInstanceId: id, workerId: 'w1' })]);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('refuses callers without the role, bad requests and unknown ids with problem answers', async () => {
    await t.as('alice').post('/api/external-tasks/fetchAndLock').send({ workerId: 'x', maxTasks: 1, topics: [{ topicName: 'charge-card', lockDuration: 1 }] }).expect(403);
    const bad = await worker.post('/api/external-tasks/fetchAndLock').send({ workerId: 'x', maxTasks: 0, topics: [] }).expect(400);
    expect(bad.body).toMatchObject({ code: 'INVALID_REQUEST' });
    expect(bad.body.detail).toMatch(/maxTasks/);
    await worker.post('/api/external-tasks/fetchAndLock').send({ workerId: 'x', maxTasks: 1, topics: [{ topicName: 'charge-card', lockDuration: -5 }] }).expect(400);
    await worker.post('/api/external-tasks/not-a-uuid/complete').send({ workerId: 'x' }).expect(404);
    await worker.post('/api/external-tasks/00000000-0000-4000-8000-000000000000/complete').send({ workerId: 'x' }).expect(404);
    const id = await start();
    const [task] = await fetch('w1');
    await worker.post(`/api/external-tasks/${task.id}/complete`).send({ workerId: 'w1', variables: [1, 2] }).expect(400);
    await worker.post(`/api/external-tasks/${task.id}/complete`).send({ variables: {} }).expect(400);
    expect(await taskOf(id)).toBe(task.id);
  });

  it('lists tasks by topic and lock state', async () => {
    await start();
    await start();
    await fetch('w1', { maxTasks: 1 });
    const all = (await t.as('auditor').get('/api/external-tasks?topicName=charge-card').expect(200)).body;
    expect(all.total).toBe(2);
    const byWorker = (await worker.get('/api/external-tasks?workerId=w1').expect(200)).body;
    expect(byWorker.items).toEqual([expect.objectContaining({ workerId: 'w1', topicName: 'charge-card' })]);
  });
});
