import { ManualClock } from '../../engine';
import { bpmn, startSlaTask } from '../support/bpmn';
import { createTestApp, type ApiTestApp } from '../support/test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const HOUR = 3_600_000;

/** Stays where it is put (no drift with real time between commands), so SLA statuses are exact. */
class FrozenClock extends ManualClock {
  private readonly base = Date.now();
  override now(): Date {
    return new Date(this.base + this.offsetMs());
  }
}

/** An incident with response (1 h) and resolution (4 h) clocks, then `triage` and a call of `work-child`. */
const incident = bpmn(
  'work-incident',
  `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="resp"/>
   ${startSlaTask('resp', 'response', 'PT1H', '24x7')}
   <bpmn:sequenceFlow id="f2" sourceRef="resp" targetRef="reso"/>
   ${startSlaTask('reso', 'resolution', 'PT4H', '24x7')}
   <bpmn:sequenceFlow id="f3" sourceRef="reso" targetRef="triage"/>
   <bpmn:userTask id="triage" name="Triage" camunda:candidateGroups="servicedesk"/>
   <bpmn:sequenceFlow id="f4" sourceRef="triage" targetRef="call"/>
   <bpmn:callActivity id="call" name="Call" calledElement="work-child"/>
   <bpmn:sequenceFlow id="f5" sourceRef="call" targetRef="end"/><bpmn:endEvent id="end"/>`,
  'itsm:recordType="incident"',
);
/** A called process without a record of its own: its task works on the caller's record. */
const child = bpmn(
  'work-child',
  `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fix"/>
   <bpmn:userTask id="fix" name="Fix" camunda:candidateGroups="resolvers" camunda:priority="80"/>
   <bpmn:sequenceFlow id="f2" sourceRef="fix" targetRef="end"/><bpmn:endEvent id="end"/>`,
);
/** No record at all; a task due in 30 minutes. */
const plain = bpmn(
  'work-plain',
  `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="do"/>
   <bpmn:userTask id="do" name="Do it" camunda:candidateGroups="servicedesk" camunda:dueDate="\${due}"/>
   <bpmn:sequenceFlow id="f2" sourceRef="do" targetRef="end"/><bpmn:endEvent id="end"/>`,
);

interface TaskItem {
  id: string;
  elementId: string;
  instanceId: string;
  assignee: string | null;
  dueAt: string | null;
  record: null | { number: string; title: string | null; state: string; sla: { status: string | null; dueAt: string | null; responseDueAt: string | null } };
}

