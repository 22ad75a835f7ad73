import { BpmnBusinessError, ManualClock, Orchestrator, type ServiceHandler } from '../../engine';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { createTestApp, type ApiTestApp } from '../support/test-app';
import { bpmn, sequenceFlow as flow, userTask as task } from '../support/bpmn';

/** Errors, escalations, terminate end events and failing service handlers (issue 7 items 6, 9). */

const SEC = 1_000;

/** `validate` raises the BPMN error INVALID when the variable `valid` is false. */
const validate: ServiceHandler = {
  name: 'validate',
  description: 'test handler: BPMN error INVALID unless valid',
  run({ variables }) {
    if (variables.valid === false) throw new BpmnBusinessError('INVALID', 'the request is incomplete');
    return { validated: true };
  },
};

/** `syncCmdb` fails technically while `outage` > 0 (one failure per call). */
let outage = 0;
let syncCalls = 0;
const syncCmdb: ServiceHandler = {
  name: 'syncCmdb',
  description: 'test handler: fails while the CMDB is down',
  run() {
    syncCalls++;
    if (outage > 0) {
      outage--;
      throw new Error('CMDB unavailable (503)');
    }
    return { synced: true };
  },
};

const ERRORS = `<bpmn:error id="Invalid" name="Invalid request" errorCode="INVALID"/><bpmn:error id="Rejected" name="Rejected" errorCode="REJECTED"/>
  <bpmn:escalation id="Late" name="Late" escalationCode="LATE"/>`;

/** bpmn() with top-level errors/escalations before the process. */
const withErrors = (id: string, body: string) => bpmn(id, body).replace('<bpmn:process ', `${ERRORS}\n<bpmn:process `);


const boundaryCaught = withErrors(
  'err-boundary',
  `<bpmn:startEvent id="start"/>${flow('f1', 'start', 'check')}
   <bpmn:serviceTask id="check" camunda:delegateExpression="\${validate}"/>${flow('f2', 'check', 'work')}
   ${task('work')}${flow('f3', 'work', 'end')}<bpmn:endEvent id="end"/>
   <bpmn:boundaryEvent id="invalid" attachedToRef="check"><bpmn:errorEventDefinition errorRef="Invalid"/></bpmn:boundaryEvent>
   ${flow('f4', 'invalid', 'complete')}${task('complete')}${flow('f5', 'complete', 'end2')}<bpmn:endEvent id="end2"/>`,
);

const subProcessCaught = withErrors(
  'err-esp',
  `<bpmn:startEvent id="start"/>${flow('f1', 'start', 'triage')}${task('triage')}${flow('f2', 'triage', 'check')}
   <bpmn:serviceTask id="check" camunda:delegateExpression="\${validate}"/>${flow('f3', 'check', 'work')}
   ${task('work')}${flow('f4', 'work', 'end')}<bpmn:endEvent id="end"/>
   <bpmn:subProcess id="onInvalid" triggeredByEvent="true">
     <bpmn:startEvent id="invalidStart"><bpmn:errorEventDefinition errorRef="Invalid"/></bpmn:startEvent>
     ${flow('e1', 'invalidStart', 'complete')}${task('complete')}${flow('e2', 'complete', 'eEnd')}<bpmn:endEvent id="eEnd"/>
   </bpmn:subProcess>`,
);

/** The handler's error leaves the sub-process: the boundary on the sub-process catches it (catch-all). */
const enclosingBoundary = withErrors(
  'err-enclosing',
  `<bpmn:startEvent id="start"/>${flow('f1', 'start', 'handling')}
   <bpmn:subProcess id="handling">
     <bpmn:startEvent id="hStart"/>${flow('h1', 'hStart', 'triage')}${task('triage')}${flow('h2', 'triage', 'check')}
     <bpmn:serviceTask id="check" camunda:delegateExpression="\${validate}"/>${flow('h3', 'check', 'hEnd')}<bpmn:endEvent id="hEnd"/>
   </bpmn:subProcess>
   ${flow('f2', 'handling', 'end')}<bpmn:endEvent id="end"/>
   <bpmn:boundaryEvent id="anyError" attachedToRef="handling"><bpmn:errorEventDefinition/></bpmn:boundaryEvent>
   ${flow('f3', 'anyError', 'complete')}${task('complete')}${flow('f4', 'complete', 'end2')}<bpmn:endEvent id="end2"/>`,
);

