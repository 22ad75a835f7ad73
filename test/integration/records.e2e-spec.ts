import { BpmnBusinessError, ManualClock, Orchestrator, type ServiceHandler } from '../../engine';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { createTestApp, type ApiTestApp } from '../support/test-app';
import { bpmn, startSlaTask } from '../support/bpmn';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A ManualClock that does not follow real time between commands, so KPI durations are exact. */
class FrozenClock extends ManualClock {
  private readonly base = Date.now();
  override now(): Date {
    return new Date(this.base + this.offsetMs());
  }
}

const flow = (key: string, type: string, body: string) => bpmn(key, body, `itsm:recordType="${type}"`);

/**
 * Response (1 h) and resolution (4 h, 24x7) clocks, then `ack` (state stays new), `work`
 * (in progress: acknowledged), `confirm` (resolved), end (closed), or the `reject` end event
 * (rejected) when `rejected` is true after `work`.
 */
const ticket = (key: string, type: string, resolution = 'PT4H') =>
  flow(
    key,
    type,
    `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="resp"/>
     ${startSlaTask('resp', 'response', 'PT1H', '24x7')}
     <bpmn:sequenceFlow id="f2" sourceRef="resp" targetRef="reso"/>
     ${startSlaTask('reso', 'resolution', resolution, '24x7')}
     <bpmn:sequenceFlow id="f3" sourceRef="reso" targetRef="ack"/>
     <bpmn:userTask id="ack" name="Acknowledge" camunda:candidateGroups="servicedesk"/>
     <bpmn:sequenceFlow id="f4" sourceRef="ack" targetRef="work"/>
     <bpmn:userTask id="work" name="Work" camunda:candidateGroups="servicedesk" itsm:recordState="in progress"/>
     <bpmn:sequenceFlow id="f5" sourceRef="work" targetRef="gw"/>
     <bpmn:exclusiveGateway id="gw" default="f6"/>
     <bpmn:sequenceFlow id="f6" sourceRef="gw" targetRef="confirm"/>
     <bpmn:sequenceFlow id="f7" sourceRef="gw" targetRef="reject"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">\${rejected == true}</bpmn:conditionExpression></bpmn:sequenceFlow>
     <bpmn:endEvent id="reject" itsm:recordState="rejected"/>
     <bpmn:userTask id="confirm" name="Confirm" camunda:candidateGroups="servicedesk" itsm:recordState="resolved"/>
     <bpmn:sequenceFlow id="f8" sourceRef="confirm" targetRef="end"/><bpmn:endEvent id="end"/>`,
  );

/** One task `work` (in progress), then a successful or failed end event (changes). */
const change = flow(
  'rec-change',
  'change',
  `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
   <bpmn:userTask id="work" name="Implement" camunda:candidateGroups="servicedesk" itsm:recordState="in progress"/>
   <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="gw"/>
   <bpmn:exclusiveGateway id="gw" default="f3"/>
   <bpmn:sequenceFlow id="f3" sourceRef="gw" targetRef="failed"/>
   <bpmn:sequenceFlow id="f4" sourceRef="gw" targetRef="successful"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">\${ok == true}</bpmn:conditionExpression></bpmn:sequenceFlow>
   <bpmn:endEvent id="successful" itsm:recordState="successful"/><bpmn:endEvent id="failed" itsm:recordState="failed"/>`,
);

/** start → work → end: nonconformities and problems. */
const simple = (key: string, type: string) =>
  flow(
    key,
    type,
    `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
     <bpmn:userTask id="work" name="Work" camunda:candidateGroups="servicedesk" itsm:recordState="in progress"/>
     <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end"/><bpmn:endEvent id="end"/>`,
  );

/**
 * Fails the start (after the number was allocated) when `fail` is true: an uncaught BPMN error
 * fails the command (a technical failure would commit and retry the task instead).
 */
