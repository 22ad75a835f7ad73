import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock, Orchestrator } from '../../../engine';
import { bpmn } from '../../support/bpmn';
import { createTestApp, type ApiTestApp } from '../../support/test-app';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';

/**
 * Change management (ISO/IEC 20000-1 8.5.1, ITSM_REFERENCE §3.4) through the HTTP API, as the
 * users of its roles: rita raises changes (she is also a change manager and a CAB member, which
 * segregation of duties must neutralise on her own changes), mike manages changes, cab1..cab3 sit
 * on the CAB, ivan implements. The implementation window timer runs on an injected clock.
 */
const DIR = join(__dirname, '..', '..', '..', 'processes', 'change');
const read = (...parts: string[]) => readFileSync(join(DIR, ...parts));
const FORMS = readdirSync(join(DIR, 'forms')).filter((f) => f.endsWith('.form'));
const HOUR = 3_600_000;

/** A stand-in for the incident flow: started by the message a failed change throws. */
const incidentStub = bpmn(
  'incident_stub',
  `<bpmn:startEvent id="SE_Raised"><bpmn:messageEventDefinition messageRef="Msg_RaiseIncident"/></bpmn:startEvent>
   <bpmn:sequenceFlow id="f1" sourceRef="SE_Raised" targetRef="triage"/>
   <bpmn:userTask id="triage" camunda:candidateGroups="servicedesk"/>
   <bpmn:sequenceFlow id="f2" sourceRef="triage" targetRef="done"/><bpmn:endEvent id="done"/>`,
  'itsm:recordType="incident"',
).replace('<bpmn:process', '<bpmn:message id="Msg_RaiseIncident" name="raise-incident"/>\n<bpmn:process');

interface Task { id: string; elementId: string; assignee: string | null; status: string; instanceId: string }