describe('work queries: task list with records and SLA, instance and record search', () => {
  let db: TestDatabase;
  let t: ApiTestApp;
  const clock = new FrozenClock();
  const tasks = async (query: string, as = 'alice') => (await t.as(as).get(`/api/tasks?${query}`).expect(200)).body.items as TaskItem[];
  let number = '';
  let incidentId = '';
  let plainId = '';

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db, { clock });
    await t.user({ username: 'carol', roles: ['staff'], groups: ['resolvers'] });
    for (const xml of [child, incident, plain]) {
      await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(xml).expect(201);
    }
    const started = await t.as('alice').post('/api/instances').send({ definitionKey: 'work-incident', variables: { title: 'Printer <b>on fire</b>' } }).expect(201);
    incidentId = started.body.instance.id;
    number = started.body.instance.variables.recordNumber;
    const due = new Date(clock.now().getTime() + HOUR / 2).toISOString();
    plainId = (await t.as('bob').post('/api/instances').send({ definitionKey: 'work-plain', variables: { due } }).expect(201)).body.instance.id;
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('shows the record number, title and nearest running SLA target on each task, and null for a task without record', async () => {
    // when
    const items = await tasks('');
    // then
    const triage = items.find((x) => x.elementId === 'triage');
    expect(triage?.record).toEqual(expect.objectContaining({ number, title: 'Printer <b>on fire</b>', state: 'new' }));
    expect(triage?.record?.sla.status).toBe('on track');
    expect(triage?.record?.sla.dueAt).toBe(new Date(clock.now().getTime() + HOUR).toISOString()); // the response target
    expect(items.find((x) => x.elementId === 'do')?.record).toBeNull();
  });

  it('sorts by due date (task due date, else the SLA target) and searches by record number', async () => {
    // when
    const byDue = await tasks('sort=due');
    // then: the plain task is due in 30 min, the incident's response in 60 min
    expect(byDue.map((x) => x.elementId)).toEqual(['do', 'triage']);
    expect((await tasks(`q=${number.toLowerCase()}`)).map((x) => x.elementId)).toEqual(['triage']);
    expect(await tasks('q=nothing-like-this')).toEqual([]);
  });

  it('separates my tasks from my groups\' unassigned tasks', async () => {
    // given
    const triage = (await tasks('')).find((x) => x.elementId === 'triage')!;
    expect((await tasks('scope=groups')).map((x) => x.elementId).sort()).toEqual(['do', 'triage']);
    // when
    await t.as('alice').post(`/api/tasks/${triage.id}/claim`).expect(200);
    // then
    expect((await tasks('scope=assigned')).map((x) => x.elementId)).toEqual(['triage']);
    expect((await tasks('scope=groups')).map((x) => x.elementId)).toEqual(['do']);
    expect((await tasks('scope=groups', 'bob')).map((x) => x.elementId)).toEqual(['do']);
  });

  it('marks the breach and filters overdue tasks once the targets pass', async () => {
    // when
    clock.advance(2 * HOUR);
    // then
    const overdue = await tasks('overdue=true');
    expect(overdue.map((x) => x.elementId).sort()).toEqual(['do', 'triage']);
    expect(overdue.find((x) => x.elementId === 'triage')?.record?.sla.status).toBe('breached');
    const records = (await t.as('alice').get('/api/records?sla=breached').expect(200)).body;
    expect(records.items.map((r: { number: string }) => r.number)).toEqual([number]);
    expect((await t.as('alice').get('/api/records?sla=on%20track').expect(200)).body.total).toBe(0);
  });

  it("gives a called process's task the caller's record, and finds parent and child instances by record number", async () => {
    // given
    const triage = (await tasks('scope=assigned')).find((x) => x.elementId === 'triage')!;
    await t.as('alice').post(`/api/tasks/${triage.id}/complete`).send({ variables: {} }).expect(200);
    // when
    const fix = (await tasks('', 'carol')).find((x) => x.elementId === 'fix');
    const found = (await t.as('auditor').get(`/api/instances?recordNumber=${number}`).expect(200)).body;
    const called = (await t.as('auditor').get(`/api/instances?recordNumber=${number}&called=true`).expect(200)).body;
    // then
    expect(fix?.record?.number).toBe(number);
    // the caller's response target passed an hour ago: the called task is overdue by it (its
    // instance row and first task are written in one statement, the SLA copy still finds the record)
    expect(fix?.record?.sla.status).toBe('breached');
    expect((await tasks('overdue=true', 'carol')).map((x) => x.elementId)).toEqual(['fix']);
    expect(found.total).toBe(2);
    expect(found.items.every((i: { recordNumber: string }) => i.recordNumber === number)).toBe(true);
    expect(called.items.map((i: { definitionKey: string; parentInstanceId: string }) => [i.definitionKey, i.parentInstanceId])).toEqual([['work-child', incidentId]]);
    const detail = (await t.as('auditor').get(`/api/instances/${incidentId}`).expect(200)).body;
    expect(detail).toEqual(expect.objectContaining({ recordNumber: number, recordTitle: 'Printer <b>on fire</b>' }));
  });

  it('filters instances by who worked on them and when they started, and records by opening date', async () => {
    // when
    const byAlice = (await t.as('auditor').get('/api/instances?assignee=alice').expect(200)).body;
    const byBob = (await t.as('auditor').get('/api/instances?startedBy=bob').expect(200)).body;
    const future = new Date(clock.now().getTime() + HOUR).toISOString();
    const later = (await t.as('auditor').get(`/api/instances?startedFrom=${encodeURIComponent(future)}`).expect(200)).body;
    const opened = (await t.as('auditor').get(`/api/records?openedTo=${encodeURIComponent(future)}&open=true`).expect(200)).body;
    // then
    expect(byAlice.items.map((i: { id: string }) => i.id)).toEqual([incidentId]);
    expect(byBob.items.map((i: { id: string }) => i.id)).toEqual([plainId]);
    expect(later.total).toBe(0);
    expect(opened.items.map((r: { number: string }) => r.number)).toEqual([number]);
  });

  it('refuses bad filters with a 400 naming them, for tasks, instances and records', async () => {
    for (const path of [
      '/api/tasks?sort=random',
      '/api/tasks?scope=everyone',
      '/api/tasks?overdue=maybe',
      '/api/tasks?nonsense=1',
      '/api/instances?startedFrom=yesterday',
      '/api/instances?startedFrom=2026-02-01&startedTo=2026-01-01',
      '/api/records?sla=late',
      '/api/records?openedFrom=2026-02-01&openedTo=2026-01-01',
    ]) {
      const res = await t.as('alice').get(path).expect(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.detail).toMatch(/sort|scope|overdue|nonsense|startedFrom|sla|openedFrom/);
    }
  });
});