/** The BPMN error INVALID has no catcher here (the boundary catches REJECTED only). */
const uncaught = withErrors(
  'err-uncaught',
  `<bpmn:startEvent id="start"/>${flow('f1', 'start', 'triage')}${task('triage')}${flow('f2', 'triage', 'check')}
   <bpmn:serviceTask id="check" camunda:delegateExpression="\${validate}"/>${flow('f3', 'check', 'end')}<bpmn:endEvent id="end"/>
   <bpmn:boundaryEvent id="rejected" attachedToRef="check"><bpmn:errorEventDefinition errorRef="Rejected"/></bpmn:boundaryEvent>
   ${flow('f4', 'rejected', 'end2')}<bpmn:endEvent id="end2"/>`,
);

const flaky = bpmn(
  'err-flaky',
  `<bpmn:startEvent id="start"/>${flow('f1', 'start', 'triage')}${task('triage')}${flow('f2', 'triage', 'sync')}
   <bpmn:serviceTask id="sync" camunda:delegateExpression="\${syncCmdb}"/>${flow('f3', 'sync', 'close')}${task('close')}${flow('f4', 'close', 'end')}<bpmn:endEvent id="end"/>`,
);

/** An error end event inside a sub-process, after a user task there, caught by a boundary on it. */
const errorEndInSubProcess = withErrors(
  'err-end-sub',
  `<bpmn:startEvent id="start"/>${flow('f1', 'start', 'handling')}
   <bpmn:subProcess id="handling">
     <bpmn:startEvent id="hStart"/>${flow('h1', 'hStart', 'diagnose')}${task('diagnose')}${flow('h2', 'diagnose', 'failed')}
     <bpmn:endEvent id="failed"><bpmn:errorEventDefinition errorRef="Rejected"/></bpmn:endEvent>
   </bpmn:subProcess>
   ${flow('f2', 'handling', 'end')}<bpmn:endEvent id="end"/>
   <bpmn:boundaryEvent id="onRejected" attachedToRef="handling"><bpmn:errorEventDefinition errorRef="Rejected"/></bpmn:boundaryEvent>
   ${flow('f3', 'onRejected', 'rework')}${task('rework')}${flow('f4', 'rework', 'end2')}<bpmn:endEvent id="end2"/>`,
);

const uncaughtErrorEnd = withErrors(
  'err-end-uncaught',
  `<bpmn:startEvent id="start"/>${flow('f1', 'start', 'split')}<bpmn:parallelGateway id="split"/>
   ${flow('f2', 'split', 'review')}${task('review')}${flow('f3', 'review', 'failed')}
   <bpmn:endEvent id="failed"><bpmn:errorEventDefinition errorRef="Rejected"/></bpmn:endEvent>
   ${flow('f4', 'split', 'other')}${task('other')}${flow('f5', 'other', 'end')}<bpmn:endEvent id="end"/>`,
);

/** An error end event with an errorRef, caught by a catch-all error event sub-process. */
const catchAllSubProcess = withErrors(
  'err-end-catch-all',
  `<bpmn:startEvent id="start"/>${flow('f1', 'start', 'review')}${task('review')}${flow('f2', 'review', 'failed')}
   <bpmn:endEvent id="failed"><bpmn:errorEventDefinition errorRef="Rejected"/></bpmn:endEvent>
   <bpmn:subProcess id="onAnyError" triggeredByEvent="true">
     <bpmn:startEvent id="anyError"><bpmn:errorEventDefinition/></bpmn:startEvent>
     ${flow('e1', 'anyError', 'handle')}${task('handle')}${flow('e2', 'handle', 'eEnd')}<bpmn:endEvent id="eEnd"/>
   </bpmn:subProcess>`,
);

