import { ManualClock, Orchestrator, type ServiceHandler } from '../../engine';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { createTestApp, type ApiTestApp } from '../support/test-app';
import { bpmn, startSlaTask } from '../support/bpmn';

const HOUR = 3_600_000;
const MINUTE = 60_000;

/** An embedded sub-process `handling` whose one user task is `diagnose`. */
const HANDLING = `<bpmn:subProcess id="handling">
     <bpmn:startEvent id="hStart"/><bpmn:sequenceFlow id="h1" sourceRef="hStart" targetRef="diagnose"/>
     <bpmn:userTask id="diagnose" name="Diagnose" camunda:candidateGroups="servicedesk"/>
     <bpmn:sequenceFlow id="h2" sourceRef="diagnose" targetRef="hEnd"/><bpmn:endEvent id="hEnd"/>
   </bpmn:subProcess>`;

/** Work happens in an embedded sub-process; resolution is a plain task after it. */
const embedded = bpmn(
  'embedded-work',
  `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="handling"/>
   ${HANDLING}
   <bpmn:sequenceFlow id="f2" sourceRef="handling" targetRef="confirm"/>
   <bpmn:userTask id="confirm" name="Confirm resolution" camunda:candidateGroups="servicedesk"/>
   <bpmn:sequenceFlow id="f3" sourceRef="confirm" targetRef="end"/><bpmn:endEvent id="end"/>`,
);

/** A 4 h resolution target for the whole process: when it passes, the incident manager takes over. */
const breach = bpmn(
  'process-sla',
  `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="handling"/>
   ${HANDLING}
   <bpmn:sequenceFlow id="f2" sourceRef="handling" targetRef="end"/><bpmn:endEvent id="end"/>
   <bpmn:subProcess id="breachHandling" triggeredByEvent="true">
     <bpmn:startEvent id="breached"><bpmn:timerEventDefinition><bpmn:timeDuration>\${resolutionTarget}</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:startEvent>
     <bpmn:sequenceFlow id="b1" sourceRef="breached" targetRef="takeOver"/>
     <bpmn:userTask id="takeOver" name="Take over the breached incident" camunda:candidateGroups="incident-managers"/>
     <bpmn:sequenceFlow id="b2" sourceRef="takeOver" targetRef="bEnd"/><bpmn:endEvent id="bEnd"/>
   </bpmn:subProcess>`,
);

/** Hourly reminders (twice) while the approval is open, without interrupting it. */
const reminders = (id: string, body: 'service' | 'task') =>
  bpmn(
    id,
    `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="approve"/>
     <bpmn:userTask id="approve" name="Approve" camunda:candidateGroups="servicedesk"/>
     <bpmn:sequenceFlow id="f2" sourceRef="approve" targetRef="end"/><bpmn:endEvent id="end"/>
     <bpmn:subProcess id="reminding" triggeredByEvent="true">
       <bpmn:startEvent id="remind" isInterrupting="false"><bpmn:timerEventDefinition><bpmn:timeCycle>R2/PT1H</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent>
       <bpmn:sequenceFlow id="r1" sourceRef="remind" targetRef="notify"/>
       ${
         body === 'service'
           ? '<bpmn:serviceTask id="notify" camunda:delegateExpression="${sendReminder}"/>'
           : '<bpmn:userTask id="notify" name="Chase the approver" camunda:candidateGroups="servicedesk"/>'
       }
       <bpmn:sequenceFlow id="r2" sourceRef="notify" targetRef="rEnd"/><bpmn:endEvent id="rEnd"/>
     </bpmn:subProcess>`,
  );

