import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock, Orchestrator } from '../../../engine';
import { bpmn } from '../../support/bpmn';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';
import { createTestApp, type ApiTestApp } from '../../support/test-app';

const ROOT = join(__dirname, '../../../processes');
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const read = (...p: string[]) => readFileSync(join(ROOT, ...p));
const forms = (prefix: string) => readdirSync(join(ROOT, 'audit', 'forms')).filter((f) => f.startsWith(prefix)).map((f) => [f, read('audit', 'forms', f)] as const);

/** A stand-in for the nonconformity flow (issue 8 item 8): catches `raise-nonconformity` with a message start. */
const ncStub = bpmn(
  'nc_stub',
  `<bpmn:startEvent id="SE_NCRaised"><bpmn:messageEventDefinition messageRef="Msg_RaiseNC"/></bpmn:startEvent>
   <bpmn:sequenceFlow id="f1" sourceRef="SE_NCRaised" targetRef="record"/>
   <bpmn:userTask id="record" camunda:candidateGroups="quality"/>
   <bpmn:sequenceFlow id="f2" sourceRef="record" targetRef="done"/><bpmn:endEvent id="done"/>`,
  'itsm:recordType="nc"',
).replace('<bpmn:process', '<bpmn:message id="Msg_RaiseNC" name="raise-nonconformity"/>\n<bpmn:process');

interface Task { id: string; elementId: string; candidateGroups: string[]; formId: string | null }
interface HistoryEvent { type: string; elementId: string | null; payload: Record<string, unknown> }
interface Instance { id: string; status: string; definitionKey: string; variables: Record<string, unknown> }

/**
 * Internal audit (ISO/IEC 20000-1 9.2, ITSM_REFERENCE §3.7) from processes/audit, through the HTTP API
 * by its roles (mia: audit programme manager, tom: top management, ada and ben: auditors, carl: an
 * auditor who works in the audited area) with an injected clock.
 */