/** A parallel branch waits while the other raises INVALID from a handler: the error event sub-process interrupts both. */
const interrupting = withErrors(
  'err-esp-interrupt',
  `<bpmn:startEvent id="start"/>${flow('f1', 'start', 'split')}<bpmn:parallelGateway id="split"/>
   ${flow('f2', 'split', 'other')}${task('other')}${flow('f3', 'other', 'end')}<bpmn:endEvent id="end"/>
   ${flow('f4', 'split', 'triage')}${task('triage')}${flow('f5', 'triage', 'check')}
   <bpmn:serviceTask id="check" camunda:delegateExpression="\${validate}"/>${flow('f6', 'check', 'end2')}<bpmn:endEvent id="end2"/>
   <bpmn:subProcess id="onInvalid" triggeredByEvent="true">
     <bpmn:startEvent id="invalidStart"><bpmn:errorEventDefinition errorRef="Invalid"/></bpmn:startEvent>
     ${flow('e1', 'invalidStart', 'complete')}${task('complete')}${flow('e2', 'complete', 'eEnd')}<bpmn:endEvent id="eEnd"/>
   </bpmn:subProcess>`,
);

/** Escalations thrown inside a sub-process after a user task: non-interrupting by a throw event, interrupting by an end event. */
const escalation = withErrors(
  'esc',
  `<bpmn:startEvent id="start"/>${flow('f1', 'start', 'handling')}
   <bpmn:subProcess id="handling">
     <bpmn:startEvent id="hStart"/>${flow('h1', 'hStart', 'diagnose')}${task('diagnose')}${flow('h2', 'diagnose', 'late')}
     <bpmn:intermediateThrowEvent id="late"><bpmn:escalationEventDefinition escalationRef="Late"/></bpmn:intermediateThrowEvent>
     ${flow('h3', 'late', 'fix')}${task('fix')}${flow('h4', 'fix', 'hEnd')}<bpmn:endEvent id="hEnd"/>
   </bpmn:subProcess>
   ${flow('f2', 'handling', 'end')}<bpmn:endEvent id="end"/>
   <bpmn:boundaryEvent id="notify" attachedToRef="handling" cancelActivity="false"><bpmn:escalationEventDefinition escalationRef="Late"/></bpmn:boundaryEvent>
   ${flow('f3', 'notify', 'inform')}${task('inform')}${flow('f4', 'inform', 'end3')}<bpmn:endEvent id="end3"/>`,
);

const escalationInterrupting = withErrors(
  'esc-int',
  `<bpmn:startEvent id="start"/>${flow('f1', 'start', 'handling')}
   <bpmn:subProcess id="handling">
     <bpmn:startEvent id="hStart"/>${flow('h1', 'hStart', 'diagnose')}${task('diagnose')}${flow('h2', 'diagnose', 'giveUp')}
     <bpmn:endEvent id="giveUp"><bpmn:escalationEventDefinition escalationRef="Late"/></bpmn:endEvent>
   </bpmn:subProcess>
   ${flow('f2', 'handling', 'end')}<bpmn:endEvent id="end"/>
   <bpmn:boundaryEvent id="takeOver" attachedToRef="handling"><bpmn:escalationEventDefinition escalationRef="Late"/></bpmn:boundaryEvent>
   ${flow('f3', 'takeOver', 'manager')}${task('manager')}${flow('f4', 'manager', 'end2')}<bpmn:endEvent id="end2"/>`,
);