/** The resolution SLA clock (24x7, 4 h) drives a process-wide breach event sub-process. */
const slaBreach = bpmn(
  'sla-breach-esp',
  `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="startClock"/>
   ${startSlaTask('startClock', 'resolution', 'PT4H', '24x7')}
   <bpmn:sequenceFlow id="f2" sourceRef="startClock" targetRef="resolve"/>
   <bpmn:userTask id="resolve" name="Resolve" camunda:candidateGroups="servicedesk"/>
   <bpmn:sequenceFlow id="f3" sourceRef="resolve" targetRef="end"/><bpmn:endEvent id="end"/>
   <bpmn:subProcess id="breachHandling" triggeredByEvent="true">
     <bpmn:startEvent id="breached"><bpmn:timerEventDefinition><bpmn:timeDate>\${sla.resolution.dueAt}</bpmn:timeDate></bpmn:timerEventDefinition></bpmn:startEvent>
     <bpmn:sequenceFlow id="b1" sourceRef="breached" targetRef="takeOver"/>
     <bpmn:userTask id="takeOver" name="Take over" camunda:candidateGroups="incident-managers"/>
     <bpmn:sequenceFlow id="b2" sourceRef="takeOver" targetRef="bEnd"/><bpmn:endEvent id="bEnd"/>
   </bpmn:subProcess>`,
);

let remindersSent = 0;
const sendReminder: ServiceHandler = {
  name: 'sendReminder',
  description: 'test handler: counts reminders',
  run() {
    remindersSent++;
    return { remindersSent };
  },
};

interface Event {
  type: string;
  elementId: string;
  payload: any;
}