const maybeFail: ServiceHandler = {
  name: 'maybeFail',
  description: 'test handler: raises an uncaught BPMN error when variables.fail is true',
  run({ variables }) {
    if (variables.fail === true) throw new BpmnBusinessError('START_FAILED', 'start failed on purpose');
    return {};
  },
};

const gapless = flow(
  'rec-gapless',
  'audit',
  `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check"/>
   <bpmn:serviceTask id="check" camunda:delegateExpression="\${maybeFail}"/>
   <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="work"/>
   <bpmn:userTask id="work" name="Work" camunda:candidateGroups="servicedesk"/>
   <bpmn:sequenceFlow id="f3" sourceRef="work" targetRef="end"/><bpmn:endEvent id="end"/>`,
);

/** A problem that links itself to the incident `incident` with the linkRecord handler. */
const linking = flow(
  'rec-linking',
  'problem',
  `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="link"/>
   <bpmn:serviceTask id="link" camunda:delegateExpression="\${linkRecord}">
     <bpmn:extensionElements><camunda:inputOutput>
       <camunda:inputParameter name="to">\${incident}</camunda:inputParameter>
       <camunda:inputParameter name="kind">caused_by</camunda:inputParameter>
     </camunda:inputOutput></bpmn:extensionElements>
   </bpmn:serviceTask>
   <bpmn:sequenceFlow id="f2" sourceRef="link" targetRef="work"/>
   <bpmn:userTask id="work" name="Analyse" camunda:candidateGroups="servicedesk"/>
   <bpmn:sequenceFlow id="f3" sourceRef="work" targetRef="end"/><bpmn:endEvent id="end"/>`,
);

/** A change started by the message `rfc` (its variables may carry sourceRecord). */
const rfc = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
  xmlns:itsm="http://itsm-orchestrator.dev/schema/bpmn" id="D" targetNamespace="t">
<bpmn:message id="Rfc" name="rfc"/>
<bpmn:process id="rec-rfc" isExecutable="true" itsm:recordType="change">
  <bpmn:startEvent id="start"><bpmn:messageEventDefinition messageRef="Rfc"/></bpmn:startEvent>
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
  <bpmn:userTask id="work" name="Assess" camunda:candidateGroups="servicedesk"/>
  <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end"/><bpmn:endEvent id="end"/>
