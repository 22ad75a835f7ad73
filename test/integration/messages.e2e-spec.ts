import { ManualClock, Orchestrator } from '../../engine';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { createTestApp, type ApiTestApp } from '../support/test-app';
import { bpmn } from '../support/bpmn';

/**
 * Messages and signals across instances (engine/messaging), through the HTTP API on the test
 * database: subscriptions are rows written in the command's transaction, messages are
 * correlated by name and correlation key, buffered with a time to live, deduplicated by
 * messageId; throw events deliver through the outbox after their command committed.
 */

const MINUTE = 60_000;
const ZEEBE = 'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"';

/** bpmn() with the zeebe namespace declared and top-level elements (messages, signals) before the process. */
function doc(processId: string, globals: string, body: string): string {
  return bpmn(processId, body)
    .replace('<bpmn:definitions ', `<bpmn:definitions ${ZEEBE} `)
    .replace(`<bpmn:process id="${processId}"`, `${globals}\n<bpmn:process id="${processId}"`);
}

const reply = (id = 'Reply', name = 'customer-reply') => `<bpmn:message id="${id}" name="${name}" itsm:correlationKey="\${ticket}"/>`;

/** start → wait for the customer's reply (intermediate catch) → work → end. */
const catchProcess = doc(
  'await-reply',
  reply(),
  `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="waitReply"/>
   <bpmn:intermediateCatchEvent id="waitReply"><bpmn:messageEventDefinition messageRef="Reply"/></bpmn:intermediateCatchEvent>
   <bpmn:sequenceFlow id="f2" sourceRef="waitReply" targetRef="work"/>
   <bpmn:userTask id="work" name="Work" camunda:candidateGroups="servicedesk"/>
   <bpmn:sequenceFlow id="f3" sourceRef="work" targetRef="end"/><bpmn:endEvent id="end"/>`,
);

/** A receive task whose message carries a Camunda 8 correlation key. */
const receiveProcess = doc(
  'receive-ack',
  `<bpmn:message id="Ack" name="supplier-ack"><bpmn:extensionElements><zeebe:subscription correlationKey="=order"/></bpmn:extensionElements></bpmn:message>`,
  `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="receive"/>
   <bpmn:receiveTask id="receive" messageRef="Ack"/>
   <bpmn:sequenceFlow id="f2" sourceRef="receive" targetRef="end"/><bpmn:endEvent id="end"/>`,
);

/** A user task with a message boundary event (interrupting or not). */
const boundaryProcess = (id: string, interrupting: boolean) =>
  doc(
    id,
    reply('Update', 'customer-update'),
    `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
     <bpmn:userTask id="work" name="Work" camunda:candidateGroups="servicedesk"/>
     <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end"/><bpmn:endEvent id="end"/>
     <bpmn:boundaryEvent id="update" attachedToRef="work" cancelActivity="${interrupting}"><bpmn:messageEventDefinition messageRef="Update"/></bpmn:boundaryEvent>
     <bpmn:sequenceFlow id="f3" sourceRef="update" targetRef="noted"/><bpmn:endEvent id="noted"/>`,
  );

/** Event-based gateway: the reply or, after 2 days, a reminder. */
const raceProcess = doc(
  'reply-or-timeout',
  reply(),
  `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="race"/>
   <bpmn:eventBasedGateway id="race"/>
   <bpmn:sequenceFlow id="f2" sourceRef="race" targetRef="gotReply"/>
   <bpmn:sequenceFlow id="f3" sourceRef="race" targetRef="timeout"/>
   <bpmn:intermediateCatchEvent id="gotReply"><bpmn:messageEventDefinition messageRef="Reply"/></bpmn:intermediateCatchEvent>
   <bpmn:intermediateCatchEvent id="timeout"><bpmn:timerEventDefinition><bpmn:timeDuration>P2D</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
   <bpmn:sequenceFlow id="f4" sourceRef="gotReply" targetRef="endReply"/><bpmn:endEvent id="endReply"/>
   <bpmn:sequenceFlow id="f5" sourceRef="timeout" targetRef="endTimeout"/><bpmn:endEvent id="endTimeout"/>`,
);