const terminate = bpmn(
  'terminate',
  `<bpmn:startEvent id="start"/>${flow('f1', 'start', 'split')}<bpmn:parallelGateway id="split"/>
   ${flow('f2', 'split', 'a')}${task('a')}${flow('f3', 'a', 'end')}<bpmn:endEvent id="end"/>
   ${flow('f4', 'split', 'handling')}
   <bpmn:subProcess id="handling">
     <bpmn:startEvent id="hStart"/>${flow('h1', 'hStart', 'hSplit')}<bpmn:parallelGateway id="hSplit"/>
     ${flow('h2', 'hSplit', 'b')}${task('b')}${flow('h3', 'b', 'hEnd')}<bpmn:endEvent id="hEnd"/>
     ${flow('h4', 'hSplit', 'c')}${task('c')}${flow('h5', 'c', 'hKill')}<bpmn:endEvent id="hKill"><bpmn:terminateEventDefinition/></bpmn:endEvent>
   </bpmn:subProcess>
   ${flow('f5', 'handling', 'd')}${task('d')}${flow('f6', 'd', 'kill')}<bpmn:endEvent id="kill"><bpmn:terminateEventDefinition/></bpmn:endEvent>`,
);

/** A booking compensated by an intermediate compensation throw event after a user task. */
let undone = 0;
const undoBooking: ServiceHandler = {
  name: 'undoBooking',
  description: 'test handler: compensates the booking',
  run() {
    undone++;
    return { booked: false };
  },
};
const compensation = bpmn(
  'compensate',
  `<bpmn:startEvent id="start"/>${flow('f1', 'start', 'book')}
   <bpmn:serviceTask id="book" camunda:delegateExpression="\${validate}"/>${flow('f2', 'book', 'confirm')}
   <bpmn:boundaryEvent id="onUndo" attachedToRef="book"><bpmn:compensateEventDefinition/></bpmn:boundaryEvent>
   <bpmn:serviceTask id="undo" isForCompensation="true" camunda:delegateExpression="\${undoBooking}"/>
   <bpmn:association id="a1" associationDirection="One" sourceRef="onUndo" targetRef="undo"/>
   ${task('confirm')}${flow('f3', 'confirm', 'revert')}
   <bpmn:intermediateThrowEvent id="revert"><bpmn:compensateEventDefinition/></bpmn:intermediateThrowEvent>${flow('f4', 'revert', 'end')}<bpmn:endEvent id="end"/>`,
);

interface Event {
  type: string;
  elementId: string;
  payload: any;
}

