import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock, Orchestrator } from '../../../engine';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';
import { createTestApp, type ApiTestApp } from '../../support/test-app';

const ROOT = join(__dirname, '../../../processes');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const read = (...p: string[]) => readFileSync(join(ROOT, ...p));
const forms = (flow: string, prefix: string) => readdirSync(join(ROOT, flow, 'forms')).filter((f) => f.startsWith(prefix)).map((f) => [f, read(flow, 'forms', f)] as const);

interface Task { id: string; elementId: string; candidateGroups: string[]; formId: string | null; name?: string }
interface HistoryEvent { type: string; elementId: string | null }
interface Link { direction: string }

/**
 * Service level review (ISO/IEC 20000-1 8.3.3, ITSM_REFERENCE §3.5 workflow B) from processes/slr,
 * started by its monthly timer start and worked through the HTTP API by its roles (lena: service
 * level manager, cora: customer representative, owen: service owner) with an injected clock.
 */
describe('service level review flow (processes/slr)', () => {
  let db: TestDatabase;
  let t: ApiTestApp;
  const clock = new ManualClock();

  const fire = () => t.app.get(Orchestrator).fireDueTimers('test-worker');
  const drain = () => t.app.get(Orchestrator).drainOutbox('test-worker');
  const openTasks = async (id: string) => (await t.as('auditor').get(`/api/tasks?instanceId=${id}&status=open`).expect(200)).body.items as Task[];
  const task = async (id: string, elementId: string) => {
    const found = (await openTasks(id)).find((x) => x.elementId === elementId);
    if (!found) throw new Error(`no open task ${elementId}: ${(await openTasks(id)).map((x) => x.elementId).join(', ')}`);
    return found;
  };
  const complete = async (as: string, id: string, elementId: string, variables: Record<string, unknown>) =>
    (await t.as(as).post(`/api/tasks/${(await task(id, elementId)).id}/complete`).send({ variables }).expect(200)).body;
  const instance = async (id: string) => (await t.as('auditor').get(`/api/instances/${id}`).expect(200)).body;
  const history = async (id: string) => (await t.as('auditor').get(`/api/instances/${id}/history`).expect(200)).body as HistoryEvent[];
  const record = async (number: string) => (await t.as('auditor').get(`/api/records/${number}`).expect(200)).body;
  const reached = async (id: string) => (await history(id)).filter((e) => e.type === 'element.started').map((e) => e.elementId);
  const instanceIds = async () =>
    ((await t.as('auditor').get('/api/instances?key=sla_review').expect(200)).body.items as { id: string }[]).map((i) => i.id);

  /** The reporting period ends: the monthly timer start fires and starts one review. */
  const nextPeriod = async () => {
    const before = await instanceIds();
    clock.advance(31 * DAY + MINUTE);
    await fire();
    const started = (await instanceIds()).filter((id) => !before.includes(id));
    expect(started).toHaveLength(1);
    const id = started[0];
    return { id, number: (await instance(id)).variables.recordNumber as string };
  };
  const report = (id: string, v: Record<string, unknown> = {}) =>
    complete('lena', id, 'UT_PrepareServiceReport', {
      title: 'Mail service SLA', period: '2026-11', targetsMetPct: 100, breaches: 0, workloadPct: 80, targetsMissed: false, workloadExceeded: false,
      commentary: 'All targets met', ...v,
    });

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db, { clock });
    await t.user({ username: 'lena', roles: ['staff'], groups: ['service-level-managers'] });
    await t.user({ username: 'cora', roles: ['staff'], groups: ['customer-representatives'] });
    await t.user({ username: 'owen', roles: ['staff'], groups: ['service-owners'] });
    let req = t.as('admin').post('/api/definitions').attach('file', read('slr', 'sla_review.bpmn'), 'sla_review.bpmn');
    for (const f of readdirSync(join(ROOT, 'slr', 'forms'))) req = req.attach('forms', read('slr', 'forms', f), f);
    const res = await req;
    if (res.status !== 201) throw new Error(JSON.stringify(res.body, null, 1));
    expect(res.body).toMatchObject({ key: 'sla_review', version: 1 });
    expect(res.body.warnings ?? []).toEqual([]);
    // the SLA-breach path: its own process (a message start cannot sit beside the timer start)
    let breach = t.as('admin').post('/api/definitions').attach('file', read('slr', 'sla_breach_review.bpmn'), 'sla_breach_review.bpmn');
    for (const f of ['slr-breach.form', 'slr-breach-action.form']) breach = breach.attach('forms', read('slr', 'forms', f), f);
    const breachRes = await breach;
    if (breachRes.status !== 201) throw new Error(JSON.stringify(breachRes.body, null, 1));
    expect(breachRes.body.warnings ?? []).toEqual([]);
    // the incident flow, whose breached resolution target throws sla-breach
    await t.user({ username: 'sam', roles: ['staff'], groups: ['servicedesk'] });
    await t.user({ username: 'rita', roles: ['staff'], groups: ['resolvers'] });
    await t.user({ username: 'carl', roles: ['staff'] });
    let major = t.as('admin').post('/api/definitions').attach('file', read('incident', 'major_incident.bpmn'), 'major_incident.bpmn');
    for (const [name, content] of forms('incident', 'major-')) major = major.attach('forms', content, name);
    await major.expect(201);
    let incident = t.as('admin').post('/api/definitions').attach('file', read('incident', 'incident_management.bpmn'), 'incident_management.bpmn');
    for (const [name, content] of forms('incident', 'incident-')) incident = incident.attach('forms', content, name);
    for (const dmn of ['incident-priority.dmn', 'incident-sla-targets.dmn']) incident = incident.attach('forms', read('incident', 'decisions', dmn), dmn);
    await incident.expect(201);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('is scheduled monthly at deploy and starts nothing before the period ends', async () => {
    const schedule = (await t.as('auditor').get('/api/timers?definitionKey=sla_review&kind=start').expect(200)).body.items;
    expect(schedule).toEqual([expect.objectContaining({ elementId: 'SE_ReportingPeriod', spec: 'R/P1M' })]);
    clock.advance(27 * DAY);
    await fire();
    expect(await instanceIds()).toEqual([]);
  });

  it('all targets met, no action agreed: report, review with the customer, archived and closed', async () => {
    const { id, number } = await nextPeriod();
    expect(number).toMatch(/^SLR\d{7}$/);
    expect((await record(number)).state).toBe('reporting');
    expect(await task(id, 'UT_PrepareServiceReport')).toMatchObject({ candidateGroups: ['service-level-managers'], formId: 'slr-report' });
    await report(id);
    expect((await record(number)).state).toBe('under review');
    // the customer representative holds the review with the service level manager: no improvement step
    const review = await task(id, 'UT_ServiceReview');
    expect(review).toMatchObject({ formId: 'slr-review' });
    expect([...review.candidateGroups].sort()).toEqual(['customer-representatives', 'service-level-managers']);
    await complete('cora', id, 'UT_ServiceReview', { minutes: 'Customer satisfied with the month', satisfaction: 5, slaChangeNeeded: false, improvementActions: [] });
    expect((await openTasks(id)).map((x) => x.elementId)).toEqual(['UT_CloseReview']);
    await complete('lena', id, 'UT_CloseReview', { reportReference: 'DOC-SLR-2026-11' });
    expect((await instance(id)).status).toBe('completed');
    const rec = await record(number);
    expect(rec).toMatchObject({ state: 'closed', title: 'Mail service SLA' });
    const path = await reached(id);
    expect(path).not.toContain('UT_IdentifyImprovements');
    expect(path).not.toContain('UT_ImprovementAction');
  });

  it('a target missed: improvement opportunities, then one improvement action per agreed action in parallel, then closure', async () => {
    const { id, number } = await nextPeriod();
    await report(id, { targetsMetPct: 92, breaches: 3, targetsMissed: true, commentary: 'Three P2 resolutions late (INC0000012)' });
    const improve = await task(id, 'UT_IdentifyImprovements');
    expect([...improve.candidateGroups].sort()).toEqual(['service-level-managers', 'service-owners']);
    await complete('owen', id, 'UT_IdentifyImprovements', { improvementOpportunities: 'Second-line rota for the mail queue' });
    await complete('lena', id, 'UT_ServiceReview', {
      minutes: 'Breaches explained; two actions agreed', satisfaction: 3, slaChangeNeeded: false,
      improvementActions: [{ description: 'Add a second-line rota', owner: 'owen' }, { description: 'Alert on queue length', owner: 'owen' }],
    });
    const actions = (await openTasks(id)).filter((x) => x.elementId === 'UT_ImprovementAction');
    expect(actions).toHaveLength(2);
    expect(actions[0]).toMatchObject({ candidateGroups: ['service-owners'], formId: 'slr-action' });
    expect((await record(number)).state).toBe('actions in progress');
    await t.as('owen').post(`/api/tasks/${actions[0].id}/complete`).send({ variables: { actionOutcome: 'Rota published' } }).expect(200);
    expect((await openTasks(id)).map((x) => x.elementId)).toEqual(['UT_ImprovementAction']); // the closure waits for every action
    await t.as('owen').post(`/api/tasks/${actions[1].id}/complete`).send({ variables: { actionOutcome: 'Alert configured' } }).expect(200);
    await complete('lena', id, 'UT_CloseReview', { reportReference: 'DOC-SLR-2026-12' });
    expect((await record(number)).state).toBe('closed');
    expect((await instance(id)).status).toBe('completed');
  });

  it('a workload limit exceeded also asks for improvement opportunities; a review without actions skips them', async () => {
    const { id } = await nextPeriod();
    await report(id, { workloadPct: 130, workloadExceeded: true });
    await complete('lena', id, 'UT_IdentifyImprovements', { improvementOpportunities: 'Capacity plan for the mail relay' });
    await complete('cora', id, 'UT_ServiceReview', { minutes: 'Workload growth discussed; SLA to be amended', satisfaction: 4, slaChangeNeeded: true });
    expect((await openTasks(id)).map((x) => x.elementId)).toEqual(['UT_CloseReview']);
    expect((await instance(id)).variables.slaChangeNeeded).toBe(true);
  });

  it('refuses a bad form value with 422 naming the field, and nothing changes', async () => {
    const { id, number } = await nextPeriod();
    const prep = await task(id, 'UT_PrepareServiceReport');
    const bad = await t.as('lena').post(`/api/tasks/${prep.id}/complete`).send({
      variables: { title: 'Mail service SLA', period: '2026-13', targetsMetPct: 100, breaches: 0, workloadPct: 80, targetsMissed: false, workloadExceeded: false, commentary: 'All targets met' },
    }).expect(422);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'period' })]);
    expect((await openTasks(id)).map((x) => x.id)).toEqual([prep.id]);
    expect((await instance(id)).variables.period).toBeUndefined();
    expect((await record(number)).state).toBe('reporting');
    // a customer representative cannot see (so cannot complete) the service level manager's report task
    await t.as('cora').post(`/api/tasks/${prep.id}/complete`).send({ variables: {} }).expect(404);
    expect((await openTasks(id)).map((x) => x.id)).toEqual([prep.id]);
  });

  /** A service level manager reports a breach by hand: the message the incident flow throws. */
  const reportBreach = async (variables: Record<string, unknown> = {}) => {
    const res = await t.as('lena').post('/api/messages').send({ name: 'sla-breach', variables }).expect(200);
    expect(res.body.started).toEqual([expect.objectContaining({ definitionKey: 'sla_breach_review', elementId: 'SE_SlaBreached' })]);
    const id = res.body.started[0].instanceId as string;
    return { id, number: (await instance(id)).variables.recordNumber as string };
  };

  it('SLA breach reported: assessed, an improvement action carried out, closed', async () => {
    const { id, number } = await reportBreach();
    expect(number).toMatch(/^SLR\d{7}$/);
    expect((await record(number)).state).toBe('assessing');
    expect(await task(id, 'UT_BreachAssessment')).toMatchObject({ candidateGroups: ['service-level-managers'], formId: 'slr-breach' });
    await complete('lena', id, 'UT_BreachAssessment', { title: 'Mail P1 resolution breached', breachCause: 'Relay vendor support late', improvementNeeded: true, improvementAction: 'Escalation contact with the vendor' });
    expect((await record(number)).state).toBe('actions in progress');
    await complete('owen', id, 'UT_BreachAction', { actionOutcome: 'Vendor escalation contact agreed' });
    expect((await record(number)).state).toBe('closed');
    expect((await instance(id)).status).toBe('completed');
  });

  it('SLA breach without an improvement action: recorded and closed after the assessment', async () => {
    const { id, number } = await reportBreach();
    await complete('lena', id, 'UT_BreachAssessment', { title: 'Customer-caused delay', breachCause: 'Customer unreachable for a day', improvementNeeded: false });
    expect((await record(number)).state).toBe('closed');
    expect(await reached(id)).not.toContain('UT_BreachAction');
  });

  it('an incident whose resolution target is breached raises an SLA breach review, linked both ways', async () => {
    // given: a P1 incident (4 h resolution, 24x7) with the resolvers
    const inc = await t.as('sam').post('/api/instances').send({
      definitionKey: 'incident_management',
      variables: { title: 'Mail server down', description: 'Nobody can send mail', caller: 'carl', channel: 'phone', category: 'software', impact: 'high', urgency: 'high' },
    }).expect(201);
    const incId = inc.body.instance.id as string;
    const incNumber = inc.body.instance.variables.recordNumber as string;
    await complete('sam', incId, 'UT_LogClassify', { classification: 'incident', category: 'software', major: false, resolvableAtL1: false });
    await complete('sam', incId, 'UT_AssignGroup', { assignmentGroup: 'applications' });
    const breaches = async () => ((await t.as('auditor').get('/api/records?type=slr').expect(200)).body.items as { number: string; fields?: Record<string, unknown> }[]);
    const before = (await breaches()).length;

    // when: 75 % of the target passes, nothing is raised; at 100 % the breach is thrown and delivered
    clock.advance(3 * HOUR + MINUTE);
    await fire();
    await drain();
    expect((await breaches()).length).toBe(before);
    clock.advance(HOUR);
    await fire();
    await drain();

    // then: one SLA breach review, started from the incident and linked to it on both records
    const after = await breaches();
    expect(after.length).toBe(before + 1);
    const slr = after[0].number;
    const slrRecord = await record(slr);
    expect(slrRecord.state).toBe('assessing');
    expect(slrRecord.fields.sourceRecord).toBe(incNumber);
    expect((slrRecord.links as Link[]).filter((l) => JSON.stringify(l).includes(incNumber))).toEqual([expect.objectContaining({ direction: 'incoming' })]);
    expect(((await record(incNumber)).links as Link[]).filter((l) => JSON.stringify(l).includes(slr))).toEqual([expect.objectContaining({ direction: 'outgoing' })]);
    expect((await openTasks(slrRecord.instances[0].id)).map((x) => x.elementId)).toEqual(['UT_BreachAssessment']);
  });
});