/** Started by a message: a problem record opened from an incident. */
const startProcess = doc(
  'problem-from-message',
  `<bpmn:message id="Raise" name="raise-problem"/>`,
  `<bpmn:startEvent id="raised"><bpmn:messageEventDefinition messageRef="Raise"/></bpmn:startEvent>
   <bpmn:sequenceFlow id="f1" sourceRef="raised" targetRef="analyse"/>
   <bpmn:userTask id="analyse" name="Analyse" camunda:candidateGroups="servicedesk"/>
   <bpmn:sequenceFlow id="f2" sourceRef="analyse" targetRef="end"/><bpmn:endEvent id="end"/>`,
);

/** An event sub-process started by a message, interrupting or not. */
const eventSubProcess = (id: string, interrupting: boolean) =>
  doc(
    id,
    reply('Withdraw', 'withdraw'),
    `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
     <bpmn:userTask id="work" name="Work" camunda:candidateGroups="servicedesk"/>
     <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end"/><bpmn:endEvent id="end"/>
     <bpmn:subProcess id="withdrawal" triggeredByEvent="true">
       <bpmn:startEvent id="withdrawn" isInterrupting="${interrupting}"><bpmn:messageEventDefinition messageRef="Withdraw"/></bpmn:startEvent>
       <bpmn:sequenceFlow id="w1" sourceRef="withdrawn" targetRef="confirmWithdrawal"/>
       <bpmn:userTask id="confirmWithdrawal" name="Confirm withdrawal" camunda:candidateGroups="servicedesk"/>
       <bpmn:sequenceFlow id="w2" sourceRef="confirmWithdrawal" targetRef="wEnd"/><bpmn:endEvent id="wEnd"/>
     </bpmn:subProcess>`,
  );

/** Waits for the `major-incident` signal (two keys, to show it crosses definitions). */
const signalCatch = (id: string) =>
  doc(
    id,
    `<bpmn:signal id="Major" name="major-incident"/>`,
    `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="waitMajor"/>
     <bpmn:intermediateCatchEvent id="waitMajor"><bpmn:signalEventDefinition signalRef="Major"/></bpmn:intermediateCatchEvent>
     <bpmn:sequenceFlow id="f2" sourceRef="waitMajor" targetRef="end"/><bpmn:endEvent id="end"/>`,
  );

/** The reply is awaited inside an embedded sub-process, with a message boundary on the sub-process. */
const nestedProcess = doc(
  'nested-reply',
  `${reply()}${reply('Cancel', 'cancel-request')}`,
  `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="handling"/>
   <bpmn:subProcess id="handling">
     <bpmn:startEvent id="hStart"/><bpmn:sequenceFlow id="h1" sourceRef="hStart" targetRef="innerWait"/>
     <bpmn:intermediateCatchEvent id="innerWait"><bpmn:messageEventDefinition messageRef="Reply"/></bpmn:intermediateCatchEvent>
     <bpmn:sequenceFlow id="h2" sourceRef="innerWait" targetRef="hEnd"/><bpmn:endEvent id="hEnd"/>
   </bpmn:subProcess>
   <bpmn:boundaryEvent id="cancelled" attachedToRef="handling"><bpmn:messageEventDefinition messageRef="Cancel"/></bpmn:boundaryEvent>
   <bpmn:sequenceFlow id="f2" sourceRef="handling" targetRef="end"/><bpmn:endEvent id="end"/>
   <bpmn:sequenceFlow id="f3" sourceRef="cancelled" targetRef="endCancelled"/><bpmn:endEvent id="endCancelled"/>`,
);

/** Started by the `major-incident` signal. */
const signalStart = doc(
  'major-review',
  `<bpmn:signal id="Major" name="major-incident"/>`,
  `<bpmn:startEvent id="majorStart"><bpmn:signalEventDefinition signalRef="Major"/></bpmn:startEvent>
   <bpmn:sequenceFlow id="f1" sourceRef="majorStart" targetRef="review"/>
   <bpmn:userTask id="review" name="Major incident review" camunda:candidateGroups="servicedesk"/>
   <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="end"/><bpmn:endEvent id="end"/>`,
);