describe('errors, escalations and failing handlers', () => {
  let db: TestDatabase;
  let t: ApiTestApp;
  const clock = new ManualClock();
  const fire = () => t.app.get(Orchestrator).fireDueTimers('test-worker');
  const deploy = (xml: string) => t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(xml).expect(201);
  const start = async (key: string, variables: Record<string, unknown> = {}) =>
    (await t.as('alice').post('/api/instances').send({ definitionKey: key, variables }).expect(201)).body;
  const openTasks = async (id: string) => (await t.as('auditor').get(`/api/tasks?instanceId=${id}&status=open`)).body.items as { id: string; elementId: string }[];
  const openIds = async (id: string) => (await openTasks(id)).map((x) => x.elementId).sort();
  const taskAt = async (id: string, elementId: string) => (await openTasks(id)).find((x) => x.elementId === elementId)!;
  const history = async (id: string) => (await t.as('auditor').get(`/api/instances/${id}/history`)).body as Event[];
  const instance = async (id: string) => (await t.as('auditor').get(`/api/instances/${id}`)).body;
  const count = async (key: string) => (await t.as('auditor').get(`/api/instances?key=${key}`)).body.total as number;
  const complete = (taskId: string, variables: Record<string, unknown> = {}) => t.as('alice').post(`/api/tasks/${taskId}/complete`).send({ variables });
  const completeAt = async (id: string, elementId: string, variables: Record<string, unknown> = {}) => complete((await taskAt(id, elementId)).id, variables);

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db, { clock, handlers: [validate, syncCmdb, undoBooking] });
    for (const xml of [enclosingBoundary, interrupting, catchAllSubProcess, compensation, boundaryCaught, subProcessCaught, uncaught, flaky, errorEndInSubProcess, uncaughtErrorEnd, escalation, escalationInterrupting, terminate]) await deploy(xml);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('a handler BPMN error is caught by the error boundary event with its code', async () => {
    const ok = await start('err-boundary', { valid: true });
    expect(await openIds(ok.instance.id)).toEqual(['work']);
    const failed = await start('err-boundary', { valid: false });
    expect(await openIds(failed.instance.id)).toEqual(['complete']);
    expect((await history(failed.instance.id)).map((e) => e.type + ':' + e.elementId)).toEqual(expect.arrayContaining(['element.completed:invalid']));
  });

  it('a handler BPMN error is caught by the error event sub-process of its scope (after a wait state)', async () => {
    const started = await start('err-esp', { valid: false });
    const id = started.instance.id;
    expect((await completeAt(id, 'triage')).status).toBe(200);
    expect(await openIds(id)).toEqual(['complete']);
    const events = await history(id);
    expect(events.some((e) => e.type === 'element.completed' && e.elementId === 'check')).toBe(false);
    expect(events.some((e) => e.type === 'element.started' && e.elementId === 'onInvalid')).toBe(true);
    expect((await completeAt(id, 'complete')).status).toBe(200);
    expect((await instance(id)).status).toBe('completed');
  });

  it('a handler BPMN error leaves its sub-process for the error boundary on it', async () => {
    const started = await start('err-enclosing', { valid: false });
    const id = started.instance.id;
    expect((await completeAt(id, 'triage')).status).toBe(200);
    expect(await openIds(id)).toEqual(['complete']);
    const after = await instance(id);
    expect(after.status).toBe('running');
    expect(after.activeElementIds).not.toContain('handling');
    expect((await completeAt(id, 'complete')).status).toBe(200);
    expect((await instance(id)).status).toBe('completed');
  });

  it('an uncaught handler BPMN error fails the command with a 422 naming the code and the element, and stores nothing', async () => {
    const started = await start('err-uncaught', { valid: false });
    const id = started.instance.id;
    const before = await instance(id);
    const res = await completeAt(id, 'triage');
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.detail).toMatch(/INVALID/);
    expect(res.body.detail).toMatch(/check/);
    const after = await instance(id);
    expect(after).toMatchObject({ status: 'running', revision: before.revision });
    expect(await openIds(id)).toEqual(['triage']);
    expect((await history(id)).some((e) => e.type === 'task.completed')).toBe(false);
  });

  it('an uncaught handler BPMN error refuses the start (422) and no instance is stored', async () => {
    const noTriage = withErrors(
      'err-uncaught-start',
      `<bpmn:startEvent id="start"/>${flow('f1', 'start', 'check')}<bpmn:serviceTask id="check" camunda:delegateExpression="\${validate}"/>${flow('f2', 'check', 'end')}<bpmn:endEvent id="end"/>`,
    );
    await deploy(noTriage);
    const res = await t.as('alice').post('/api/instances').send({ definitionKey: 'err-uncaught-start', variables: { valid: false } });
    expect(res.status).toBe(422);
    expect(res.body.detail).toMatch(/INVALID/);
    expect(await count('err-uncaught-start')).toBe(0);
  });

  it('a technical handler failure keeps the command: the task retries from the poller, becomes an incident, and an incident retry completes it', async () => {
    outage = 4; // the call in the command and three retries fail
    syncCalls = 0;
    const started = await start('err-flaky');
    const id = started.instance.id;
    const res = await completeAt(id, 'triage');
    expect(res.status).toBe(200); // what came before the failing task is committed
    expect((await t.as('auditor').get(`/api/tasks/${started.tasks[0].id}`)).body.status).toBe('completed');
    expect((await instance(id)).activeElementIds).toContain('sync');
    const [job] = (await t.as('auditor').get(`/api/timers?instanceId=${id}`)).body.items;
    expect(job).toMatchObject({ elementId: 'sync', elementType: 'bpmn:ServiceTask', spec: 'service-retry', status: 'pending' });
    expect((await history(id)).filter((e) => e.type === 'element.failed' && e.elementId === 'sync')).toEqual([
      expect.objectContaining({ payload: expect.objectContaining({ message: 'CMDB unavailable (503)', retry: true }) }),
    ]);
    expect(syncCalls).toBe(1);

    expect((await fire()).claimed).toBe(0); // not before 10 s
    clock.advance(10 * SEC);
    expect(await fire()).toMatchObject({ claimed: 1, failed: 1 });
    clock.advance(10 * SEC);
    expect(await fire()).toMatchObject({ claimed: 1, failed: 1 });
    clock.advance(40 * SEC);
    expect(await fire()).toMatchObject({ claimed: 1, failed: 1 });
    clock.advance(600 * SEC);
    expect((await fire()).claimed).toBe(0);
    expect(syncCalls).toBe(4);

    const incidents = (await t.as('auditor').get(`/api/incidents?instanceId=${id}`)).body.items;
    expect(incidents).toEqual([expect.objectContaining({ status: 'open', type: 'service-failed', elementId: 'sync', attempts: 3, message: expect.stringMatching(/CMDB unavailable/) })]);
    expect((await instance(id)).status).toBe('running');

    // the CMDB is back: the incident is retried and the service task completes
    await t.as('admin').post(`/api/incidents/${incidents[0].id}/retry`).expect(200);
    expect(await fire()).toMatchObject({ fired: 1, failed: 0 });
    expect(await openIds(id)).toEqual(['close']);
    expect((await instance(id)).variables).toMatchObject({ synced: true });
    expect((await t.as('auditor').get(`/api/timers?instanceId=${id}`)).body.items).toEqual([]);
    expect((await t.as('auditor').get(`/api/instances/${id}/history/verify`)).body.valid).toBe(true);
  });

  it('a handler that recovers on its first retry continues the process', async () => {
    outage = 1;
    const started = await start('err-flaky');
    const id = started.instance.id;
    expect((await completeAt(id, 'triage')).status).toBe(200);
    clock.advance(10 * SEC);
    expect(await fire()).toMatchObject({ fired: 1, failed: 0 });
    expect(await openIds(id)).toEqual(['close']);
  });

  it('an error end event in a sub-process, reached after a user task there, is caught by the boundary on the sub-process', async () => {
    const started = await start('err-end-sub');
    const id = started.instance.id;
    expect(await openIds(id)).toEqual(['diagnose']);
    expect((await completeAt(id, 'diagnose')).status).toBe(200);
    expect(await openIds(id)).toEqual(['rework']);
    const after = await instance(id);
    expect(after.status).toBe('running');
    expect((await history(id)).some((e) => e.type === 'element.completed' && e.elementId === 'onRejected')).toBe(true);
    expect((await completeAt(id, 'rework')).status).toBe(200);
    expect((await instance(id)).status).toBe('completed');
  });

  it('an uncaught error end event after a user task fails the instance visibly (the completion itself commits)', async () => {
    const started = await start('err-end-uncaught');
    const id = started.instance.id;
    expect(await openIds(id)).toEqual(['other', 'review']);
    expect((await completeAt(id, 'review')).status).toBe(200);
    const failed = await instance(id);
    expect(failed.status).toBe('failed');
    expect(failed.endReason).toMatch(/REJECTED/);
    expect(failed.endReason).toMatch(/failed/);
    expect(await openIds(id)).toEqual([]); // the other branch's task is cancelled
    const events = await history(id);
    expect(events.filter((e) => e.type === 'instance.failed')).toEqual([
      expect.objectContaining({ elementId: 'failed', payload: expect.objectContaining({ errorCode: 'REJECTED', errorId: 'Rejected' }) }),
    ]);
    expect(events.some((e) => e.type === 'instance.ended')).toBe(false);
    expect(events.filter((e) => e.type === 'task.cancelled').map((e) => e.elementId)).toEqual(['other']);
  });

  it('an error end event with an errorRef is caught by a catch-all error event sub-process', async () => {
    const started = await start('err-end-catch-all');
    const id = started.instance.id;
    expect((await completeAt(id, 'review')).status).toBe(200);
    expect(await openIds(id)).toEqual(['handle']);
    expect((await instance(id)).status).toBe('running');
    expect((await completeAt(id, 'handle')).status).toBe(200);
    expect((await instance(id)).status).toBe('completed');
  });

  it('an error event sub-process interrupts the other tokens of its scope', async () => {
    const started = await start('err-esp-interrupt', { valid: false });
    const id = started.instance.id;
    expect(await openIds(id)).toEqual(['other', 'triage']);
    expect((await completeAt(id, 'triage')).status).toBe(200);
    expect(await openIds(id)).toEqual(['complete']);
    const events = await history(id);
    expect(events.filter((e) => e.type === 'task.cancelled').map((e) => e.elementId)).toEqual(['other']);
    expect((await completeAt(id, 'complete')).status).toBe(200);
    expect((await instance(id)).status).toBe('completed');
  });

  it('a non-interrupting escalation boundary catches an escalation throw; an interrupting one cancels the sub-process', async () => {
    const started = await start('esc');
    const id = started.instance.id;
    expect((await completeAt(id, 'diagnose')).status).toBe(200);
    expect(await openIds(id)).toEqual(['fix', 'inform']);
    expect((await completeAt(id, 'fix')).status).toBe(200); // the sub-process ends, the escalation path goes on
    expect(await openIds(id)).toEqual(['inform']);
    expect((await instance(id)).status).toBe('running');
    expect((await completeAt(id, 'inform')).status).toBe(200);
    expect((await instance(id)).status).toBe('completed');

    const other = await start('esc-int');
    expect((await completeAt(other.instance.id, 'diagnose')).status).toBe(200);
    expect(await openIds(other.instance.id)).toEqual(['manager']);
    const events = await history(other.instance.id);
    expect(events.some((e) => e.type === 'element.completed' && e.elementId === 'end')).toBe(false);
    expect((await completeAt(other.instance.id, 'manager')).status).toBe(200);
    expect((await instance(other.instance.id)).status).toBe('completed');
  });

  it('a terminate end event in a sub-process ends only that sub-process; one in the process ends the instance', async () => {
    const started = await start('terminate');
    const id = started.instance.id;
    expect(await openIds(id)).toEqual(['a', 'b', 'c']);
    expect((await completeAt(id, 'c')).status).toBe(200);
    expect(await openIds(id)).toEqual(['a', 'd']);
    expect((await completeAt(id, 'd')).status).toBe(200);
    const done = await instance(id);
    expect(done.status).toBe('completed');
    expect(await openIds(id)).toEqual([]);
    expect((await history(id)).filter((e) => e.type === 'task.cancelled').map((e) => e.elementId).sort()).toEqual(['a', 'b']);
  });

  it('a compensation throw event after a user task runs the compensation handler of the completed task', async () => {
    undone = 0;
    const started = await start('compensate');
    const id = started.instance.id;
    expect((await instance(id)).variables).toMatchObject({ validated: true });
    expect((await completeAt(id, 'confirm')).status).toBe(200);
    expect(undone).toBe(1);
    const done = await instance(id);
    expect(done.status).toBe('completed');
    expect(done.variables).toMatchObject({ booked: false });
    expect((await history(id)).some((e) => e.type === 'element.completed' && e.elementId === 'undo')).toBe(true);
  });
});
