import { ManualClock, Orchestrator } from '../../../engine';
import { bpmn, startSlaTask } from '../../support/bpmn';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';
import { createTestApp, type ApiTestApp } from '../../support/test-app';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * `itsm:pauseSla` as a process owner models it: a wait step pauses an SLA clock while it runs.
 * Here the clock's breach timer sits on a task of a parallel branch that stays active during the
 * pause, so the command that pauses (and the one that resumes) must re-arm a timer armed earlier.
 */
const parallel = bpmn(
  'sla_pause_parallel',
  `${startSlaTask('sla', 'fix', 'PT4H', '24x7')}
   <bpmn:startEvent id="start"/>
   <bpmn:parallelGateway id="fork"/>
   <bpmn:userTask id="work" name="Work" camunda:candidateGroups="desk"/>
   <bpmn:boundaryEvent id="due" attachedToRef="work" cancelActivity="false">
     <bpmn:timerEventDefinition><bpmn:timeDate>\${sla.fix.dueAt}</bpmn:timeDate></bpmn:timerEventDefinition>
   </bpmn:boundaryEvent>
   <bpmn:endEvent id="breached"/>
   <bpmn:userTask id="ask" name="Ask the customer" camunda:candidateGroups="desk"/>
   <bpmn:receiveTask id="wait" name="Awaiting customer" messageRef="Reply" itsm:pauseSla="fix" itsm:pauseReason="awaiting_customer"/>
   <bpmn:endEvent id="answered"/>
   <bpmn:endEvent id="done"/>
   <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="sla"/>
   <bpmn:sequenceFlow id="f2" sourceRef="sla" targetRef="fork"/>
   <bpmn:sequenceFlow id="f3" sourceRef="fork" targetRef="work"/>
   <bpmn:sequenceFlow id="f4" sourceRef="fork" targetRef="ask"/>
   <bpmn:sequenceFlow id="f5" sourceRef="ask" targetRef="wait"/>
   <bpmn:sequenceFlow id="f6" sourceRef="wait" targetRef="answered"/>
   <bpmn:sequenceFlow id="f7" sourceRef="due" targetRef="breached"/>
   <bpmn:sequenceFlow id="f8" sourceRef="work" targetRef="done"/>`,
).replace('<bpmn:process', '<bpmn:message id="Reply" name="customer-reply" itsm:correlationKey="${ticket}"/>\n<bpmn:process');