/** A user task that, on the `major-incident` signal, also notifies (non-interrupting signal event sub-process). */
const signalEventSubProcess = doc(
  'major-aware',
  `<bpmn:signal id="Major" name="major-incident"/>`,
  `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
   <bpmn:userTask id="work" name="Work" camunda:candidateGroups="servicedesk"/>
   <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end"/><bpmn:endEvent id="end"/>
   <bpmn:subProcess id="onMajor" triggeredByEvent="true">
     <bpmn:startEvent id="majorDeclared" isInterrupting="false"><bpmn:signalEventDefinition signalRef="Major"/></bpmn:startEvent>
     <bpmn:sequenceFlow id="m1" sourceRef="majorDeclared" targetRef="inform"/>
     <bpmn:userTask id="inform" name="Inform the customer" camunda:candidateGroups="servicedesk"/>
     <bpmn:sequenceFlow id="m2" sourceRef="inform" targetRef="mEnd"/><bpmn:endEvent id="mEnd"/>
   </bpmn:subProcess>`,
);

/** An incident that raises a problem by a message throw event, and a signal by a throw event. */
const thrower = doc(
  'incident-raises',
  `<bpmn:message id="Escalate" name="customer-reply" itsm:correlationKey="\${ticket}"/><bpmn:signal id="Major" name="major-incident"/>`,
  `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="send"/>
   <bpmn:intermediateThrowEvent id="send"><bpmn:messageEventDefinition messageRef="Escalate"/></bpmn:intermediateThrowEvent>
   <bpmn:sequenceFlow id="f2" sourceRef="send" targetRef="shout"/>
   <bpmn:intermediateThrowEvent id="shout"><bpmn:signalEventDefinition signalRef="Major"/></bpmn:intermediateThrowEvent>
   <bpmn:sequenceFlow id="f3" sourceRef="shout" targetRef="end"/><bpmn:endEvent id="end"/>`,
);

/** A message to a bare receive task (for the load test): keyed by `key`. */
const loadProcess = doc(
  'load-receiver',
  `<bpmn:message id="Load" name="load-message" itsm:correlationKey="\${key}"/>`,
  `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="receive"/>
   <bpmn:receiveTask id="receive" messageRef="Load"/>
   <bpmn:sequenceFlow id="f2" sourceRef="receive" targetRef="end"/><bpmn:endEvent id="end"/>`,
);

interface Event {
  type: string;
  elementId: string;
  payload: any;
}

