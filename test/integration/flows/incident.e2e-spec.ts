import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock, Orchestrator } from '../../../engine';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';
import { createTestApp, type ApiTestApp } from '../../support/test-app';

const DIR = join(__dirname, '../../../processes/incident');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const read = (...p: string[]) => readFileSync(join(DIR, ...p));
const forms = (prefix: string) => readdirSync(join(DIR, 'forms')).filter((f) => f.startsWith(prefix)).map((f) => [f, read('forms', f)] as const);

interface Task { id: string; elementId: string; assignee: string | null; candidateGroups: string[]; formId: string | null }
interface HistoryEvent { type: string; elementId: string | null; payload: Record<string, unknown> }

/**
 * The incident management reference flow (ISO/IEC 20000-1 8.6.1) deployed from processes/incident
 * with its forms and decision tables, worked through the HTTP API by the users of its lanes.
 */
describe('incident management flow (processes/incident)', () => {
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
  const reached = async (id: string) => (await history(id)).filter((e) => e.type === 'element.completed' || e.type === 'element.started').map((e) => e.elementId);

  const report = { title: 'Mail server down', description: 'Nobody can send mail', caller: 'carl', channel: 'phone', category: 'software' };
  const start = async (impact: string, urgency: string, extra: Record<string, unknown> = {}) => {
    const res = await t.as('sam').post('/api/instances').send({ definitionKey: 'incident_management', variables: { ...report, impact, urgency, ...extra } }).expect(201);
    return { id: res.body.instance.id as string, number: res.body.instance.variables.recordNumber as string };
  };
  const classify = (id: string, v: Record<string, unknown> = {}) =>
    complete('sam', id, 'UT_LogClassify', { classification: 'incident', category: 'software', major: false, resolvableAtL1: false, ...v });
  const resolve = (id: string, elementId = 'UT_ApplyResolution', v: Record<string, unknown> = {}) =>
    complete(elementId === 'UT_ResolveL1' ? 'sam' : 'rita', id, elementId, { resolutionCode: 'config_change', resolutionNotes: 'Restarted the mail relay', workaroundUsed: false, problemCandidate: false, ...v });
  const toResolvers = async (id: string) => {
    await classify(id);
    await complete('sam', id, 'UT_AssignGroup', { assignmentGroup: 'applications' });
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db, { clock });
    // given: the groups of the lanes and a user in each (the caller belongs to none)
    await t.user({ username: 'sam', roles: ['staff'], groups: ['servicedesk'] });
    await t.user({ username: 'rita', roles: ['staff'], groups: ['resolvers'] });
    await t.user({ username: 'ivan', roles: ['staff'], groups: ['incident-managers', 'major-incident-managers'] });
    await t.user({ username: 'carl', roles: ['staff'] });
    // the decision tables, the called major-incident procedure, then the incident flow: multi-file deployments
    let major = t.as('admin').post('/api/definitions').attach('file', read('major_incident.bpmn'), 'major_incident.bpmn');
    for (const [name, content] of forms('major-')) major = major.attach('forms', content, name);
    const majorRes = await major.expect(201);
    expect(majorRes.body.warnings ?? []).toEqual([]);
    let incident = t.as('admin').post('/api/definitions').attach('file', read('incident_management.bpmn'), 'incident_management.bpmn');
    for (const [name, content] of forms('incident-')) incident = incident.attach('forms', content, name);
    for (const dmn of ['incident-priority.dmn', 'incident-sla-targets.dmn']) incident = incident.attach('forms', read('decisions', dmn), dmn);
    const res = await incident;
    if (res.status !== 201) throw new Error(JSON.stringify(res.body, null, 1));
    expect(res.body).toMatchObject({ key: 'incident_management', version: 1 });
    expect(res.body.warnings ?? []).toEqual([]);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('prioritises by impact × urgency, starts both SLA clocks on the calendar of the priority, and numbers the record', async () => {
    const p1 = await start('high', 'high');
    const vars = (await instance(p1.id)).variables;
    expect(p1.number).toMatch(/^INC\d{7}$/);
    expect(vars.priority).toBe('P1');
    expect(vars.sla.response).toMatchObject({ calendar: '24x7', status: 'running' });
    expect(new Date(vars.sla.resolution.dueAt).getTime() - new Date(vars.sla.resolution.startedAt ?? vars.sla.resolution.start).getTime()).toBe(4 * HOUR);
    const p4 = await start('low', 'low');
    const v4 = (await instance(p4.id)).variables;
    expect(v4.priority).toBe('P4');
    expect(v4.sla.resolution.calendar).toBe('business-hours');
    expect(Number(p4.number.slice(3))).toBe(Number(p1.number.slice(3)) + 1); // gapless
    const rec = await record(p1.number);
    expect(rec).toMatchObject({ number: p1.number, type: 'incident', state: 'new', priority: 'P1', title: 'Mail server down' });
    // the service desk sees the logging task with its form
    const log = await task(p1.id, 'UT_LogClassify');
    expect(log).toMatchObject({ candidateGroups: ['servicedesk'], formId: 'incident-classify' });
  });

  it('refuses a bad form value with 422 naming the field, and nothing changes', async () => {
    const { id } = await start('medium', 'medium');
    const log = await task(id, 'UT_LogClassify');
    const bad = await t.as('sam').post(`/api/tasks/${log.id}/complete`).send({ variables: { classification: 'rumour', category: 'software' } }).expect(422);
    expect(bad.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'classification' })]));
    expect((await openTasks(id)).map((x) => x.id)).toEqual([log.id]);
    expect((await instance(id)).variables.classification).toBeUndefined();
  });

  it('validates the start form (incident-log) on POST /api/instances like a task form: 422, one entry per field, nothing created', async () => {
    const count = async () => (await t.sql.query(`SELECT count(*)::int AS n FROM process_instance WHERE definition_key = 'incident_management'`))[0].n as number;
    const counter = async () => (await t.sql.query(`SELECT coalesce((SELECT last_value FROM record_counter WHERE type = 'incident'), 0)::int AS v`))[0].v as number;
    const [instances, seq] = [await count(), await counter()];
    const bad = await t.as('sam').post('/api/instances')
      .send({ definitionKey: 'incident_management', variables: { caller: 'carl', channel: 'carrier-pigeon', impact: 'high', urgency: 'high', ticketColour: 'red' } })
      .expect(422);
    expect(bad.body).toMatchObject({ code: 'FORM_VALIDATION_FAILED', formId: 'incident-log' });
    const fields = (bad.body.errors as { field: string }[]).map((e) => e.field).sort();
    expect(fields).toEqual(['channel', 'ticketColour', 'title']); // a bad option, a variable the form does not have, a required field missing
    expect(new Set(fields).size).toBe(fields.length); // one entry per field
    expect([await count(), await counter()]).toEqual([instances, seq]); // no instance, no record number used
    // the same start with valid values is accepted
    await start('high', 'high');
    expect(await count()).toBe(instances + 1);
  });

  it('ends a service request as reclassified and a duplicate as cancelled', async () => {
    const req = await start('low', 'medium');
    await classify(req.id, { classification: 'service_request' });
    expect((await instance(req.id)).status).toBe('completed');
    expect((await record(req.number)).state).toBe('reclassified');
    const dup = await start('low', 'medium');
    await classify(dup.id, { classification: 'duplicate' });
    expect((await record(dup.number)).state).toBe('cancelled');
  });

  it('escalates the response at its due date while the service desk has not logged it', async () => {
    const { id } = await start('high', 'medium'); // P2: 30 min response
    clock.advance(29 * MINUTE);
    await fire();
    expect(await reached(id)).not.toContain('EE_ResponseEscalated');
    clock.advance(2 * MINUTE);
    await fire();
    expect(await reached(id)).toContain('EE_ResponseEscalated');
    expect((await openTasks(id)).map((x) => x.elementId)).toEqual(['UT_LogClassify']); // non-interrupting
  });

  it('escalates the resolution at 50, 75 and 100 % of the target while it is being diagnosed', async () => {
    const { id, number } = await start('high', 'high'); // P1: 4 h resolution, 24x7
    await toResolvers(id);
    expect((await record(number)).state).toBe('in progress');
    const escalations = async () => (await reached(id)).filter((e) => ['EE_FunctionalEscalation', 'EE_HierarchicalEscalation', 'EE_ResolutionBreached'].includes(e!));
    clock.advance(2 * HOUR - MINUTE);
    await fire();
    expect(await escalations()).toEqual([]);
    clock.advance(2 * MINUTE);
    await fire();
    expect(new Set(await escalations())).toEqual(new Set(['EE_FunctionalEscalation']));
    clock.advance(HOUR);
    await fire();
    expect(new Set(await escalations())).toEqual(new Set(['EE_FunctionalEscalation', 'EE_HierarchicalEscalation']));
    clock.advance(HOUR);
    await fire();
    expect(new Set(await escalations())).toEqual(new Set(['EE_FunctionalEscalation', 'EE_HierarchicalEscalation', 'EE_ResolutionBreached']));
    expect((await openTasks(id)).map((x) => x.elementId)).toEqual(['UT_InvestigateDiagnose']);
    expect((await t.as('auditor').get(`/api/records?type=incident&q=${number}`).expect(200)).body.items[0].sla.status).toBe('breached');
    // the escalations are thrown as messages correlated by the record number (nobody waits: dropped)
    expect((await history(id)).filter((e) => e.type === 'message.sent').length).toBe(3);
  });

  it('pauses the resolution clock itself while awaiting the caller (itsm:pauseSla); the reply resumes it and the escalations move by the pause', async () => {
    const { id, number } = await start('high', 'high'); // P1: 4 h resolution on the 24x7 calendar
    await toResolvers(id);
    const started = new Date((await instance(id)).variables.sla.resolution.startedAt).getTime();
    const escalations = async () => (await reached(id)).filter((e) => ['EE_FunctionalEscalation', 'EE_HierarchicalEscalation', 'EE_ResolutionBreached'].includes(e!));
    clock.advance(HOUR);
    // when: the resolver needs information from the caller (1 h of the 4 h counted)
    await complete('rita', id, 'UT_InvestigateDiagnose', { workNotes: 'Need the error text', nextStep: 'needs_info', questionForCaller: 'What does the error say?' });
    // then: the flow paused the clock on entering "Awaiting caller", without any API call
    expect((await record(number))).toMatchObject({ state: 'awaiting caller', sla: expect.objectContaining({ paused: true, status: 'paused' }) });
    const paused = (await instance(id)).variables.sla.resolution;
    expect(paused).toMatchObject({ status: 'paused', dueAt: null, pauses: [expect.objectContaining({ reason: 'awaiting_caller', elementId: 'RT_AwaitCaller', to: null })] });
    expect((await history(id)).find((e) => e.type === 'sla.paused')).toMatchObject({ elementId: 'RT_AwaitCaller', payload: expect.objectContaining({ name: 'resolution', reason: 'awaiting_caller' }) });
    // the caller takes 5 h to answer: the original 50/75/100 % instants (start + 2, 3, 4 h) pass, nothing escalates
    clock.advance(5 * HOUR);
    await fire();
    expect(await escalations()).toEqual([]);
    expect((await record(number)).sla.status).toBe('paused');
    // when: the caller answers with the message correlated by the record number
    const msg = await t.as('carl').post('/api/messages').send({ name: 'incident-caller-reply', correlationKey: number, variables: { callerReply: 'Error 550' } }).expect(200);
    expect(msg.body.delivered).toEqual([expect.objectContaining({ instanceId: id, elementId: 'RT_AwaitCaller' })]);
    // then: the clock resumed in the same command, its target moved by exactly the 5 h paused
    const resumed = (await instance(id)).variables.sla.resolution;
    expect(resumed.status).toBe('running');
    expect(resumed.pauses).toEqual([expect.objectContaining({ elementId: 'RT_AwaitCaller', reason: 'awaiting_caller', to: expect.any(String) })]);
    // (the injected clock also runs with real time: the commands in between take seconds, not minutes)
    const near = (at: string, expected: number) => expect(Math.abs(new Date(at).getTime() - started - expected)).toBeLessThan(MINUTE);
    near(resumed.dueAt, 9 * HOUR);
    near(resumed.escalations.at50, 7 * HOUR);
    near(resumed.escalations.at75, 8 * HOUR);
    expect((await history(id)).find((e) => e.type === 'sla.resumed')).toMatchObject({ elementId: 'RT_AwaitCaller' });
    expect((await openTasks(id)).map((x) => x.elementId)).toEqual(['UT_InvestigateDiagnose']);
    expect((await record(number)).state).toBe('in progress');
    // the diagnosis's escalation timers were armed on the shifted instants
    const timers = (await t.as('auditor').get(`/api/timers?instanceId=${id}`).expect(200)).body.items as { elementId: string; dueAt: string }[];
    expect(timers.map((x) => x.elementId).sort()).toEqual(['TBE_Res50', 'TBE_Res75', 'TBE_ResBreach']);
    const due = Object.fromEntries(timers.map((x) => [x.elementId, x.dueAt]));
    expect(due.TBE_ResBreach).toBe(resumed.dueAt);
    near(due.TBE_Res50, 7 * HOUR);
    near(due.TBE_Res75, 8 * HOUR);
    expect(await escalations()).toEqual([]);
    // 50 % and 75 % fire at start + 7 h and + 8 h; 100 % not before start + 9 h (it would have been + 4 h without the pause)
    clock.advance(2 * HOUR + 30 * MINUTE); // start + 8.5 h
    await fire();
    expect(new Set(await escalations())).toEqual(new Set(['EE_FunctionalEscalation', 'EE_HierarchicalEscalation']));
    clock.advance(29 * MINUTE); // start + 8 h 59 min
    await fire();
    expect(await escalations()).not.toContain('EE_ResolutionBreached');
    clock.advance(2 * MINUTE); // start + 9 h 01 min
    await fire();
    expect(await escalations()).toContain('EE_ResolutionBreached');
    // the KPI business time excludes the pause: resolved 30 min after the breach = 4.5 h counted of 9.5 h elapsed
    clock.advance(29 * MINUTE); // start + 9.5 h
    await complete('rita', id, 'UT_InvestigateDiagnose', { workNotes: 'Relay fixed', nextStep: 'resolved' });
    await resolve(id);
    const [row] = await t.sql.query(`SELECT resolution_elapsed_ms, resolution_met FROM record WHERE number = $1`, [number]);
    expect(Math.abs(Number(row.resolution_elapsed_ms) - 4.5 * HOUR)).toBeLessThan(MINUTE);
    expect(row.resolution_met).toBe(false);
    // no timer read the clock while it was paused (the diagnosis's timers went with the diagnosis): nothing was re-armed
    expect((await history(id)).filter((e) => e.type === 'timer.rearmed')).toEqual([]);
  });

  it('escalates and breaches once per incident: back in diagnosis after a reassignment or a reopen, passed thresholds do not fire again', async () => {
    const { id } = await start('high', 'high'); // P1: 4 h resolution, 24x7
    await toResolvers(id);
    const count = async () => {
      const events = await history(id);
      const sent = (elementId: string) => events.filter((e) => e.type === 'element.completed' && e.elementId === elementId).length;
      return {
        functional: sent('ST_FunctionalEscalation'),
        hierarchical: sent('ST_HierarchicalEscalation'),
        breached: sent('ST_ResolutionBreached'),
        sent: events.filter((e) => e.type === 'message.sent').length,
      };
    };
    // 50 % and 75 % passed while diagnosing: each escalates once
    clock.advance(3 * HOUR + MINUTE);
    await fire();
    expect(await count()).toMatchObject({ functional: 1, hierarchical: 1, breached: 0, sent: 2 });
    // when: reassigned to another group and back in diagnosis (the 50 and 75 % instants are in the past)
    await complete('rita', id, 'UT_InvestigateDiagnose', { workNotes: 'Wrong group', nextStep: 'reassign' });
    await complete('sam', id, 'UT_AssignGroup', { assignmentGroup: 'infrastructure' });
    await fire();
    // then: no second functional or hierarchical escalation
    expect(await count()).toMatchObject({ functional: 1, hierarchical: 1, breached: 0, sent: 2 });
    // the breach still comes, once, at 100 %
    clock.advance(HOUR);
    await fire();
    expect(await count()).toMatchObject({ functional: 1, hierarchical: 1, breached: 1, sent: 3 });
    // when: resolved, rejected by the caller and back in diagnosis after the breach
    await complete('rita', id, 'UT_InvestigateDiagnose', { workNotes: 'Disk full', nextStep: 'resolved' });
    await resolve(id);
    await complete('carl', id, 'UT_ConfirmResolution', { confirmation: 'rejected', confirmationComment: 'Still failing' });
    expect((await openTasks(id)).map((x) => x.elementId)).toEqual(['UT_InvestigateDiagnose']);
    await fire();
    // then: no second breach (a second breach review would start for the same breach)
    expect(await count()).toMatchObject({ functional: 1, hierarchical: 1, breached: 1, sent: 3 });
  });

  it('reassigns, resolves, raises a problem candidate, reopens when the caller rejects, and closes when the caller accepts', async () => {
    const { id, number } = await start('medium', 'high');
    await toResolvers(id);
    await complete('rita', id, 'UT_InvestigateDiagnose', { workNotes: 'Wrong group', nextStep: 'reassign' });
    await complete('sam', id, 'UT_AssignGroup', { assignmentGroup: 'infrastructure' });
    await complete('rita', id, 'UT_InvestigateDiagnose', { workNotes: 'Disk full', nextStep: 'resolved' });
    await resolve(id, 'UT_ApplyResolution', { problemCandidate: true, workaroundUsed: true });
    // the problem candidate is thrown as raise-problem with the record number
    expect((await history(id)).find((e) => e.type === 'message.sent' && e.elementId === 'ITE_RaiseProblem')).toBeDefined();
    const outbox = await t.sql.query(`SELECT name, correlation_key FROM message_outbox WHERE name = 'raise-problem'`);
    expect(outbox).toEqual([{ name: 'raise-problem', correlation_key: number }]);
    await drain(); // nobody waits for it yet: dropped
    expect((await record(number)).state).toBe('resolved');
    const confirm = await task(id, 'UT_ConfirmResolution');
    expect(confirm.assignee).toBe('carl');
    // the caller rejects: back to diagnosis, reopen counted
    await complete('carl', id, 'UT_ConfirmResolution', { confirmation: 'rejected', confirmationComment: 'Still failing' });
    expect((await openTasks(id)).map((x) => x.elementId)).toEqual(['UT_InvestigateDiagnose']);
    expect((await instance(id)).variables.reopenCount).toBe(1);
    expect((await record(number)).state).toBe('in progress');
    await complete('rita', id, 'UT_InvestigateDiagnose', { workNotes: 'Quota raised', nextStep: 'resolved' });
    await resolve(id);
    await complete('carl', id, 'UT_ConfirmResolution', { confirmation: 'accepted', satisfaction: '4' });
    expect((await instance(id)).status).toBe('completed');
    expect((await record(number)).state).toBe('closed');
  });

  it('resolves at first line without a problem and closes automatically 72 h after resolution', async () => {
    const { id, number } = await start('low', 'high');
    await classify(id, { resolvableAtL1: true });
    await resolve(id, 'UT_ResolveL1');
    expect(await reached(id)).not.toContain('ITE_RaiseProblem');
    clock.advance(71 * HOUR);
    await fire();
    expect((await instance(id)).status).toBe('running');
    clock.advance(2 * HOUR);
    await fire();
    expect((await instance(id)).status).toBe('completed');
    expect(await reached(id)).toContain('EE_AutoClosed');
    expect((await record(number)).state).toBe('closed');
  });

  it('runs the major incident procedure as a called process beside the normal handling', async () => {
    const { id, number } = await start('high', 'high');
    await classify(id, { major: true, resolvableAtL1: true });
    expect((await record(number)).state).toBe('in progress');
    const children = (await t.as('auditor').get(`/api/instances?parentInstanceId=${id}`).expect(200)).body.items;
    expect(children).toHaveLength(1);
    const child = children[0].id as string;
    expect((await instance(child)).variables).toMatchObject({ incidentNumber: number, priority: 'P1' });
    // normal handling goes on in parallel
    expect((await openTasks(id)).map((x) => x.elementId)).toEqual(['UT_ResolveL1']);
    expect(await task(child, 'UT_ConfirmMajor')).toMatchObject({ candidateGroups: ['incident-managers'] });
    await complete('ivan', child, 'UT_ConfirmMajor', { majorConfirmed: true, majorDecisionReason: 'Whole company affected' });
    await complete('ivan', child, 'UT_CoordinateRecovery', { majorIncidentManager: 'ivan', topManagementInformedAt: '2026-12-06T10:00:00Z', recoveryLog: 'Failover done' });
    await complete('ivan', child, 'UT_MajorIncidentReport', { majorReport: 'Two hours outage' });
    await complete('ivan', child, 'UT_PostIncidentReview', { reviewFindings: 'Monitoring was late', improvementActions: 'Add a disk alert' });
    expect((await instance(child)).status).toBe('completed');
    expect((await instance(id)).variables.majorConfirmed).toBe(true);
    await resolve(id, 'UT_ResolveL1');
    await complete('carl', id, 'UT_ConfirmResolution', { confirmation: 'accepted' });
    expect((await instance(id)).status).toBe('completed');
  });

  it('ends the major incident procedure when the incident manager downgrades it', async () => {
    const { id } = await start('high', 'high');
    await classify(id, { major: true });
    const child = (await t.as('auditor').get(`/api/instances?parentInstanceId=${id}`).expect(200)).body.items[0].id as string;
    await complete('ivan', child, 'UT_ConfirmMajor', { majorConfirmed: false, majorDecisionReason: 'One user only' });
    expect((await instance(child)).status).toBe('completed');
    expect(await reached(child)).toContain('EE_NotMajor');
    expect((await openTasks(id)).map((x) => x.elementId)).toEqual(['UT_AssignGroup']);
  });
});