</bpmn:process>
</bpmn:definitions>`;

/** An incident that throws the message `rfc` (starting a rec-rfc change) once `work` is done. */
const raising = flow(
  'rec-raising',
  'incident',
  `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
   <bpmn:userTask id="work" name="Work" camunda:candidateGroups="servicedesk"/>
   <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="raise"/>
   <bpmn:intermediateThrowEvent id="raise"><bpmn:messageEventDefinition messageRef="Rfc"/></bpmn:intermediateThrowEvent>
   <bpmn:sequenceFlow id="f3" sourceRef="raise" targetRef="end"/><bpmn:endEvent id="end"/>`,
).replace('<bpmn:process ', '<bpmn:message id="Rfc" name="rfc"/>\n<bpmn:process ');

interface Task {
  id: string;
  elementId: string;
}

describe('ITSM records, links and KPIs', () => {
  let db: TestDatabase;
  let t: ApiTestApp;
  const clock = new FrozenClock();
  const deploy = (xml: string) => t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(xml).expect(201);
  const start = async (key: string, variables: Record<string, unknown> = {}, as = 'alice') =>
    (await t.as(as).post('/api/instances').send({ definitionKey: key, variables }).expect(201)).body as { instance: { id: string; variables: Record<string, unknown> }; tasks: Task[] };
  const openTask = async (instanceId: string, elementId: string) => {
    const items = (await t.as('auditor').get(`/api/tasks?instanceId=${instanceId}&status=open`).expect(200)).body.items as Task[];
    const task = items.find((x) => x.elementId === elementId);
    if (!task) throw new Error(`no open task ${elementId} in ${instanceId}: ${JSON.stringify(items.map((x) => x.elementId))}`);
    return task;
  };
  const complete = async (instanceId: string, elementId: string, variables: Record<string, unknown> = {}) =>
    t.as('alice').post(`/api/tasks/${(await openTask(instanceId, elementId)).id}/complete`).send({ variables }).expect(200);
  const record = async (number: string, as = 'auditor') => (await t.as(as).get(`/api/records/${number}`).expect(200)).body;
  const numberOf = (started: { instance: { variables: Record<string, unknown> } }) => started.instance.variables.recordNumber as string;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db, { clock, handlers: [maybeFail] });
    await t.user({ username: 'carol', roles: ['staff'], groups: ['other-desk'] });
    for (const xml of [ticket('rec-incident', 'incident'), ticket('rec-request', 'request', 'PT2H'), change, simple('rec-nc', 'nc'), simple('rec-problem', 'problem'), gapless, linking, rfc, raising]) await deploy(xml);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('refuses an unknown itsm:recordType and an itsm:recordState outside a record process at deploy, naming the element', async () => {
    const badType = await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml')
      .send(flow('bad-type', 'ticket', '<bpmn:startEvent id="start"/>')).expect(422);
    expect(badType.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(badType.body.problems).toEqual(expect.arrayContaining([expect.objectContaining({ rule: 'record-type', elementId: 'bad-type', message: expect.stringContaining('"ticket"') })]));
    const orphan = await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml')
      .send(bpmn('bad-state', '<bpmn:startEvent id="start" itsm:recordState="new"/>')).expect(422);
    expect(orphan.body.problems).toEqual(expect.arrayContaining([expect.objectContaining({ rule: 'record-state', elementId: 'start' })]));
  });

  it('computes the KPIs of a seeded scenario exactly (runs before the other tests add open incidents)', async () => {
    const t0 = clock.now().getTime();
    const at = (ms: number) => new Date(t0 + ms).toISOString();
    const incident = (priority: string) => start('rec-incident', { title: `incident ${priority}`, priority });
    // day 0: an incident nobody touches (backlog 3-7 d), two nonconformities
    const i4 = await incident('P2');
    const n1 = await start('rec-nc');
    const n2 = await start('rec-nc');
    clock.advance(2 * DAY);
    await complete(n1.instance.id, 'work', { effectiveAtFirstCheck: true });
    clock.advance(2 * DAY);
    await complete(n2.instance.id, 'work', { effectiveAtFirstCheck: false });
    await start('rec-nc'); // still open: not in the closure KPIs
    // day 4 (t1)
    const t1 = 4 * DAY;
    const [i1, i2, i3, i5] = [await incident('P1'), await incident('P1'), await incident('P2'), await incident('P3')];
    const [r1, r2] = [await start('rec-request'), await start('rec-request')];
    for (const [due, done] of [[t1 + DAY, t1 + 12 * HOUR], [t1 + HOUR, t1 + 2 * HOUR], [30 * DAY, null], [t1 + 2 * HOUR, null]] as const) {
      await start('rec-problem', { rcaDueAt: at(due), ...(done === null ? {} : { rcaCompletedAt: at(done) }) });
    }
    await start('rec-problem', { rcaDueAt: 'not a date', rcaCompletedAt: 'soon' }); // unreadable: not counted, no error
    const changes = [await start('rec-change', { changeType: 'normal' }), await start('rec-change', { changeType: 'emergency' }), await start('rec-change', { changeType: 'standard' }), await start('rec-change', { changeType: 'emergency' })];
    await complete(changes[0]!.instance.id, 'work', { ok: true, reviewCompleted: true });
    await complete(changes[1]!.instance.id, 'work', { ok: false, reviewCompleted: false });
    await complete(changes[2]!.instance.id, 'work', { ok: true });
    await t.as('admin').post(`/api/instances/${changes[3]!.instance.id}/cancel`).send({ reason: 'withdrawn' }).expect(200);
    await t.as('admin').post(`/api/instances/${i5.instance.id}/cancel`).send({ reason: 'duplicate' }).expect(200);
    await complete(r1.instance.id, 'ack');
    await complete(r2.instance.id, 'ack');
    clock.advance(10 * MINUTE);
    await complete(i3.instance.id, 'ack');
    clock.advance(20 * MINUTE);
    await complete(i1.instance.id, 'ack');
    clock.advance(30 * MINUTE); // t1 + 1 h
    await complete(r1.instance.id, 'work');
    clock.advance(HOUR); // t1 + 2 h
    await complete(i2.instance.id, 'ack');
    await t.as('alice').post(`/api/instances/${i2.instance.id}/sla/resolution/pause`).send({ reason: 'awaiting caller' }).expect(200);
    clock.advance(30 * MINUTE); // t1 + 2.5 h
    await complete(i1.instance.id, 'work');
    await complete(i1.instance.id, 'confirm');
    clock.advance(30 * MINUTE); // t1 + 3 h
    await complete(r2.instance.id, 'work');
    clock.advance(2 * HOUR); // t1 + 5 h
    await t.as('alice').post(`/api/instances/${i2.instance.id}/sla/resolution/resume`).expect(200);
    await complete(i3.instance.id, 'work', { reopenCount: 1 });
    clock.advance(HOUR); // t1 + 6 h: 3 h of it paused
    await complete(i2.instance.id, 'work');

    const kpis = (await t.as('auditor').get(`/api/kpis?from=${at(0)}&to=${at(5 * DAY + HOUR)}`).expect(200)).body;
    const ratio = (count: number, total: number, pct: number | null) => ({ count, total, pct });
    expect(kpis.incident).toEqual({
      priority: null,
      opened: 5,
      mttaMs: 3_200_000, // (30 + 120 + 10) / 3 min
      mttrMs: 12_600_000, // (150 + 180 + 300) / 3 min; i2's 3 h pause excluded
      responseMet: ratio(2, 3, 66.67),
      resolutionMet: ratio(2, 3, 66.67),
      byPriority: [
        { priority: 'P1', opened: 2, mttaMs: 4_500_000, mttrMs: 9_900_000, responseMet: ratio(1, 2, 50), resolutionMet: ratio(2, 2, 100) },
        { priority: 'P2', opened: 2, mttaMs: 600_000, mttrMs: 18_000_000, responseMet: ratio(1, 1, 100), resolutionMet: ratio(0, 1, 0) },
        { priority: 'P3', opened: 1, mttaMs: null, mttrMs: null, responseMet: ratio(0, 0, null), resolutionMet: ratio(0, 0, null) },
      ],
      reopenRate: ratio(1, 3, 33.33),
      backlog: { '0-2d': 2, '3-7d': 1, '>7d': 0, total: 3 },
    });
    expect(kpis.request).toEqual({ opened: 2, fulfilledWithinTarget: ratio(1, 2, 50) });
    expect(kpis.problem).toEqual({ opened: 5, rcaOnTime: ratio(1, 3, 33.33) });
    expect(kpis.change).toEqual({ closed: 4, successRate: ratio(2, 3, 66.67), emergency: ratio(2, 4, 50), reviewCompleted: ratio(1, 3, 33.33) });
    expect(kpis.nc).toEqual({ closed: 2, avgClosureMs: 3 * DAY, effectiveAtFirstCheck: ratio(1, 2, 50) });
    expect(i4.instance.variables.recordNumber).toMatch(/^INC/);

    const onlyChanges = (await t.as('alice').get(`/api/kpis?flow=change&from=${at(0)}&to=${at(5 * DAY + HOUR)}`).expect(200)).body;
    expect(Object.keys(onlyChanges).sort()).toEqual(['change', 'from', 'to']);
    for (const bad of ['flow=ticket', 'from=yesterday', `from=${at(DAY)}&to=${at(0)}`, 'colour=red']) {
      const res = await t.as('auditor').get(`/api/kpis?${bad}`).expect(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    }
    clock.advance(MINUTE);
  });

  it('allocates numbers without gaps under 20 concurrent starts, 6 of which fail after allocating theirs', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => t.as('alice').post('/api/instances').send({ definitionKey: 'rec-gapless', variables: { fail: i % 3 === 1 && i < 18 } })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([...Array(14).fill(201), ...Array(6).fill(422)]);
    const numbers = results.filter((r) => r.status === 201).map((r) => r.body.instance.variables.recordNumber as string).sort();
    expect(numbers).toEqual(Array.from({ length: 14 }, (_, i) => `AUD${String(i + 1).padStart(7, '0')}`));
    const rows = await t.sql.query(`SELECT number FROM record WHERE type = 'audit' ORDER BY number`);
    expect(rows.map((r: { number: string }) => r.number)).toEqual(numbers);
    // the next start takes the next number: the failed starts gave theirs back
    expect(numberOf(await start('rec-gapless', { fail: false }))).toBe('AUD0000015');

    // again, now that the server knows the version: each start only reserves its number while it runs
    // (the counter row is not locked meanwhile) and counts it at the commit, in number order
    const again = await Promise.all(
      Array.from({ length: 20 }, (_, i) => t.as('alice').post('/api/instances').send({ definitionKey: 'rec-gapless', variables: { fail: i % 3 === 0 && i < 18 } })),
    );
    expect(again.map((r) => r.status).sort()).toEqual([...Array(14).fill(201), ...Array(6).fill(422)]);
    const more = again.filter((r) => r.status === 201).map((r) => r.body.instance.variables.recordNumber as string).sort();
    expect(more).toEqual(Array.from({ length: 14 }, (_, i) => `AUD${String(i + 16).padStart(7, '0')}`));
    const all = await t.sql.query(`SELECT number FROM record WHERE type = 'audit' ORDER BY number`);
    expect(all.map((r: { number: string }) => r.number)).toEqual([...numbers, 'AUD0000015', ...more]);
    expect((await t.sql.query(`SELECT last_value::int AS v FROM record_counter WHERE type = 'audit'`))[0].v).toBe(29);
    expect(numberOf(await start('rec-gapless', { fail: false }))).toBe('AUD0000030');
  });

  it('follows the elements: new, in progress, resolved, closed; an end event state; cancel → cancelled; columns from variables and tasks', async () => {
    const a = await start('rec-incident', { title: 'Mail server down', priority: 'P1' });
    const number = numberOf(a);
    expect(number).toMatch(/^INC\d{7}$/);
    expect(await record(number)).toMatchObject({ number, type: 'incident', state: 'new', title: 'Mail server down', priority: 'P1', assignee: null, instanceId: a.instance.id });
    await t.as('alice').post(`/api/tasks/${(await openTask(a.instance.id, 'ack')).id}/claim`).expect(200);
    expect((await record(number)).assignee).toBe('alice');
    await complete(a.instance.id, 'ack', { summary: 'ignored: title wins' });
    expect(await record(number)).toMatchObject({ state: 'in progress', assignee: null, title: 'Mail server down' });
    await complete(a.instance.id, 'work', { title: 'Mail server disk full' });
    expect(await record(number)).toMatchObject({ state: 'resolved', title: 'Mail server disk full' });
    await complete(a.instance.id, 'confirm');
    const closed = await record(number);
    expect(closed).toMatchObject({ state: 'closed', closedAt: expect.any(String) });
    expect(closed.timeline.filter((e: { type: string }) => e.type === 'record.state.changed').map((e: { payload: { to: string } }) => e.payload.to)).toEqual(['in progress', 'resolved', 'closed']);

    const b = await start('rec-incident', { summary: 'Printer jam' });
    await complete(b.instance.id, 'ack');
    await complete(b.instance.id, 'work', { rejected: true });
    expect(await record(numberOf(b))).toMatchObject({ state: 'rejected', title: 'Printer jam' });

    const c = await start('rec-incident', { title: 'Duplicate' });
    await t.as('admin').post(`/api/instances/${c.instance.id}/cancel`).send({ reason: 'duplicate' }).expect(200);
    const cancelled = await record(numberOf(c));
    expect(cancelled).toMatchObject({ state: 'cancelled', closedAt: expect.any(String) });
    expect(cancelled.timeline.at(-1)).toMatchObject({ type: 'instance.cancelled' });
    expect(cancelled.timeline.some((e: { type: string; payload: { to: string } }) => e.type === 'record.state.changed' && e.payload.to === 'cancelled')).toBe(true);
  });

  it('lists with type, state and q filters, SLA status, visibility per user; bad filters are 400 problem+json', async () => {
    const mine = await start('rec-incident', { title: 'VPN unreachable for the finance team', priority: 'P2' });
    const number = numberOf(mine);
    const list = async (query: string, as = 'auditor') => (await t.as(as).get(`/api/records?${query}`).expect(200)).body;
    expect((await list('q=vpn UNREACHABLE')).items.map((r: { number: string }) => r.number)).toEqual([number]);
    expect((await list(`q=${number.toLowerCase()}`)).items.map((r: { number: string }) => r.number)).toEqual([number]);
    const newIncidents = await list('type=incident&state=new');
    expect(newIncidents.items.map((r: { number: string }) => r.number)).toContain(number);
    expect(newIncidents.items.every((r: { type: string; state: string }) => r.type === 'incident' && r.state === 'new')).toBe(true);
    expect((await list('type=change')).items.every((r: { type: string }) => r.type === 'change')).toBe(true);
    const row = newIncidents.items.find((r: { number: string }) => r.number === number);
    expect(row.sla).toMatchObject({ status: 'on track', responseMet: null, paused: false, responseDueAt: new Date(clock.now().getTime() + HOUR).toISOString() });

    clock.advance(46 * MINUTE); // past 75 % of the 1 h response target
    expect((await list(`q=${number}`)).items[0].sla.status).toBe('at risk');
    clock.advance(15 * MINUTE);
    expect((await list(`q=${number}`)).items[0].sla.status).toBe('breached');
    await t.as('alice').post(`/api/instances/${mine.instance.id}/sla/resolution/pause`).send({ reason: 'awaiting caller' }).expect(200);
    await complete(mine.instance.id, 'ack');
    const acknowledged = (await list(`q=${number}`)).items[0];
    expect(acknowledged.sla).toMatchObject({ status: 'breached', responseMet: false, paused: true });

    // bob takes part in nothing of alice's; carol neither: they do not see the record
    const carols = await start('rec-incident', { title: 'Carol only' }, 'carol');
    expect((await list(`q=${number}`, 'carol')).items).toEqual([]);
    expect((await list('', 'carol')).items.map((r: { number: string }) => r.number)).toEqual([numberOf(carols)]);
    const hidden = await t.as('carol').get(`/api/records/${number}`).expect(404);
    expect(hidden.headers['content-type']).toMatch(/application\/problem\+json/);
    await t.as('carol').get(`/api/records/${numberOf(carols)}`).expect(200);

    for (const bad of ['type=ticket', 'size=0', 'page=-1', 'colour=red', `q=${'x'.repeat(101)}`]) {
      const res = await t.as('auditor').get(`/api/records?${bad}`).expect(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    }
    await t.as('auditor').get('/api/records/INC12').expect(404);
    await t.as('auditor').get('/api/records/INC9999999').expect(404);
  });

  it('links records both ways with the linkRecord handler and from a message carrying sourceRecord; an unknown record is refused', async () => {
    const incident = await start('rec-incident', { title: 'Recurring outage' });
    const inc = numberOf(incident);
    const problem = await start('rec-linking', { incident: inc, title: 'Root cause of outages' });
    const prb = numberOf(problem);
    const p = await record(prb);
    expect(p.links).toEqual([expect.objectContaining({ number: inc, kind: 'caused_by', direction: 'outgoing', type: 'incident', title: 'Recurring outage' })]);
    expect(p.instances).toEqual([expect.objectContaining({ id: problem.instance.id, definitionKey: 'rec-linking' })]);
    expect(p.timeline.some((e: { type: string }) => e.type === 'record.linked')).toBe(true);
    expect((await record(inc)).links).toEqual([expect.objectContaining({ number: prb, kind: 'caused_by', direction: 'incoming', type: 'problem' })]);

    const before = (await t.sql.query(`SELECT last_value FROM record_counter WHERE type = 'problem'`))[0].last_value;
    const refused = await t.as('alice').post('/api/instances').send({ definitionKey: 'rec-linking', variables: { incident: 'INC0999999' } }).expect(400);
    expect(refused.body.detail).toMatch(/INC0999999/);
    expect((await t.sql.query(`SELECT last_value FROM record_counter WHERE type = 'problem'`))[0].last_value).toBe(before);

    await t.as('alice').post('/api/messages').send({ name: 'rfc', variables: { sourceRecord: prb, linkKind: 'raised', title: 'Replace the switch' } }).expect(200);
    const rows = await t.sql.query(`SELECT number FROM record WHERE definition_key = 'rec-rfc'`);
    expect(rows).toHaveLength(1);
    const chg = rows[0].number as string;
    expect((await record(chg)).links).toEqual([expect.objectContaining({ number: prb, kind: 'raised', direction: 'incoming' })]);
    expect((await record(prb)).links.map((l: { number: string; direction: string }) => `${l.direction}:${l.number}`).sort()).toEqual([`outgoing:${chg}`, `outgoing:${inc}`]);
  });

  it('links the record of an instance that throws a message to the record the message starts (sourceRecord)', async () => {
    const incident = await start('rec-raising', { title: 'Switch keeps failing' });
    await complete(incident.instance.id, 'work');
    const before = await t.sql.query(`SELECT number FROM record WHERE definition_key = 'rec-rfc'`);
    await t.app.get(Orchestrator).drainOutbox('test-worker');
    const after = await t.sql.query(`SELECT number, fields FROM record WHERE definition_key = 'rec-rfc' ORDER BY number`);
    expect(after).toHaveLength(before.length + 1);
    const chg = after.at(-1);
    expect(chg.fields.sourceRecord).toBe(numberOf(incident));
    expect((await record(numberOf(incident))).links).toEqual([expect.objectContaining({ number: chg.number, kind: 'related', direction: 'outgoing', type: 'change' })]);
    expect((await record(chg.number)).links).toEqual([expect.objectContaining({ number: numberOf(incident), kind: 'related', direction: 'incoming', type: 'incident' })]);
  });

  it('numbers a start and the child its call activity starts in the same command, of the same type, without gaps', async () => {
    await deploy(flow('rec-bct-child', 'bct', `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
      <bpmn:userTask id="work" name="Work" camunda:candidateGroups="servicedesk"/><bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end"/><bpmn:endEvent id="end"/>`));
    await deploy(flow('rec-bct-parent', 'bct', `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="call"/>
      <bpmn:callActivity id="call" calledElement="rec-bct-child"/><bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="end"/><bpmn:endEvent id="end"/>`));
    // the first start of the version locks the counter; the next ones (the version is known) reserve their number, some at once
    const first = await start('rec-bct-parent', {});
    const more = await Promise.all(Array.from({ length: 4 }, () => start('rec-bct-parent', {})));
    const rows = await t.sql.query(`SELECT number, definition_key FROM record WHERE type = 'bct' ORDER BY number`);
    expect(rows.map((r: { number: string }) => r.number)).toEqual(Array.from({ length: 10 }, (_, i) => `BCT${String(i + 1).padStart(7, '0')}`));
    expect(rows.filter((r: { definition_key: string }) => r.definition_key === 'rec-bct-child')).toHaveLength(5);
    expect([first, ...more].map(numberOf).every((n) => rows.some((r: { number: string }) => r.number === n))).toBe(true);
    expect((await t.sql.query(`SELECT last_value::int AS v FROM record_counter WHERE type = 'bct'`))[0].v).toBe(10);
  });
});