describe('messages and signals', () => {
  let db: TestDatabase;
  let t: ApiTestApp;
  const clock = new ManualClock();
  const deploy = (xml: string) => t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(xml).expect(201);
  const start = async (key: string, variables: Record<string, unknown> = {}) =>
    (await t.as('alice').post('/api/instances').send({ definitionKey: key, variables }).expect(201)).body;
  const send = (body: Record<string, unknown>, as = 'alice') => t.as(as).post('/api/messages').send(body);
  const signal = (body: Record<string, unknown>) => t.as('alice').post('/api/signals').send(body);
  const history = async (id: string) => (await t.as('auditor').get(`/api/instances/${id}/history`)).body as Event[];
  const instance = async (id: string) => (await t.as('auditor').get(`/api/instances/${id}`)).body;
  const openTasks = async (id: string) => (await t.as('auditor').get(`/api/tasks?instanceId=${id}&status=open`)).body.items as { id: string; elementId: string }[];
  const subscriptions = async (instanceId: string) =>
    (await t.sql.query(`SELECT element_id, name, correlation_key FROM event_subscription WHERE instance_id = $1 ORDER BY element_id`, [instanceId])) as {
      element_id: string;
      name: string;
      correlation_key: string | null;
    }[];
  const received = (events: Event[]) => events.filter((e) => e.type === 'message.received');

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db, { clock });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('delivers a message to the intermediate catch event waiting for its correlation key, with its variables', async () => {
    await deploy(catchProcess);
    const a = (await start('await-reply', { ticket: 'INC-1' })).instance.id;
    const b = (await start('await-reply', { ticket: 'INC-2' })).instance.id;
    expect(await subscriptions(a)).toEqual([{ element_id: 'waitReply', name: 'customer-reply', correlation_key: 'INC-1' }]);
    expect((await history(a)).filter((e) => e.type === 'subscription.opened')).toHaveLength(1);
    expect((await t.as('auditor').get(`/api/subscriptions?instanceId=${a}`).expect(200)).body.items).toEqual([
      expect.objectContaining({ kind: 'message', name: 'customer-reply', correlationKey: 'INC-1', elementId: 'waitReply', elementType: 'bpmn:IntermediateCatchEvent' }),
    ]);

    const res = await send({ name: 'customer-reply', correlationKey: 'INC-1', variables: { reply: 'works again' } }).expect(200);
    expect(res.body).toMatchObject({ status: 'delivered', delivered: [{ instanceId: a, elementId: 'waitReply' }], started: [] });

    expect((await openTasks(a)).map((x) => x.elementId)).toEqual(['work']);
    expect((await instance(a)).variables).toMatchObject({ reply: 'works again' });
    expect(await subscriptions(a)).toEqual([]);
    const events = await history(a);
    expect(received(events)).toEqual([expect.objectContaining({ elementId: 'waitReply', payload: expect.objectContaining({ correlationKey: 'INC-1', variables: { reply: 'works again' } }) })]);
    expect(events.filter((e) => e.type === 'subscription.closed')).toHaveLength(1);
    // the other instance still waits
    expect(await subscriptions(b)).toHaveLength(1);
    expect(await openTasks(b)).toEqual([]);
    expect((await t.as('auditor').get(`/api/instances/${a}/history/verify`)).body).toMatchObject({ valid: true });
  });

  it('answers 404 problem+json when nothing waits for the message, and 400 on a bad body', async () => {
    const res = await send({ name: 'customer-reply', correlationKey: 'NOBODY' }).expect(404);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'MESSAGE_NOT_CORRELATED' });
    for (const body of [{}, { name: '' }, { name: 'x', timeToLive: 'soon' }, { name: 'x', timeToLive: -5 }, { name: 'x', extra: 1 }, { name: 'x', variables: [1] }]) {
      const bad = await send(body).expect(400);
      expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    }
    await t.as('alice').post('/api/signals').send({ variables: {} }).expect(400);
    // auditors may not send
    await send({ name: 'customer-reply', correlationKey: 'NOBODY' }, 'auditor').expect(403);
  });

  it('completes a receive task whose message has a Camunda 8 zeebe:subscription correlation key', async () => {
    await deploy(receiveProcess);
    const id = (await start('receive-ack', { order: 77 })).instance.id;
    expect(await subscriptions(id)).toEqual([{ element_id: 'receive', name: 'supplier-ack', correlation_key: '77' }]);
    await send({ name: 'supplier-ack', correlationKey: 78 }).expect(404);
    await send({ name: 'supplier-ack', correlationKey: 77 }).expect(200);
    expect((await instance(id)).status).toBe('completed');
    expect(await subscriptions(id)).toEqual([]);
  });

  it('an interrupting message boundary event cancels its activity', async () => {
    await deploy(boundaryProcess('boundary-int', true));
    const started = await start('boundary-int', { ticket: 'INC-10' });
    const id = started.instance.id;
    await send({ name: 'customer-update', correlationKey: 'INC-10' }).expect(200);
    expect((await t.as('auditor').get(`/api/tasks/${started.tasks[0].id}`)).body.status).toBe('cancelled');
    expect((await instance(id)).status).toBe('completed');
    expect(await subscriptions(id)).toEqual([]);
  });

  it('a non-interrupting message boundary event catches every message while its activity runs', async () => {
    await deploy(boundaryProcess('boundary-non', false));
    const started = await start('boundary-non', { ticket: 'INC-11' });
    const id = started.instance.id;
    await send({ name: 'customer-update', correlationKey: 'INC-11' }).expect(200);
    await send({ name: 'customer-update', correlationKey: 'INC-11' }).expect(200); // bpmn-elements alone catches only the first
    await send({ name: 'customer-update', correlationKey: 'INC-11' }).expect(200);
    const events = await history(id);
    expect(received(events)).toHaveLength(3);
    expect(events.filter((e) => e.type === 'element.completed' && e.elementId === 'noted')).toHaveLength(3);
    expect((await openTasks(id)).map((x) => x.elementId)).toEqual(['work']);
    expect(await subscriptions(id)).toEqual([{ element_id: 'update', name: 'customer-update', correlation_key: 'INC-11' }]);
    // the task completes normally; the boundary subscription goes with it
    await t.as('alice').post(`/api/tasks/${started.tasks[0].id}/complete`).send({ variables: {} }).expect(200);
    expect((await instance(id)).status).toBe('completed');
    expect(await subscriptions(id)).toEqual([]);
  });

  it('reaches a catch event inside an embedded sub-process, and a message boundary event on the sub-process', async () => {
    await deploy(nestedProcess);
    const a = (await start('nested-reply', { ticket: 'INC-15' })).instance.id;
    const b = (await start('nested-reply', { ticket: 'INC-16' })).instance.id;
    expect((await subscriptions(a)).map((x) => x.element_id)).toEqual(['cancelled', 'innerWait']);
    await send({ name: 'customer-reply', correlationKey: 'INC-15' }).expect(200);
    expect((await instance(a)).status).toBe('completed');
    expect((await history(a)).some((e) => e.type === 'element.completed' && e.elementId === 'end')).toBe(true);
    await send({ name: 'cancel-request', correlationKey: 'INC-16' }).expect(200);
    expect((await instance(b)).status).toBe('completed');
    expect((await history(b)).some((e) => e.type === 'element.completed' && e.elementId === 'endCancelled')).toBe(true);
    expect(await subscriptions(a)).toEqual([]);
    expect(await subscriptions(b)).toEqual([]);
  });

  it('an event-based gateway takes the message branch, or the timer branch when the message comes too late', async () => {
    await deploy(raceProcess);
    const replied = (await start('reply-or-timeout', { ticket: 'INC-20' })).instance.id;
    const silent = (await start('reply-or-timeout', { ticket: 'INC-21' })).instance.id;
    expect(await subscriptions(replied)).toEqual([{ element_id: 'gotReply', name: 'customer-reply', correlation_key: 'INC-20' }]);

    await send({ name: 'customer-reply', correlationKey: 'INC-20' }).expect(200);
    expect((await instance(replied)).status).toBe('completed');
    expect((await history(replied)).some((e) => e.type === 'element.completed' && e.elementId === 'endReply')).toBe(true);
    expect((await t.as('auditor').get(`/api/timers?instanceId=${replied}`)).body.items).toEqual([]);

    clock.advance(2 * 24 * 60 * MINUTE + MINUTE);
    await t.app.get(Orchestrator).fireDueTimers('test-worker');
    expect((await instance(silent)).status).toBe('completed');
    expect((await history(silent)).some((e) => e.type === 'element.completed' && e.elementId === 'endTimeout')).toBe(true);
    expect(await subscriptions(silent)).toEqual([]);
    await send({ name: 'customer-reply', correlationKey: 'INC-21' }).expect(404);
  });

  it('a message start event starts the latest version; the message variables become process variables', async () => {
    await deploy(startProcess);
    const res = await send({ name: 'raise-problem', businessKey: 'PRB-1', variables: { incident: 'INC-30' } }).expect(200);
    expect(res.body.started).toEqual([expect.objectContaining({ definitionKey: 'problem-from-message', elementId: 'raised' })]);
    const id = res.body.started[0].instanceId;
    const started = await instance(id);
    expect(started).toMatchObject({ status: 'running', businessKey: 'PRB-1', variables: { incident: 'INC-30' } });
    expect((await openTasks(id)).map((x) => x.elementId)).toEqual(['analyse']);
    expect(await subscriptions(id)).toEqual([]);
    expect((await history(id))[0]).toMatchObject({ type: 'instance.started', payload: expect.objectContaining({ startedBy: 'message', startEventId: 'raised' }) });
    // started by hand, its message start event fires at once (as a timer start event does)
    const byHand = await start('problem-from-message');
    expect(byHand.tasks.map((x: { elementId: string }) => x.elementId)).toEqual(['analyse']);
    expect(await subscriptions(byHand.instance.id)).toEqual([]);
    // the start event holds a definition-level subscription, replaced by each new version
    const startRows = async () => (await t.sql.query(`SELECT definition_id FROM event_subscription WHERE instance_id IS NULL AND definition_key = 'problem-from-message'`)) as { definition_id: string }[];
    expect(await startRows()).toHaveLength(1);
    const v2 = (await deploy(startProcess.replace('name="Analyse"', 'name="Analyse (v2)"'))).body;
    expect(await startRows()).toEqual([{ definition_id: v2.id }]);
  });

  it('an interrupting event sub-process message start cancels the work; a non-interrupting one runs beside it', async () => {
    await deploy(eventSubProcess('esp-int', true));
    await deploy(eventSubProcess('esp-non', false));
    const int = await start('esp-int', { ticket: 'INC-40' });
    const non = await start('esp-non', { ticket: 'INC-41' });
    expect(await subscriptions(int.instance.id)).toEqual([{ element_id: 'withdrawn', name: 'withdraw', correlation_key: 'INC-40' }]);

    await send({ name: 'withdraw', correlationKey: 'INC-40' }).expect(200);
    expect((await t.as('auditor').get(`/api/tasks/${int.tasks[0].id}`)).body.status).toBe('cancelled');
    expect((await openTasks(int.instance.id)).map((x) => x.elementId)).toEqual(['confirmWithdrawal']);
    expect(await subscriptions(int.instance.id)).toEqual([]);

    await send({ name: 'withdraw', correlationKey: 'INC-41' }).expect(200);
    expect((await openTasks(non.instance.id)).map((x) => x.elementId).sort()).toEqual(['confirmWithdrawal', 'work']);
    for (const task of await openTasks(non.instance.id)) await t.as('alice').post(`/api/tasks/${task.id}/complete`).send({ variables: {} }).expect(200);
    expect((await instance(non.instance.id)).status).toBe('completed');
    expect(await subscriptions(non.instance.id)).toEqual([]);
  });

  it('a second message to a running non-interrupting event sub-process is queued (200) and runs when the first run ends, across a restart; the instance does not end first', async () => {
    await deploy(eventSubProcess('esp-queue', false));
    const { instance: inst } = await start('esp-queue', { ticket: 'INC-77' });
    await send({ name: 'withdraw', correlationKey: 'INC-77', variables: { reason: 'first' } }).expect(200);
    // Still subscribed while it runs: the second message is accepted, not 404.
    expect(await subscriptions(inst.id)).toEqual([{ element_id: 'withdrawn', name: 'withdraw', correlation_key: 'INC-77' }]);
    const second = await send({ name: 'withdraw', correlationKey: 'INC-77', variables: { reason: 'second' } }).expect(200);
    expect(JSON.stringify(second.body)).toContain(inst.id);
    // One after another: a single handler task open beside the work.
    expect((await openTasks(inst.id)).map((x) => x.elementId).sort()).toEqual(['confirmWithdrawal', 'work']);

    // A restart: the queued start is in the snapshot, not in this process's memory.
    await t.close();
    t = await createTestApp(db, { clock });

    const complete = async (elementId: string) => {
      const task = (await openTasks(inst.id)).find((x) => x.elementId === elementId)!;
      await t.as('alice').post(`/api/tasks/${task.id}/complete`).send({ variables: {} }).expect(200);
    };
    // The main path ends first: the instance waits for the queued run.
    await complete('work');
    expect((await instance(inst.id)).status).toBe('running');
    await complete('confirmWithdrawal');
    expect((await instance(inst.id)).status).toBe('running');
    expect((await openTasks(inst.id)).map((x) => x.elementId)).toEqual(['confirmWithdrawal']);
    expect((await instance(inst.id)).variables).toMatchObject({ reason: 'second' });
    await complete('confirmWithdrawal');
    expect((await instance(inst.id)).status).toBe('completed');
    const events = await history(inst.id);
    expect(events.filter((e) => e.type === 'element.completed' && e.elementId === 'confirmWithdrawal')).toHaveLength(2);
    expect(await subscriptions(inst.id)).toEqual([]);
  });

  it('buffers a message with a time to live and delivers it to a subscription that opens later, once', async () => {
    const res = await send({ name: 'customer-reply', correlationKey: 'INC-50', variables: { early: true }, timeToLive: 'PT10M' }).expect(202);
    expect(res.body.status).toBe('buffered');
    expect(Math.abs(new Date(res.body.expiresAt).getTime() - (clock.now().getTime() + 10 * MINUTE))).toBeLessThan(5_000);
    const started = await start('await-reply', { ticket: 'INC-50' });
    // delivered in the command that opened the subscription
    expect(started.tasks.map((x: { elementId: string }) => x.elementId)).toEqual(['work']);
    expect((await instance(started.instance.id)).variables).toMatchObject({ early: true });
    expect(received(await history(started.instance.id))).toEqual([expect.objectContaining({ payload: expect.objectContaining({ buffered: true }) })]);
    // consumed: a second subscriber does not get it
    const second = await start('await-reply', { ticket: 'INC-50' });
    expect(second.tasks).toEqual([]);
    expect(await subscriptions(second.instance.id)).toHaveLength(1);
  });

  it('a buffered message expires after its time to live', async () => {
    await send({ name: 'customer-reply', correlationKey: 'INC-60', timeToLive: 5 * MINUTE }).expect(202);
    clock.advance(6 * MINUTE);
    // expired: a later message still finds nobody, a subscription opened now does not receive it
    await send({ name: 'customer-reply', correlationKey: 'INC-60' }).expect(404);
    const started = await start('await-reply', { ticket: 'INC-60' });
    expect(started.tasks).toEqual([]);
    expect(await subscriptions(started.instance.id)).toHaveLength(1);
    // the poller's tick removes expired messages
    await t.app.get(Orchestrator).drainOutbox('test-worker');
    expect((await t.sql.query(`SELECT count(*)::int AS n FROM buffered_message WHERE correlation_key = 'INC-60'`))[0].n).toBe(0);
  });

  it('delivers a repeated messageId once', async () => {
    const a = (await start('await-reply', { ticket: 'INC-70' })).instance.id;
    const b = (await start('await-reply', { ticket: 'INC-70' })).instance.id;
    // a message reaches every instance waiting for it...
    const first = await send({ name: 'customer-reply', correlationKey: 'INC-70', messageId: 'mail-1' }).expect(200);
    expect(first.body.delivered.map((d: { instanceId: string }) => d.instanceId).sort()).toEqual([a, b].sort());
    // ...but a repeat of the same message id reaches nothing new, even when someone waits again
    const c = (await start('await-reply', { ticket: 'INC-70' })).instance.id;
    const repeat = await send({ name: 'customer-reply', correlationKey: 'INC-70', messageId: 'mail-1' }).expect(200);
    expect(repeat.body).toEqual(first.body);
    expect(await subscriptions(c)).toHaveLength(1);
    for (const id of [a, b]) expect(received(await history(id))).toHaveLength(1);
  });

  it('broadcasts a signal to every waiting instance of two definitions, event sub-processes and signal start events', async () => {
    await deploy(signalCatch('signal-a'));
    await deploy(signalCatch('signal-b'));
    await deploy(signalStart);
    await deploy(signalEventSubProcess);
    const ids = [
      (await start('signal-a')).instance.id,
      (await start('signal-a')).instance.id,
      (await start('signal-b')).instance.id,
    ];
    const aware = (await start('major-aware')).instance.id;
    const res = await signal({ name: 'major-incident', variables: { major: 'INC-80' } }).expect(200);
    expect(res.body.delivered.map((d: { instanceId: string }) => d.instanceId).sort()).toEqual([...ids, aware].sort());
    expect(res.body.started).toEqual([expect.objectContaining({ definitionKey: 'major-review' })]);
    expect(res.body.pending).toBe(0);
    for (const id of ids) {
      expect(await instance(id)).toMatchObject({ status: 'completed', variables: { major: 'INC-80' } });
      expect((await history(id)).filter((e) => e.type === 'signal.received')).toHaveLength(1);
    }
    expect((await openTasks(aware)).map((x) => x.elementId).sort()).toEqual(['inform', 'work']);
    expect((await openTasks(res.body.started[0].instanceId)).map((x) => x.elementId)).toEqual(['review']);
    expect((await t.sql.query(`SELECT count(*)::int AS n FROM message_outbox`))[0].n).toBe(0);
  });

  it('a throw event delivers its message and signal through the outbox after its command committed', async () => {
    await deploy(thrower);
    const receiver = (await start('await-reply', { ticket: 'INC-90' })).instance.id;
    const listener = (await start('signal-a')).instance.id;
    const sender = await start('incident-raises', { ticket: 'INC-90' });
    expect(sender.instance.status).toBe('completed');
    // nothing delivered yet: it waits in the outbox
    expect(await openTasks(receiver)).toEqual([]);
    expect((await t.sql.query(`SELECT kind, name, correlation_key FROM message_outbox ORDER BY kind`)).map((r: any) => `${r.kind}:${r.name}:${r.correlation_key}`)).toEqual([
      'message:customer-reply:INC-90',
      'signal:major-incident:null',
    ]);
    expect((await history(sender.instance.id)).map((e) => e.type)).toEqual(expect.arrayContaining(['message.sent', 'signal.thrown']));

    const drained = await t.app.get(Orchestrator).drainOutbox('test-worker');
    expect(drained).toMatchObject({ failed: 0 });
    expect((await openTasks(receiver)).map((x) => x.elementId)).toEqual(['work']);
    expect(received(await history(receiver))).toEqual([expect.objectContaining({ actor: 'system:outbox' })]);
    expect((await instance(listener)).status).toBe('completed');
    expect((await t.sql.query(`SELECT count(*)::int AS n FROM message_outbox`))[0].n).toBe(0);
  });

  it('a signal reaches every one of many waiting instances, each in its own transaction', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) ids.push((await start('signal-b')).instance.id);
    const res = await signal({ name: 'major-incident' }).expect(200);
    expect(res.body.pending).toBe(0);
    expect(res.body.delivered.map((d: { instanceId: string }) => d.instanceId)).toEqual(expect.arrayContaining(ids));
    const rows = (await t.sql.query(`SELECT status, count(*)::int AS n FROM process_instance WHERE id = ANY($1) GROUP BY status`, [ids])) as { status: string; n: number }[];
    expect(rows).toEqual([{ status: 'completed', n: 60 }]);
  });

  it('cancelling an instance closes its subscriptions', async () => {
    const id = (await start('await-reply', { ticket: 'INC-95' })).instance.id;
    await t.as('admin').post(`/api/instances/${id}/cancel`).send({ reason: 'test' }).expect(200);
    expect(await subscriptions(id)).toEqual([]);
    expect((await history(id)).filter((e) => e.type === 'subscription.closed')).toHaveLength(1);
    await send({ name: 'customer-reply', correlationKey: 'INC-95' }).expect(404);
  });

  it('a message sent concurrently to many waiting instances (16 clients) is delivered exactly once to each', async () => {
    // 1,000 on PostgreSQL; the embedded PGlite serialises every connection, so it gets fewer.
    const count = Number(process.env.MESSAGE_LOAD_COUNT ?? (db.kind === 'postgresql' ? 1000 : 100));
    const clients = 16;
    await deploy(loadProcess);
    const ids: string[] = new Array(count);
    let next = 0;
    const worker = async (work: (i: number) => Promise<void>) => {
      for (let i = next++; i < count; i = next++) await work(i);
    };
    await Promise.all(Array.from({ length: clients }, () => worker(async (i) => {
      ids[i] = (await start('load-receiver', { key: `K-${i}` })).instance.id;
    })));
    next = 0;
    const startedAt = Date.now();
    await Promise.all(Array.from({ length: clients }, () => worker(async (i) => {
      const res = await send({ name: 'load-message', correlationKey: `K-${i}` });
      if (res.status !== 200) throw new Error(`message ${i}: ${res.status} ${JSON.stringify(res.body)}`);
    })));
    const elapsed = Date.now() - startedAt;
    const rows = (await t.sql.query(
      `SELECT i.id, i.status, (SELECT count(*)::int FROM history_event h WHERE h.instance_id = i.id AND h.type = 'message.received') AS received
         FROM process_instance i WHERE i.definition_key = 'load-receiver'`,
    )) as { id: string; status: string; received: number }[];
    expect(rows).toHaveLength(count);
    expect(rows.filter((r) => r.received !== 1 || r.status !== 'completed')).toEqual([]);
    expect((await t.sql.query(`SELECT count(*)::int AS n FROM event_subscription WHERE definition_key = 'load-receiver'`))[0].n).toBe(0);
    console.log(`${count} messages from ${clients} clients delivered in ${elapsed} ms`);
  }, 180_000);
});