describe('sub-processes', () => {
  let db: TestDatabase;
  let t: ApiTestApp;
  const clock = new ManualClock();
  const fire = () => t.app.get(Orchestrator).fireDueTimers('test-worker');
  const deploy = (xml: string) => t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(xml).expect(201);
  const start = async (key: string, variables: Record<string, unknown> = {}) =>
    (await t.as('alice').post('/api/instances').send({ definitionKey: key, variables }).expect(201)).body;
  const timersOf = async (id: string) => (await t.as('auditor').get(`/api/timers?instanceId=${id}`)).body.items;
  const openTasks = async (id: string) =>
    ((await t.as('auditor').get(`/api/tasks?instanceId=${id}&status=open`)).body.items as { id: string; elementId: string }[]).map((x) => x);
  const history = async (id: string) => (await t.as('auditor').get(`/api/instances/${id}/history`)).body as Event[];
  const instance = async (id: string) => (await t.as('auditor').get(`/api/instances/${id}`)).body;
  const complete = (taskId: string, as = 'alice') => t.as(as).post(`/api/tasks/${taskId}/complete`).send({ variables: {} });

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db, { clock, handlers: [sendReminder] });
    await t.user({ username: 'irene', roles: ['staff'], groups: ['incident-managers'] });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('runs a user task inside an embedded sub-process: it stays open, completes, and the process goes on', async () => {
    await deploy(embedded);
    const started = await start('embedded-work');
    expect(started.tasks.map((x: { elementId: string }) => x.elementId)).toEqual(['diagnose']);
    expect(started.instance.activeElementIds).toEqual(expect.arrayContaining(['handling', 'diagnose']));

    // another command on the instance (a claim) must not lose the task
    await t.as('alice').post(`/api/tasks/${started.tasks[0].id}/claim`).expect(200);
    expect((await openTasks(started.instance.id)).map((x) => x.elementId)).toEqual(['diagnose']);

    await t.as('alice').post(`/api/tasks/${started.tasks[0].id}/complete`).send({ variables: { diagnosis: 'disk full' } }).expect(200);
    expect((await instance(started.instance.id)).variables).toMatchObject({ diagnosis: 'disk full' }); // the sub-process's data reaches the process
    const [confirm] = await openTasks(started.instance.id);
    expect(confirm!.elementId).toBe('confirm');
    expect((await t.as('auditor').get(`/api/tasks/${started.tasks[0].id}`)).body.status).toBe('completed');
    await complete(confirm!.id).expect(200);
    expect((await instance(started.instance.id)).status).toBe('completed');
  });

  it('fires an interrupting event sub-process timer once, after a restart: the process work is cancelled and the breach path runs', async () => {
    // given: an instance with a 4 h process-wide target, read from a variable
    await deploy(breach);
    const started = await start('process-sla', { resolutionTarget: 'PT4H' });
    const id = started.instance.id;
    const [job] = await timersOf(id);
    expect(job).toMatchObject({ elementId: 'breached', kind: 'instance', status: 'pending', spec: 'PT4H', elementType: 'bpmn:StartEvent' });
    expect(new Date(job.dueAt).getTime() - clock.now().getTime()).toBeGreaterThan(4 * HOUR - MINUTE);
    expect((await history(id)).filter((e) => e.type === 'timer.scheduled' && e.elementId === 'breached')).toHaveLength(1);

    // when: not yet due
    clock.advance(4 * HOUR - MINUTE);
    expect((await fire()).fired).toBe(0);

    // when: the server restarts and the target passes
    await t.close();
    clock.advance(2 * MINUTE);
    t = await createTestApp(db, { clock, handlers: [sendReminder] });
    await t.user({ username: 'irene', roles: ['staff'], groups: ['incident-managers'] });
    expect((await fire()).fired).toBe(1);
    expect((await fire()).fired).toBe(0);

    // then: diagnose was cancelled, the take-over task is open, no timer is left
    expect((await t.as('auditor').get(`/api/tasks/${started.tasks[0].id}`)).body.status).toBe('cancelled');
    const tasks = await openTasks(id);
    expect(tasks.map((x) => x.elementId)).toEqual(['takeOver']);
    expect(await timersOf(id)).toEqual([]);
    const events = await history(id);
    const fired = events.filter((e) => e.type === 'timer.fired');
    expect(fired).toEqual([expect.objectContaining({ elementId: 'breached', payload: expect.objectContaining({ jobId: job.id, dueAt: job.dueAt }) })]);
    expect(new Date(fired[0]!.payload.firedAt).getTime()).toBeGreaterThanOrEqual(new Date(job.dueAt).getTime());
    expect(events.filter((e) => e.type === 'element.cancelled').map((e) => e.elementId)).toEqual(expect.arrayContaining(['handling', 'diagnose']));
    expect(events.filter((e) => e.type === 'task.cancelled').map((e) => e.elementId)).toEqual(['diagnose']);

    // when: the incident manager finishes the take-over, the instance ends
    await complete(tasks[0]!.id, 'irene').expect(200);
    expect((await instance(id)).status).toBe('completed');
    expect((await t.as('auditor').get(`/api/instances/${id}/history/verify`)).body.valid).toBe(true);
  });

  it('refuses to start an instance whose event sub-process timer is not a date (422 naming the element, nothing stored)', async () => {
    const before = (await t.as('auditor').get('/api/instances?key=process-sla')).body.total;
    const res = await t.as('alice').post('/api/instances').send({ definitionKey: 'process-sla', variables: { resolutionTarget: 'four hours' } });
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.detail).toMatch(/breached/);
    expect((await t.as('auditor').get('/api/instances?key=process-sla')).body.total).toBe(before);
  });

  it('cancels an event sub-process timer when the process ends first', async () => {
    const started = await start('process-sla', { resolutionTarget: 'PT4H' });
    await complete(started.tasks[0].id).expect(200);
    expect((await instance(started.instance.id)).status).toBe('completed');
    expect(await timersOf(started.instance.id)).toEqual([]);
    const events = await history(started.instance.id);
    expect(events.filter((e) => e.type === 'timer.cancelled').map((e) => e.elementId)).toEqual(['breached']);
    clock.advance(5 * HOUR);
    expect((await fire()).fired).toBe(0);
  });

  it('moves an event sub-process timer that reads an SLA clock when the clock pauses, and fires it at the new due date only', async () => {
    await deploy(slaBreach);
    const started = await start('sla-breach-esp');
    const id = started.instance.id;
    const due0 = started.instance.variables.sla.resolution.dueAt;
    expect(await timersOf(id)).toEqual([expect.objectContaining({ elementId: 'breached', dueAt: due0 })]);

    // when: an hour in, the clock pauses for three hours, then resumes
    clock.advance(HOUR);
    await t.as('alice').post(`/api/instances/${id}/sla/resolution/pause`).send({ reason: 'awaiting customer' }).expect(200);
    clock.advance(3 * HOUR + MINUTE); // past the original due date
    expect((await fire()).fired).toBe(0);
    const resumed = await t.as('alice').post(`/api/instances/${id}/sla/resolution/resume`).send({}).expect(200);
    const due1 = resumed.body.instance.variables.sla.resolution.dueAt;
    expect(new Date(due1).getTime()).toBeGreaterThan(new Date(due0).getTime() + 3 * HOUR);
    expect(await timersOf(id)).toEqual([expect.objectContaining({ elementId: 'breached', dueAt: due1 })]);

    // then: nothing fires before the new due date; at it, the breach path takes over
    await t.as('alice').post(`/api/tasks/${started.tasks[0].id}/claim`).expect(200); // a command in between changes nothing
    expect((await fire()).fired).toBe(0);
    clock.advance(new Date(due1).getTime() - clock.now().getTime() + 1000);
    expect((await fire()).fired).toBe(1);
    expect((await openTasks(id)).map((x) => x.elementId)).toEqual(['takeOver']);
    const fired = (await history(id)).filter((e) => e.type === 'timer.fired');
    expect(fired).toEqual([expect.objectContaining({ elementId: 'breached', payload: expect.objectContaining({ dueAt: due1 }) })]);
  });

  it('fires a non-interrupting R2/PT1H event sub-process twice beside the open task, then stops', async () => {
    await deploy(reminders('approval-chaser', 'service'));
    remindersSent = 0;
    const started = await start('approval-chaser');
    const id = started.instance.id;
    expect(await timersOf(id)).toEqual([expect.objectContaining({ elementId: 'remind', spec: 'R2/PT1H', remaining: 2 })]);

    clock.advance(HOUR + 1000);
    expect((await fire()).fired).toBe(1);
    expect(remindersSent).toBe(1);
    expect(await timersOf(id)).toEqual([expect.objectContaining({ elementId: 'remind', remaining: 1 })]);
    expect((await openTasks(id)).map((x) => x.elementId)).toEqual(['approve']);

    clock.advance(HOUR + 1000);
    expect((await fire()).fired).toBe(1);
    clock.advance(5 * HOUR);
    expect((await fire()).fired).toBe(0);

    expect(remindersSent).toBe(2);
    expect(await timersOf(id)).toEqual([]);
    expect((await history(id)).filter((e) => e.type === 'timer.fired' && e.elementId === 'remind')).toHaveLength(2);
    expect((await instance(id)).variables).toMatchObject({ remindersSent: 2 });

    // the approval was never interrupted
    await complete(started.tasks[0].id).expect(200);
    expect((await instance(id)).status).toBe('completed');
  });

  it('queues a timer cycle firing while its non-interrupting event sub-process still runs, and runs it after, across a restart; the instance does not end first', async () => {
    await deploy(reminders('approval-chaser-task', 'task'));
    const started = await start('approval-chaser-task');
    const id = started.instance.id;

    clock.advance(HOUR + 1000);
    await fire();
    clock.advance(HOUR + 1000);
    await fire();

    // one after another: one chase task open, the second firing queued (not skipped)
    expect((await openTasks(id)).map((x) => x.elementId).sort()).toEqual(['approve', 'notify']);
    const fired = (await history(id)).filter((e) => e.type === 'timer.fired' && e.elementId === 'remind');
    expect(fired).toHaveLength(2);
    expect(fired[1]!.payload).not.toHaveProperty('skipped');
    expect(fired[1]!.payload).toMatchObject({ queued: expect.any(String) });

    // a restart: the queued start is in the snapshot
    await t.close();
    t = await createTestApp(db, { clock, handlers: [sendReminder] });

    // the approval ends the main path first: the instance waits for the queued run
    await complete(started.tasks[0].id).expect(200);
    expect((await instance(id)).status).toBe('running');
    const first = (await openTasks(id)).find((x) => x.elementId === 'notify')!;
    await complete(first.id).expect(200);
    expect((await instance(id)).status).toBe('running');
    const second = (await openTasks(id)).filter((x) => x.elementId === 'notify');
    expect(second).toHaveLength(1);
    expect(second[0]!.id).not.toBe(first.id);
    await complete(second[0]!.id).expect(200);
    expect((await instance(id)).status).toBe('completed');
    expect((await history(id)).filter((e) => e.type === 'element.completed' && e.elementId === 'notify')).toHaveLength(2);
  });
});