describe('change management flow (processes/change)', () => {
  let db: TestDatabase;
  let t: ApiTestApp;
  const clock = new ManualClock();
  const startsIn = (hours: number) => new Date(clock.now().getTime() + hours * HOUR).toISOString();
  const tasks = async (instanceId: string) =>
    (await t.as('auditor').get(`/api/tasks?instanceId=${instanceId}&status=open`).expect(200)).body.items as Task[];
  const only = async (instanceId: string, elementId: string) => {
    const open = await tasks(instanceId);
    expect(open.map((x) => x.elementId)).toEqual([elementId]);
    return open[0];
  };
  const complete = (user: string, task: Task, variables: Record<string, unknown>) => t.as(user).post(`/api/tasks/${task.id}/complete`).send({ variables });
  const instance = async (id: string) => (await t.as('auditor').get(`/api/instances/${id}`).expect(200)).body;
  const record = async (number: string) => (await t.as('auditor').get(`/api/records/${number}`).expect(200)).body;
  const cabChild = async (id: string): Promise<string> => {
    const children = (await t.as('auditor').get(`/api/instances?parentInstanceId=${id}`).expect(200)).body.items as { id: string; definitionKey: string }[];
    expect(children.map((c) => c.definitionKey)).toEqual(['cab_review']);
    return children[0].id;
  };
  const raise = async (changeType: string, extra: Record<string, unknown> = {}) => {
    const res = await t.as('rita').post('/api/instances').send({
      definitionKey: 'change_management',
      variables: { title: `${changeType} change`, changeType, description: 'patch the mail relay', plannedStart: startsIn(48), cabMembers: ['rita', 'cab1', 'cab2', 'cab3'], cabQuorum: 2, ...extra },
    }).expect(201);
    const id = res.body.instance.id as string;
    return { id, number: (await instance(id)).variables.recordNumber as string };
  };
  const openWindow = async () => {
    clock.advance(48 * HOUR + 60_000);
    await t.app.get(Orchestrator).fireDueTimers('test-worker');
  };
  const implement = (task: Task, outcome: string) => complete('ivan', task, { outcome, actualStart: clock.now().toISOString(), implementationNotes: 'done' });
  const review = (task: Task) => complete('mike', task, { reviewCompleted: true, lessonsLearned: 'went as planned' });
  const assess = (task: Task, risk: string) => complete('mike', task, { risk, impactAssessment: 'mail relay down 5 min', backoutPlan: 'restore the snapshot' });

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db, {
      clock,
      users: [
        { username: 'admin', roles: ['admin'] },
        { username: 'auditor', roles: ['auditor'] },
        { username: 'rita', roles: ['staff'], groups: ['change-managers', 'cab'] },
        { username: 'mike', roles: ['staff'], groups: ['change-managers'] },
        { username: 'cab1', roles: ['staff'], groups: ['cab'] },
        { username: 'cab2', roles: ['staff'], groups: ['cab'] },
        { username: 'cab3', roles: ['staff'], groups: ['cab'] },
        { username: 'ivan', roles: ['staff'], groups: ['change-implementers'] },
        { username: 'desk', roles: ['staff'], groups: ['servicedesk'] },
      ],
    });
    // the CAB review, then the change flow with its forms and decision table, in multi-file deployments
    const cab = await t.as('admin').post('/api/definitions').attach('file', read('cab_review.bpmn'), 'cab_review.bpmn').attach('forms', read('forms', 'cab-vote.form'), 'cab-vote.form');
    expect(cab.status).toBe(201);
    expect(cab.body.warnings ?? []).toEqual([]);
    let req = t.as('admin').post('/api/definitions').attach('file', read('change_management.bpmn'), 'change_management.bpmn');
    for (const f of FORMS.filter((f) => f !== 'cab-vote.form')) req = req.attach('forms', read('forms', f), f);
    req = req.attach('forms', read('decisions', 'change-authority.dmn'), 'change-authority.dmn');
    const change = await req;
    expect(change.status).toBe(201);
    expect(change.body.warnings ?? []).toEqual([]);
    await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(incidentStub).expect(201);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('normal change, medium risk: the CAB decides by quorum (the requester may not vote, the remaining vote is cancelled), the window timer opens implementation, success', async () => {
    // given: rita raises a normal change; mike assesses it as medium risk
    const { id, number } = await raise('normal');
    expect(number).toMatch(/^CHG\d{7}$/);
    expect((await record(number)).state).toBe('assess');
    await assess(await only(id, 'UT_AssessRisk'), 'medium').expect(200);

    // then: the decision table chose the CAB; every member has a vote task
    expect((await instance(id)).variables.authority).toBe('cab');
    expect((await record(number)).state).toBe('authorise');
    const child = await cabChild(id);
    const votes = await tasks(child);
    expect(votes.map((v) => v.assignee).sort()).toEqual(['cab1', 'cab2', 'cab3', 'rita']);
    const voteOf = (u: string) => votes.find((v) => v.assignee === u)!;

    // when: rita votes on her own change: refused (segregation of duties), nothing changes
    const refused = await complete('rita', voteOf('rita'), { vote: 'approve' });
    expect(refused.status).toBe(403);
    expect(refused.body.rule).toBe('segregation-of-duties');
    expect(await tasks(child)).toHaveLength(4);

    // when: cab1 and cab2 approve: the quorum (2) is reached
    await complete('cab1', voteOf('cab1'), { vote: 'approve', voteComment: 'fine' }).expect(200);
    await complete('cab2', voteOf('cab2'), { vote: 'approve' }).expect(200);

    // then: the other votes are cancelled, the change is approved and scheduled; nothing to implement before the planned start
    expect((await instance(child)).status).toBe('completed');
    const cancelled = (await t.as('auditor').get(`/api/tasks?instanceId=${child}&status=cancelled`).expect(200)).body.items as Task[];
    expect(cancelled.map((x) => x.assignee).sort()).toEqual(['cab3', 'rita']);
    expect((await instance(id)).variables).toMatchObject({ decision: 'approve', cabVotes: ['approve', 'approve'] });
    expect((await record(number)).state).toBe('scheduled');
    expect(await tasks(id)).toEqual([]);
    clock.advance(HOUR);
    await t.app.get(Orchestrator).fireDueTimers('test-worker');
    expect(await tasks(id)).toEqual([]);

    // when: the planned start comes; ivan implements successfully; ivan may not review his own work; mike reviews
    await openWindow();
    await implement(await only(id, 'UT_Implement'), 'successful').expect(200);
    const pir = await only(id, 'UT_PIR');
    expect((await record(number)).state).toBe('review');
    await review(pir).expect(200);

    // then: successful, with the fields the KPIs read
    const done = await instance(id);
    expect(done.status).toBe('completed');
    expect(done.variables).toMatchObject({ changeType: 'normal', outcome: 'successful', reviewCompleted: true });
    expect((await record(number)).state).toBe('successful');
  });

  it('standard change: pre-authorised, straight to the window; a failed implementation raises an incident linked both ways, then ends failed', async () => {
    // given: a standard change (no assessment, no approval)
    const { id, number } = await raise('standard');
    expect(await tasks(id)).toEqual([]);
    expect((await record(number)).state).toBe('scheduled');
    await openWindow();

    // when: the implementation fails
    await implement(await only(id, 'UT_Implement'), 'failed').expect(200);
    expect((await t.sql.query(`SELECT name, correlation_key FROM message_outbox`)).map((r: { name: string; correlation_key: string }) => `${r.name}:${r.correlation_key}`)).toEqual([`raise-incident:${number}`]);
    await t.app.get(Orchestrator).drainOutbox('test-worker');

    // then: an incident was raised from it, linked on both records
    const incidents = (await t.as('auditor').get('/api/records?type=incident').expect(200)).body.items as { number: string }[];
    expect(incidents).toHaveLength(1);
    const inc = incidents[0].number;
    const changeLinks = (await record(number)).links as { direction: string; number?: string; to?: string; from?: string }[];
    const incidentLinks = (await record(inc)).links as { direction: string }[];
    expect(JSON.stringify(changeLinks)).toContain(inc);
    expect(changeLinks[0].direction).toBe('outgoing');
    expect(JSON.stringify(incidentLinks)).toContain(number);
    expect(incidentLinks[0].direction).toBe('incoming');

    // when: the review is done: the change ends failed
    await review(await only(id, 'UT_PIR')).expect(200);
    expect((await instance(id)).variables).toMatchObject({ changeType: 'standard', outcome: 'failed', reviewCompleted: true });
    expect((await record(number)).state).toBe('failed');
  });

  it('emergency change: justification, risk, the ECAB (quorum 1) rejects: the change ends rejected; a bad risk value is a 422 naming the field', async () => {
    const { id, number } = await raise('emergency');
    await complete('mike', await only(id, 'UT_JustifyEmergency'), { justification: 'mail relay down for every user', incidentNumber: 'INC0000001' }).expect(200);
    const risk = await only(id, 'UT_AssessRisk');

    // a value outside the enum is refused, naming the field, and nothing changes
    const bad = await assess(risk, 'extreme');
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'risk' })]);
    expect((await only(id, 'UT_AssessRisk')).id).toBe(risk.id);
    expect((await instance(id)).variables.risk).toBeUndefined();

    await assess(risk, 'high').expect(200);
    expect((await instance(id)).variables.authority).toBe('ecab');
    const child = await cabChild(id);
    const vote = (await tasks(child)).find((v) => v.assignee === 'cab3')!;
    await complete('cab3', vote, { vote: 'reject', voteComment: 'no backout tested' }).expect(200);

    const done = await instance(id);
    expect(done.status).toBe('completed');
    expect(done.variables.decision).toBe('reject');
    expect((await record(number)).state).toBe('rejected');
    expect((await instance(child)).status).toBe('completed');
  });

  it('normal change, low risk: the change manager authorises (not the requester); the requester cancels it before the window', async () => {
    const { id, number } = await raise('normal');
    await assess(await only(id, 'UT_AssessRisk'), 'low').expect(200);
    expect((await instance(id)).variables.authority).toBe('change_manager');
    const authorise = await only(id, 'UT_AuthoriseCM');

    // rita is a change manager but requested this change: refused
    const refused = await complete('rita', authorise, { decision: 'approve' });
    expect(refused.status).toBe(403);
    expect(refused.body.rule).toBe('segregation-of-duties');
    await complete('mike', authorise, { decision: 'approve', authorisationComment: 'low risk' }).expect(200);
    expect((await record(number)).state).toBe('scheduled');

    // when: rita cancels it by its record number
    const res = await t.as('rita').post('/api/messages').send({ name: 'change-cancel', correlationKey: number, variables: { cancelReason: 'no longer needed' } }).expect(200);
    expect(res.body.delivered).toEqual([expect.objectContaining({ instanceId: id, elementId: 'ICE_CancelChange' })]);

    // then: cancelled, its window timer gone: the planned start passes without effect
    expect((await instance(id)).status).toBe('completed');
    expect((await record(number)).state).toBe('cancelled');
    expect((await t.as('auditor').get(`/api/timers?instanceId=${id}`).expect(200)).body.items).toEqual([]);
    await openWindow();
    expect(await tasks(id)).toEqual([]);
  });

  it('normal change, high risk: the CAB (senior management authority) waits for every member without a quorum; the majority approves', async () => {
    const { id, number } = await raise('normal', { cabMembers: ['cab1', 'cab2', 'cab3'], cabQuorum: null });
    await assess(await only(id, 'UT_AssessRisk'), 'high').expect(200);
    expect((await instance(id)).variables.authority).toBe('senior_mgmt');
    const child = await cabChild(id);
    const votes = await tasks(child);
    await complete('cab1', votes.find((v) => v.assignee === 'cab1')!, { vote: 'reject' }).expect(200);
    await complete('cab2', votes.find((v) => v.assignee === 'cab2')!, { vote: 'approve' }).expect(200);
    expect((await tasks(child)).map((v) => v.assignee)).toEqual(['cab3']); // no quorum: the last vote is still awaited
    await complete('cab3', votes.find((v) => v.assignee === 'cab3')!, { vote: 'approve' }).expect(200);
    expect((await instance(id)).variables).toMatchObject({ decision: 'approve', cabVotes: ['reject', 'approve', 'approve'] });
    expect((await record(number)).state).toBe('scheduled');
    await t.as('rita').post('/api/messages').send({ name: 'change-cancel', correlationKey: number }).expect(200);
  });

  it('the KPIs count these changes: success rate, % emergency, % reviewed', async () => {
    const kpis = (await t.as('auditor').get(`/api/kpis?flow=change&from=${new Date(clock.now().getTime() - 30 * 24 * HOUR).toISOString().slice(0, 10)}&to=${new Date(clock.now().getTime() + 24 * HOUR).toISOString().slice(0, 10)}`).expect(200)).body;
    expect(JSON.stringify(kpis)).toContain('successRate');
    const change = kpis.change ?? kpis;
    expect(change.successRate).toMatchObject({ count: 1, total: 2 });
    expect(change.emergency).toMatchObject({ count: 1, total: 5 });
    expect(change.reviewCompleted).toMatchObject({ count: 2, total: 2 });
  });

  it('a planned start already past when the change is scheduled opens implementation at once; no cancellation is left waiting', async () => {
    // given: a standard change whose planned start passed an hour ago (on the test clock and the real one)
    const past = new Date(Math.min(clock.now().getTime(), Date.now()) - HOUR).toISOString();
    const { id, number } = await raise('standard', { plannedStart: past });

    // then: the window is open in the same command and the requester's cancellation no longer waits
    const task = await only(id, 'UT_Implement');
    expect((await t.as('auditor').get(`/api/subscriptions?instanceId=${id}`).expect(200)).body.items).toEqual([]);
    expect((await t.as('auditor').get(`/api/timers?instanceId=${id}`).expect(200)).body.items).toEqual([]);

    // when: implemented and reviewed, the change ends successful
    await implement(task, 'successful').expect(200);
    await review(await only(id, 'UT_PIR')).expect(200);
    expect((await instance(id)).status).toBe('completed');
    expect((await record(number)).state).not.toBe('scheduled');
  });
});