describe('internal audit flows (processes/audit)', () => {
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
  const complete = async (as: string, id: string, elementId: string, variables: Record<string, unknown>, status = 200) =>
    (await t.as(as).post(`/api/tasks/${(await task(id, elementId)).id}/complete`).send({ variables }).expect(status)).body;
  const instance = async (id: string) => (await t.as('auditor').get(`/api/instances/${id}`).expect(200)).body as Instance;
  const instances = async (key: string) => (await t.as('auditor').get(`/api/instances?key=${key}&size=100`).expect(200)).body.items as Instance[];
  const history = async (id: string) => (await t.as('auditor').get(`/api/instances/${id}/history`).expect(200)).body as HistoryEvent[];
  const record = async (number: string) => (await t.as('auditor').get(`/api/records/${number}`).expect(200)).body;
  const sent = async (id: string, name: string) => (await history(id)).filter((e) => e.type === 'message.sent' && e.payload.name === name);
  const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

  /** The audit programme manager starts an audit by hand: the message the programme throws. */
  const startAudit = async () => {
    const res = await t.as('mia').post('/api/messages').send({ name: 'internal-audit-start' }).expect(200);
    expect(res.body.started).toEqual([expect.objectContaining({ definitionKey: 'internal_audit', elementId: 'SE_AuditDue' })]);
    const id = res.body.started[0].instanceId as string;
    return { id, number: (await instance(id)).variables.recordNumber as string };
  };
  const scope = (id: string, v: Record<string, unknown> = {}) =>
    complete('mia', id, 'UT_ScopeAudit', {
      title: 'Change management audit', auditedArea: 'change', criteria: 'ISO/IEC 20000-1 8.5.1, change procedure v3',
      areaStaff: ['carl', 'cleo'], plannedDate: isoDate(clock.now().getTime() + 10 * DAY), ...v,
    });
  /** Independence declared, plan prepared, the audit date reached, fieldwork done, findings classified. */
  const toFindings = async (id: string, nonconformityCount: number) => {
    await complete('ben', id, 'UT_IndependenceCheck', { independence: 'independent' });
    await complete('ben', id, 'UT_PrepareAuditPlan', { auditPlan: 'Interview the change manager; sample 25 closed changes', sampleSize: 25 });
    clock.advance(11 * DAY);
    await fire();
    await complete('ben', id, 'UT_Fieldwork', { evidence: 'CHG0000012 lacks a PIR; CHG0000031 approved by its requester', openingMeetingHeld: true });
    await complete('ben', id, 'UT_ClassifyFindings', { findingsSummary: 'Two minor NCs (8.5.1 c), one observation', nonconformityCount, observationCount: 1 });
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db, { clock });
    await t.user({ username: 'mia', roles: ['staff'], groups: ['audit-managers'] });
    await t.user({ username: 'tom', roles: ['staff'], groups: ['top-management'] });
    await t.user({ username: 'ada', roles: ['staff'], groups: ['auditors'] });
    await t.user({ username: 'ben', roles: ['staff'], groups: ['auditors'] });
    await t.user({ username: 'max', roles: ['staff'], groups: ['auditors', 'audit-managers'] });
    await t.user({ username: 'carl', roles: ['staff'], groups: ['auditors', 'change-managers'] });
    for (const [file, prefix] of [['internal_audit.bpmn', 'audit-'], ['audit_programme.bpmn', 'audit-programme-']] as const) {
      let req = t.as('admin').post('/api/definitions').attach('file', read('audit', file), file);
      for (const [name, content] of forms(prefix)) req = req.attach('forms', content, name);
      const res = await req;
      if (res.status !== 201) throw new Error(JSON.stringify(res.body, null, 1));
      expect(res.body).toMatchObject({ key: file.replace('.bpmn', ''), version: 1 });
      expect(res.body.warnings ?? []).toEqual([]);
    }
    await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(ncStub).expect(201);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('the yearly programme: its timer starts it, top management sends it back, then approves it, one audit starts per planned area, the cycle ends with a review', async () => {
    expect(await instances('audit_programme')).toEqual([]);
    clock.advance(366 * DAY);
    await fire();
    const [programme] = await instances('audit_programme');
    expect(programme).toBeDefined();
    const id = programme.id;
    expect(await task(id, 'UT_DraftProgramme')).toMatchObject({ candidateGroups: ['audit-managers'], formId: 'audit-programme-draft' });

    // a form 422 names the field, nothing changes
    const bad = await complete('mia', id, 'UT_DraftProgramme', { programmePeriod: '2027', plannedAudits: ['payroll'], riskRationale: 'x' }, 422);
    expect(JSON.stringify(bad)).toContain('plannedAudits');
    expect((await openTasks(id)).map((x) => x.elementId)).toEqual(['UT_DraftProgramme']);

    const draft = { programmePeriod: '2027', plannedAudits: ['incident', 'change'], riskRationale: 'Change and incident carry the most risk', methods: 'Interviews and record sampling' };
    await complete('mia', id, 'UT_DraftProgramme', draft);
    // the drafter may not approve their own programme (segregation of duties)
    await t.user({ username: 'mia2', roles: ['staff'], groups: ['audit-managers', 'top-management'] });
    await complete('tom', id, 'UT_ApproveProgramme', { programmeDecision: 'revise', approvalComments: 'Add continuity' });
    await complete('mia2', id, 'UT_DraftProgramme', { ...draft, plannedAudits: ['incident', 'change', 'continuity'] });
    const refused = await complete('mia2', id, 'UT_ApproveProgramme', { programmeDecision: 'approve' }, 403);
    expect(refused.rule).toBe('segregation-of-duties');
    expect(await instances('internal_audit')).toEqual([]);
    await complete('tom', id, 'UT_ApproveProgramme', { programmeDecision: 'approve' });

    // one `internal-audit-start` per planned area, through the outbox
    expect(await sent(id, 'internal-audit-start')).toHaveLength(3);
    await drain();
    const audits = await instances('internal_audit');
    expect(audits).toHaveLength(3);
    for (const a of audits) expect((await openTasks(a.id)).map((x) => x.elementId)).toEqual(['UT_ScopeAudit']);
    expect((await instance(audits[0].id)).variables.recordNumber).toMatch(/^AUD\d{7}$/);

    // the cycle ends after 330 days: review of the programme's effectiveness
    expect((await openTasks(id)).map((x) => x.elementId)).toEqual([]);
    clock.advance(330 * DAY + MINUTE);
    await fire();
    await complete('mia', id, 'UT_ReviewProgramme', { auditsCompleted: 3, coverageAchieved: 80, programmeReview: 'Clauses 8.7 and 9.3 not covered; add next cycle' });
    expect((await instance(id)).status).toBe('completed');
    for (const a of audits) await t.as('admin').post(`/api/instances/${a.id}/cancel`).send({});
  });

  it('one audit: the area staff may not audit it (403), a declared conflict sends it back, nonconformities are raised with the audit number, the overdue report escalates, a reworked report is approved and the audit closed', async () => {
    const { id, number } = await startAudit();
    expect(number).toMatch(/^AUD\d{7}$/);
    expect((await record(number)).state).toBe('planning');
    expect(await task(id, 'UT_ScopeAudit')).toMatchObject({ candidateGroups: ['audit-managers'], formId: 'audit-scope' });
    await scope(id);
    expect((await record(number)).state).toBe('independence check');

    // carl works in the audited area: refused
    const refused = await complete('carl', id, 'UT_IndependenceCheck', { independence: 'independent' }, 403);
    expect(refused).toMatchObject({ rule: 'segregation-of-duties' });
    expect(refused.detail).toContain('carl');
    // ada declares a conflict (reporting line): back to scoping
    await complete('ada', id, 'UT_IndependenceCheck', { independence: 'conflict', independenceNotes: 'I report to the change manager' });
    expect((await openTasks(id)).map((x) => x.elementId)).toEqual(['UT_ScopeAudit']);
    expect((await record(number)).state).toBe('planning');
    await scope(id, { areaStaff: ['carl', 'cleo', 'ada'] });
    await complete('ada', id, 'UT_IndependenceCheck', { independence: 'independent' }, 403);

    // the audit waits for its planned date
    await complete('ben', id, 'UT_IndependenceCheck', { independence: 'independent' });
    await complete('ben', id, 'UT_PrepareAuditPlan', { auditPlan: 'Sample 25 closed changes', sampleSize: 25 });
    expect((await record(number)).state).toBe('planned');
    expect((await openTasks(id)).map((x) => x.elementId)).toEqual([]);
    clock.advance(5 * DAY);
    await fire();
    expect((await openTasks(id)).map((x) => x.elementId)).toEqual([]);
    clock.advance(6 * DAY);
    await fire();
    await complete('ben', id, 'UT_Fieldwork', { evidence: 'CHG0000012 lacks a PIR', openingMeetingHeld: true });
    expect((await record(number)).state).toBe('findings');
    await complete('ben', id, 'UT_ClassifyFindings', { findingsSummary: 'Two minor NCs', nonconformityCount: 2, observationCount: 0 });

    // two `raise-nonconformity` messages carrying the audit number; each NC record links back to the audit
    expect(await sent(id, 'raise-nonconformity')).toHaveLength(2);
    await drain();
    const ncs = await instances('nc_stub');
    expect(ncs).toHaveLength(2);
    const links = (await record(number)).links as { direction: string; number?: string; to?: string; from?: string }[];
    expect(links).toHaveLength(2);
    for (const nc of ncs) expect(JSON.stringify((await record((await instance(nc.id)).variables.recordNumber as string)).links)).toContain(number);

    // the report not issued within 10 days escalates, the task stays open
    expect((await record(number)).state).toBe('reporting');
    clock.advance(10 * DAY + MINUTE);
    await fire();
    expect(await sent(id, 'audit-report-overdue')).toHaveLength(1);
    await complete('ben', id, 'UT_IssueReport', { reportSummary: 'Draft report' });
    expect((await record(number)).state).toBe('report review');
    await complete('mia', id, 'UT_ApproveReport', { reportDecision: 'rework', reportComments: 'Cite the clause per finding' });
    // max is both auditor and programme manager: having issued the report, he may not approve it
    await complete('max', id, 'UT_IssueReport', { reportSummary: 'Final report with clauses' });
    expect(await complete('max', id, 'UT_ApproveReport', { reportDecision: 'approve' }, 403)).toMatchObject({ rule: 'segregation-of-duties' });
    await complete('mia', id, 'UT_ApproveReport', { reportDecision: 'approve' });
    await complete('mia', id, 'UT_CloseAudit', { distributedTo: 'Service director, change manager' });
    const fields = (await record(number)).fields;
    expect(fields).toMatchObject({ auditedArea: 'change', independence: 'independent', nonconformityCount: 2, reportSummary: 'Final report with clauses' });
    expect((await instance(id)).status).toBe('completed');
    expect((await record(number)).state).toBe('closed');
  });

  it('an audit without nonconformities raises none and closes; a bad planned date is a 422 naming the field', async () => {
    const { id, number } = await startAudit();
    const bad = await complete('mia', id, 'UT_ScopeAudit', { title: 'x', auditedArea: 'incident', criteria: 'x', areaStaff: ['sam'], plannedDate: 'soon' }, 422);
    expect(JSON.stringify(bad)).toContain('plannedDate');
    expect((await openTasks(id)).map((x) => x.elementId)).toEqual(['UT_ScopeAudit']);
    await scope(id, { auditedArea: 'incident', areaStaff: ['sam'] });
    await toFindings(id, 0);
    await drain();
    expect(await sent(id, 'raise-nonconformity')).toEqual([]);
    await complete('ben', id, 'UT_IssueReport', { reportSummary: 'No nonconformity; one observation' });
    await complete('mia', id, 'UT_ApproveReport', { reportDecision: 'approve' });
    await complete('mia', id, 'UT_CloseAudit', { distributedTo: 'Service director' });
    expect((await record(number)).state).toBe('closed');
    expect((await record(number)).links).toEqual([]);
  });
});