describe('itsm:pauseSla (an SLA clock paused while a step runs)', () => {
  let db: TestDatabase;
  let t: ApiTestApp;
  const clock = new ManualClock();
  const fire = () => t.app.get(Orchestrator).fireDueTimers('test-worker');
  const deploy = (xml: string) => t.as('admin').post('/api/definitions').attach('file', Buffer.from(xml), 'p.bpmn');
  const reached = async (id: string) => ((await t.as('auditor').get(`/api/instances/${id}/history`).expect(200)).body as { type: string; elementId: string }[]).filter((e) => e.type === 'element.started').map((e) => e.elementId);
  const timerDue = async (id: string) => {
    // a parked job (its clock is paused) is due at 'infinity': never claimed
    const [row] = (await t.sql.query(`SELECT CASE WHEN due_at = 'infinity' THEN NULL ELSE due_at END AS due_at FROM timer_job WHERE instance_id = $1 AND element_id = 'due'`, [id])) as { due_at: string | Date | null }[];
    if (!row) throw new Error('no timer row for "due"');
    return row.due_at === null ? null : new Date(row.due_at).getTime();
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db, { clock });
    await t.user({ username: 'dora', roles: ['staff'], groups: ['desk'] });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('refuses misplaced or malformed itsm:pauseSla at deploy (422 naming the element) and warns about a clock no task starts', async () => {
    const wrap = (body: string) => bpmn('sla_pause_bad', `<bpmn:startEvent id="s"/>${body}<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="x"/><bpmn:sequenceFlow id="g" sourceRef="x" targetRef="e"/><bpmn:endEvent id="e"/>`);
    const onGateway = await deploy(wrap('<bpmn:exclusiveGateway id="x" itsm:pauseSla="fix"/>')).expect(422);
    expect(onGateway.body.problems).toEqual([expect.objectContaining({ elementId: 'x', rule: 'sla-pause' })]);
    const badName = await deploy(wrap('<bpmn:userTask id="x" camunda:candidateGroups="desk" itsm:pauseSla="fix, 9lives"/>')).expect(422);
    expect(badName.body.problems).toEqual([expect.objectContaining({ elementId: 'x', rule: 'sla-pause', message: expect.stringContaining('9lives') })]);
    const reasonAlone = await deploy(wrap('<bpmn:userTask id="x" camunda:candidateGroups="desk" itsm:pauseReason="waiting"/>')).expect(422);
    expect(reasonAlone.body.problems).toEqual([expect.objectContaining({ elementId: 'x', rule: 'sla-pause' })]);
    const unknown = await deploy(wrap('<bpmn:userTask id="x" camunda:candidateGroups="desk" itsm:pauseSla="fix"/>')).expect(201);
    expect((unknown.body.warnings as { rule: string }[]).filter((w) => w.rule.startsWith('sla-'))).toEqual([expect.objectContaining({ elementId: 'x', rule: 'sla-pause-unknown-clock' })]);
  });

  it('parks a timer of another branch that reads the clock while the step runs, and re-arms it shifted by the pause when the step is left', async () => {
    const deployed = await deploy(parallel);
    expect([deployed.status, deployed.body.problems]).toEqual([201, undefined]);
    expect((deployed.body.warnings as { rule: string }[]).filter((w) => w.rule.startsWith('sla-'))).toEqual([]);
    const started = await t.as('dora').post('/api/instances').send({ definitionKey: 'sla_pause_parallel', variables: { ticket: 'T-1' } }).expect(201);
    const id = started.body.instance.id as string;
    const t0 = new Date((await t.as('auditor').get(`/api/instances/${id}`).expect(200)).body.variables.sla.fix.startedAt).getTime();
    expect((await timerDue(id))! - t0).toBe(4 * HOUR);

    // when: after 1 h the desk asks the customer: the wait step pauses the clock
    clock.advance(HOUR);
    const ask = (await t.as('dora').get(`/api/tasks?instanceId=${id}&status=open`).expect(200)).body.items.find((x: { elementId: string }) => x.elementId === 'ask');
    await t.as('dora').post(`/api/tasks/${ask.id}/complete`).send({ variables: {} }).expect(200);
    // then: the breach timer on "Work" (armed before) is parked
    expect(await timerDue(id)).toBeNull();
    const history = (await t.as('auditor').get(`/api/instances/${id}/history`).expect(200)).body as { type: string; elementId: string; payload: Record<string, unknown> }[];
    expect(history.find((e) => e.type === 'timer.rearmed')).toMatchObject({ elementId: 'due', payload: expect.objectContaining({ dueAt: null, sla: 'fix' }) });
    expect(history.find((e) => e.type === 'sla.paused')).toMatchObject({ elementId: 'wait', payload: expect.objectContaining({ reason: 'awaiting_customer' }) });

    // the customer takes 5 h: the original due time (t0 + 4 h) passes without a breach
    clock.advance(5 * HOUR);
    await fire();
    expect(await reached(id)).not.toContain('breached');

    // when: the reply comes: the clock resumes and the timer is re-armed at t0 + 9 h
    await t.as('dora').post('/api/messages').send({ name: 'customer-reply', correlationKey: 'T-1' }).expect(200);
    const vars = (await t.as('auditor').get(`/api/instances/${id}`).expect(200)).body.variables;
    expect(vars.sla.fix.status).toBe('running');
    const due = (await timerDue(id))!;
    expect(due).toBe(new Date(vars.sla.fix.dueAt).getTime());
    expect(Math.abs(due - t0 - 9 * HOUR)).toBeLessThan(MINUTE); // the clock also runs with real time between commands

    // then: it fires at the shifted time, not before
    clock.advance(2 * HOUR + 58 * MINUTE); // t0 + 8 h 58 min
    await fire();
    expect(await reached(id)).not.toContain('breached');
    clock.advance(3 * MINUTE); // t0 + 9 h 01 min
    await fire();
    expect(await reached(id)).toContain('breached');
  });
});
