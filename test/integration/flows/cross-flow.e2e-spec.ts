import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock, Orchestrator } from '../../../engine';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';
import { createTestApp, type ApiTestApp } from '../../support/test-app';

const ROOT = join(__dirname, '../../../processes');
const read = (...p: string[]) => readFileSync(join(ROOT, ...p));
const forms = (flow: string, prefix: string) => readdirSync(join(ROOT, flow, 'forms')).filter((f) => f.startsWith(prefix)).map((f) => [f, read(flow, 'forms', f)] as const);

/**
 * Every hop is a real flow: problem_management throws `raise-change`, change_from_problem receives it
 * (message start), a change manager drafts the RFC and change_management runs as its call activity;
 * change_management throws `raise-incident` when the change fails, incident_from_change receives it, the
 * service desk logs the incident (form incident-log) and incident_management runs as its call activity.
 */

interface Link { direction: string }

/** ISSUE 8 acceptance: an incident raises a problem, the problem raises a change, the change fails and raises an incident. */
describe('cross-flow links: incident → problem → change → incident', () => {
  let db: TestDatabase;
  let t: ApiTestApp;
  const clock = new ManualClock();
  const drain = () => t.app.get(Orchestrator).drainOutbox('test-worker');
  const complete = async (as: string, instanceId: string, elementId: string, variables: Record<string, unknown>) => {
    const open = (await t.as('auditor').get(`/api/tasks?instanceId=${instanceId}&status=open`).expect(200)).body.items as { id: string; elementId: string }[];
    const task = open.find((x) => x.elementId === elementId);
    if (!task) throw new Error(`no open task ${elementId}: ${open.map((x) => x.elementId).join(', ')}`);
    await t.as(as).post(`/api/tasks/${task.id}/complete`).send({ variables }).expect(200);
  };
  const record = async (number: string) => (await t.as('auditor').get(`/api/records/${number}`).expect(200)).body;
  const numbers = async (type: string) => ((await t.as('auditor').get(`/api/records?type=${type}`).expect(200)).body.items as { number: string }[]).map((r) => r.number);
  /** The direction of the link between `a` and `b` as shown on `a` (undefined: no link). */
  const linkOn = async (a: string, b: string) => {
    const links = ((await record(a)).links as Link[]).filter((l) => JSON.stringify(l).includes(b));
    expect(links.length).toBeLessThanOrEqual(1);
    return links[0]?.direction;
  };

  /** An incident flagged as a problem candidate, its problem worked to a known error fixed by a change: the change_from_problem instance. */
  const problemRaisingChange = async (): Promise<{ prb: string; wrapperId: string }> => {
    const before = new Set(await numbers('problem'));
    const inc = await t.as('sam').post('/api/instances').send({
      definitionKey: 'incident_management',
      variables: { title: 'Backups slow', description: 'Nightly backup overruns', caller: 'sam', channel: 'phone', category: 'software', impact: 'medium', urgency: 'high' },
    }).expect(201);
    const incId = inc.body.instance.id as string;
    await complete('sam', incId, 'UT_LogClassify', { classification: 'incident', category: 'software', major: false, resolvableAtL1: true });
    await complete('sam', incId, 'UT_ResolveL1', { resolutionCode: 'config_change', resolutionNotes: 'Restarted the job', workaroundUsed: true, problemCandidate: true });
    await drain();
    const prb = (await numbers('problem')).find((n) => !before.has(n))!;
    const prbId = (await record(prb)).instances[0].id as string;
    await complete('pam', prbId, 'UT_LogProblem', { title: 'Backup overruns', description: 'Backup window too short', problemSource: 'incident' });
    await complete('pam', prbId, 'UT_Categorise', { categorisation: 'new_problem', category: 'software', priority: 'P2' });
    await complete('rita', prbId, 'UT_RootCause', { rootCause: 'Window overlaps the batch', workaroundAvailable: false });
    await complete('pam', prbId, 'UT_KnownError', { knownErrorSummary: 'Window overlaps', permanentFix: 'change' });
    await drain();
    const wrappers = (await t.as('auditor').get('/api/instances?key=change_from_problem&status=running').expect(200)).body.items as { id: string }[];
    expect(wrappers).toHaveLength(1);
    return { prb, wrapperId: wrappers[0].id };
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db, { clock });
    await t.user({ username: 'sam', roles: ['staff'], groups: ['servicedesk'] });
    await t.user({ username: 'pam', roles: ['staff'], groups: ['problem-managers'] });
    await t.user({ username: 'rita', roles: ['staff'], groups: ['resolvers'] });
    await t.user({ username: 'ivan', roles: ['staff'], groups: ['change-implementers'] });
    await t.user({ username: 'mike', roles: ['staff'], groups: ['change-managers'] });
    await t.user({ username: 'cab1', displayName: 'Cora Abel', roles: ['staff'], groups: ['cab'] });
    await t.user({ username: 'cab2', roles: ['staff'], groups: ['cab'] });
    await t.user({ username: 'cab3', roles: ['staff'], groups: ['cab'], disabled: true }); // not offered
    let major = t.as('admin').post('/api/definitions').attach('file', read('incident', 'major_incident.bpmn'), 'major_incident.bpmn');
    for (const [name, content] of forms('incident', 'major-')) major = major.attach('forms', content, name);
    await major.expect(201);
    let incident = t.as('admin').post('/api/definitions').attach('file', read('incident', 'incident_management.bpmn'), 'incident_management.bpmn');
    for (const [name, content] of forms('incident', 'incident-')) incident = incident.attach('forms', content, name);
    for (const dmn of ['incident-priority.dmn', 'incident-sla-targets.dmn']) incident = incident.attach('forms', read('incident', 'decisions', dmn), dmn);
    await incident.expect(201);
    let problem = t.as('admin').post('/api/definitions').attach('file', read('problem', 'problem_management.bpmn'), 'problem_management.bpmn');
    for (const [name, content] of forms('problem', 'problem-')) problem = problem.attach('forms', content, name);
    await problem.expect(201);
    // the real change flows, callees first, with their forms and decision table (as change.e2e-spec.ts)
    const cab = await t.as('admin').post('/api/definitions').attach('file', read('change', 'cab_review.bpmn'), 'cab_review.bpmn').attach('forms', read('change', 'forms', 'cab-vote.form'), 'cab-vote.form');
    expect([cab.status, cab.body.warnings ?? []]).toEqual([201, []]);
    let change = t.as('admin').post('/api/definitions').attach('file', read('change', 'change_management.bpmn'), 'change_management.bpmn');
    for (const [name, content] of forms('change', 'change-')) change = change.attach('forms', content, name);
    change = change.attach('forms', read('change', 'decisions', 'change-authority.dmn'), 'change-authority.dmn');
    const changeRes = await change;
    expect([changeRes.status, changeRes.body.warnings ?? []]).toEqual([201, []]);
    const wrapper = await t.as('admin').post('/api/definitions').attach('file', read('change', 'change_from_problem.bpmn'), 'change_from_problem.bpmn').attach('forms', read('change', 'forms', 'change-rfc.form'), 'change-rfc.form');
    expect([wrapper.status, wrapper.body.warnings ?? []]).toEqual([201, []]);
    const incWrapper = await t.as('admin').post('/api/definitions').attach('file', read('incident', 'incident_from_change.bpmn'), 'incident_from_change.bpmn').attach('forms', read('incident', 'forms', 'incident-log.form'), 'incident-log.form');
    expect([incWrapper.status, incWrapper.body.warnings ?? []]).toEqual([201, []]);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('links each record to the one that raised it and to the one it raised, shown on both', async () => {
    // an incident, resolved at first line and flagged as a problem candidate
    const inc = await t.as('sam').post('/api/instances').send({
      definitionKey: 'incident_management',
      variables: { title: 'Mail server down', description: 'Nobody can send mail', caller: 'sam', channel: 'phone', category: 'software', impact: 'medium', urgency: 'high' },
    }).expect(201);
    const incId = inc.body.instance.id as string;
    const inc1 = inc.body.instance.variables.recordNumber as string;
    await complete('sam', incId, 'UT_LogClassify', { classification: 'incident', category: 'software', major: false, resolvableAtL1: true });
    await complete('sam', incId, 'UT_ResolveL1', { resolutionCode: 'config_change', resolutionNotes: 'Restarted the mail relay', workaroundUsed: true, problemCandidate: true });
    await drain();
    const [prb] = await numbers('problem');
    expect(prb).toMatch(/^PRB\d{7}$/);

    // the problem: known error whose permanent fix is a change
    const prbId = (await record(prb)).instances[0].id as string;
    await complete('pam', prbId, 'UT_LogProblem', { title: 'Mail relay stalls', description: 'Queue fills up after the backup', problemSource: 'incident' });
    await complete('pam', prbId, 'UT_Categorise', { categorisation: 'new_problem', category: 'software', priority: 'P2' });
    await complete('rita', prbId, 'UT_RootCause', { rootCause: 'Backup locks the spool directory', workaroundAvailable: false });
    await complete('pam', prbId, 'UT_KnownError', { knownErrorSummary: 'Spool locked by the backup job', permanentFix: 'change' });
    await drain();
    // nothing has a change record yet: change_from_problem waits for a change manager to draft the RFC
    expect(await numbers('change')).toEqual([]);
    const wrappers = (await t.as('auditor').get('/api/instances?key=change_from_problem').expect(200)).body.items as { id: string }[];
    expect(wrappers).toHaveLength(1);
    await complete('mike', wrappers[0].id, 'UT_DraftRfc', { title: 'Move the backup window', changeType: 'standard', description: 'Run the backup after the spool flush', plannedStart: new Date(clock.now().getTime() + 3_600_000).toISOString() });
    const [chg] = await numbers('change');
    expect(chg).toMatch(/^CHG\d{7}$/);
    const chgRecord = await record(chg);
    expect(chgRecord.instances.map((i: { definitionKey: string }) => i.definitionKey)).toEqual(['change_management']);
    expect(chgRecord.state).toBe('scheduled');

    // the planned start comes; the change fails and raises an incident
    const chgId = chgRecord.instances[0].id as string;
    clock.advance(3_600_000 + 60_000);
    await t.app.get(Orchestrator).fireDueTimers('test-worker');
    await complete('ivan', chgId, 'UT_Implement', { outcome: 'failed', actualStart: clock.now().toISOString(), implementationNotes: 'spool still locked' });
    expect((await record(chg)).state).toBe('review');
    await complete('mike', chgId, 'UT_PIR', { reviewCompleted: true, lessonsLearned: 'check the spool lock first' });
    expect((await record(chg)).state).toBe('failed');
    // the wrapper ends with its call activity
    expect((await t.as('auditor').get(`/api/instances/${wrappers[0].id}`).expect(200)).body.status).toBe('completed');
    await drain();
    // no second incident yet: incident_from_change waits for the service desk to log it
    expect(await numbers('incident')).toEqual([inc1]);
    const incWrappers = (await t.as('auditor').get('/api/instances?key=incident_from_change').expect(200)).body.items as { id: string }[];
    expect(incWrappers).toHaveLength(1);
    await complete('sam', incWrappers[0].id, 'UT_LogIncident', { title: 'Mail relay change failed', description: 'Backup window move rolled back', caller: 'ivan', channel: 'monitoring', category: 'software', impact: 'medium', urgency: 'high' });
    const inc2 = (await numbers('incident')).find((n) => n !== inc1)!;
    expect(inc2).toMatch(/^INC\d{7}$/);
    const inc2Record = await record(inc2);
    expect(inc2Record.instances.map((i: { definitionKey: string }) => i.definitionKey)).toEqual(['incident_management']);
    // the real incident flow runs: prioritised from the logged impact and urgency, waiting at classification
    const inc2Id = inc2Record.instances[0].id as string;
    expect((await t.as('auditor').get(`/api/instances/${inc2Id}`).expect(200)).body.variables).toMatchObject({ title: 'Mail relay change failed', sourceRecord: chg, priority: expect.any(String) });
    const open2 = (await t.as('auditor').get(`/api/tasks?instanceId=${inc2Id}&status=open`).expect(200)).body.items as { elementId: string }[];
    expect(open2.map((x) => x.elementId)).toEqual(['UT_LogClassify']);

    // each link is stored once and shown on both records
    expect([await linkOn(inc1, prb), await linkOn(prb, inc1)]).toEqual(['outgoing', 'incoming']);
    expect([await linkOn(prb, chg), await linkOn(chg, prb)]).toEqual(['outgoing', 'incoming']);
    expect([await linkOn(chg, inc2), await linkOn(inc2, chg)]).toEqual(['outgoing', 'incoming']);
    // and nothing else is linked
    expect([await linkOn(inc1, chg), await linkOn(prb, inc2), await linkOn(inc1, inc2)]).toEqual([undefined, undefined, undefined]);
    const rows = (await t.sql.query(`SELECT from_number, to_number FROM record_link`)) as { from_number: string; to_number: string }[];
    expect(rows.map((r) => `${r.from_number}→${r.to_number}`).sort()).toEqual([`${chg}→${inc2}`, `${inc1}→${prb}`, `${prb}→${chg}`].sort());
  });

  it('a change drafted from a problem that goes to the CAB is voted by the members of the CAB group (form options valuesKey "group:cab")', async () => {
    const { prb, wrapperId } = await problemRaisingChange();
    const open = (await t.as('auditor').get(`/api/tasks?instanceId=${wrapperId}&status=open`).expect(200)).body.items as { id: string; elementId: string }[];
    const draft = open.find((x) => x.elementId === 'UT_DraftRfc')!;
    // the RFC form offers the CAB group's members as the voters (what form-js reads for valuesKey "group:cab")
    const form = (await t.as('mike').get(`/api/tasks/${draft.id}/form`).expect(200)).body;
    const field = (form.schema.components as { key?: string; valuesKey?: string }[]).find((c) => c.key === 'cabMembers');
    expect(field?.valuesKey).toBe('group:cab');
    expect(form.data['group:cab']).toEqual([{ label: 'Cora Abel (cab1)', value: 'cab1' }, { label: 'cab2', value: 'cab2' }]);
    const rfc = { title: 'Widen the backup window', changeType: 'normal', description: 'Move the batch one hour later', plannedStart: new Date(clock.now().getTime() + 48 * 3_600_000).toISOString() };
    // somebody outside the CAB group is refused, naming the field, and nothing changes
    const bad = await t.as('mike').post(`/api/tasks/${draft.id}/complete`).send({ variables: { ...rfc, cabMembers: ['cab1', 'mike'] } }).expect(422);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'cabMembers' })]);
    expect((await t.as('auditor').get(`/api/tasks/${draft.id}`).expect(200)).body.status).toBe('open');
    // the change manager takes the offered members: the change goes through risk assessment to the CAB
    const voters = (form.data['group:cab'] as { value: string }[]).map((o) => o.value);
    const before = new Set(await numbers('change'));
    await complete('mike', wrapperId, 'UT_DraftRfc', { ...rfc, cabMembers: voters });
    const chg = (await numbers('change')).find((n) => !before.has(n))!;
    const chgId = (await record(chg)).instances[0].id as string;
    await complete('mike', chgId, 'UT_AssessRisk', { risk: 'medium', impactAssessment: 'backups one hour later', backoutPlan: 'move it back' });
    const chgVars = (await t.as('auditor').get(`/api/instances/${chgId}`).expect(200)).body.variables;
    expect(chgVars).toMatchObject({ authority: 'cab', cabMembers: ['cab1', 'cab2'], sourceRecord: prb });
    const [cabReview] = (await t.as('auditor').get(`/api/instances?parentInstanceId=${chgId}`).expect(200)).body.items as { id: string; definitionKey: string }[];
    expect(cabReview.definitionKey).toBe('cab_review');
    const votes = (await t.as('auditor').get(`/api/tasks?instanceId=${cabReview.id}&status=open`).expect(200)).body.items as { assignee: string }[];
    expect(votes.map((v) => v.assignee).sort()).toEqual(['cab1', 'cab2']);
    expect([await linkOn(prb, chg), await linkOn(chg, prb)]).toEqual(['outgoing', 'incoming']);
  });
});
