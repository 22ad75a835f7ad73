import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock, Orchestrator } from '../../../engine';
import { bpmn } from '../../support/bpmn';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';
import { createTestApp, type ApiTestApp } from '../../support/test-app';

const ROOT = join(__dirname, '../../../processes');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const read = (...p: string[]) => readFileSync(join(ROOT, ...p));

/**
 * A stand-in for the internal audit flow (issue 8 item 7, built in parallel): an audit record whose
 * finding task throws `raise-nonconformity`, as the audit flow's `MI_ITE_RaiseNC` does.
 */
const auditStub = bpmn(
  'audit_stub',
  `<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="finding"/>
   <bpmn:userTask id="finding" camunda:candidateGroups="auditors"/>
   <bpmn:sequenceFlow id="f2" sourceRef="finding" targetRef="raise"/>
   <bpmn:intermediateThrowEvent id="raise"><bpmn:messageEventDefinition messageRef="Msg_RaiseNc"/></bpmn:intermediateThrowEvent>
   <bpmn:sequenceFlow id="f3" sourceRef="raise" targetRef="done"/><bpmn:endEvent id="done"/>`,
  'itsm:recordType="audit"',
).replace('<bpmn:process', '<bpmn:message id="Msg_RaiseNc" name="raise-nonconformity" itsm:correlationKey="${recordNumber}"/>\n<bpmn:process');

interface Task { id: string; elementId: string; name: string | null; assignee: string | null; candidateGroups: string[]; formId: string | null }
interface HistoryEvent { type: string; elementId: string | null }
interface Link { direction: string }

/**
 * Nonconformity and corrective action (ISO/IEC 20000-1 10.1, ITSM_REFERENCE §3.8) from
 * processes/nonconformity, worked through the HTTP API by its roles with an injected clock:
 * quentin and quinn (SMS managers, group quality), olga (NC owner), quinn and adam (action
 * owners), vera (auditor, the independent verifier).
 */
describe('nonconformity and corrective action flow (processes/nonconformity)', () => {
  let db: TestDatabase;
  let t: ApiTestApp;
  const clock = new ManualClock();
  const suiteStart = clock.now().toISOString();

  const fire = () => t.app.get(Orchestrator).fireDueTimers('test-worker');
  const drain = () => t.app.get(Orchestrator).drainOutbox('test-worker');
  const openTasks = async (id: string) => (await t.as('auditor').get(`/api/tasks?instanceId=${id}&status=open`).expect(200)).body.items as Task[];
  const task = async (id: string, elementId: string) => {
    const found = (await openTasks(id)).find((x) => x.elementId === elementId);
    if (!found) throw new Error(`no open task ${elementId}: ${(await openTasks(id)).map((x) => x.elementId).join(', ')}`);
    return found;
  };
  const submit = (as: string, taskId: string, variables: Record<string, unknown>) => t.as(as).post(`/api/tasks/${taskId}/complete`).send({ variables });
  const complete = async (as: string, id: string, elementId: string, variables: Record<string, unknown>) => {
    const res = await submit(as, (await task(id, elementId)).id, variables);
    if (res.status !== 200) throw new Error(`${elementId} as ${as}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const instance = async (id: string) => (await t.as('auditor').get(`/api/instances/${id}`).expect(200)).body;
  const history = async (id: string) => (await t.as('auditor').get(`/api/instances/${id}/history`).expect(200)).body as HistoryEvent[];
  const record = async (number: string) => (await t.as('auditor').get(`/api/records/${number}`).expect(200)).body;
  const state = async (number: string) => (await record(number)).state as string;
  const reached = async (id: string) => (await history(id)).filter((e) => e.type === 'element.started').map((e) => e.elementId);

  /** The SMS manager raises a nonconformity by hand: the message an audit throws. */
  const raise = async (variables: Record<string, unknown> = {}) => {
    const res = await t.as('quentin').post('/api/messages').send({ name: 'raise-nonconformity', variables }).expect(200);
    expect(res.body.started).toEqual([expect.objectContaining({ definitionKey: 'nonconformity_capa', elementId: 'SE_NCRaised' })]);
    const id = res.body.started[0].instanceId as string;
    return { id, number: (await instance(id)).variables.recordNumber as string };
  };
  const recordNc = (id: string) => complete('quentin', id, 'UT_RecordNC', {
    title: 'Change records without a PIR', description: 'Three normal changes closed without a post-implementation review',
    requirementRef: 'ISO/IEC 20000-1 8.5.1.3', evidence: 'CHG0000012, CHG0000019, CHG0000023', ncSource: 'internal_audit',
  });
  const review = (id: string) => complete('quentin', id, 'UT_ReviewNC', { reviewDecision: 'valid', severity: 'minor', ncOwner: 'olga' });
  const correct = (id: string, caDecision: string, extra: Record<string, unknown> = {}) =>
    complete('olga', id, 'UT_Correction', { correction: 'PIRs held for the three changes', consequencesHandled: true, caDecision, ...extra });
  const plan = (id: string, actions: { action: string; owner: string }[]) => complete('olga', id, 'UT_PlanActions', { actions, observationPeriod: 'P30D' });

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db, { clock });
    await t.user({ username: 'quentin', roles: ['staff'], groups: ['quality'] });
    await t.user({ username: 'quinn', roles: ['staff'], groups: ['quality'] });
    await t.user({ username: 'olga', roles: ['staff'], groups: ['quality'] });
    await t.user({ username: 'adam', roles: ['staff'] });
    await t.user({ username: 'vera', roles: ['staff'], groups: ['auditors'] });
    let nc = t.as('admin').post('/api/definitions').attach('file', read('nonconformity', 'nonconformity_capa.bpmn'), 'nonconformity_capa.bpmn');
    for (const f of readdirSync(join(ROOT, 'nonconformity', 'forms'))) nc = nc.attach('forms', read('nonconformity', 'forms', f), f);
    const res = await nc;
    if (res.status !== 201) throw new Error(JSON.stringify(res.body, null, 1));
    expect(res.body).toMatchObject({ key: 'nonconformity_capa', version: 1 });
    expect(res.body.warnings ?? []).toEqual([]);
    await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(auditStub).expect(201);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('an audit finding raises an NC linked both ways; corrective actions in parallel per owner, a check after 30 days by an independent verifier, not effective: analysed again, then closed', async () => {
    // given: an audit whose finding throws raise-nonconformity
    const audit = (await t.as('vera').post('/api/instances').send({ definitionKey: 'audit_stub' }).expect(201)).body;
    const auditId = (audit.instance ?? audit).id as string;
    const aud = (await instance(auditId)).variables.recordNumber as string;
    expect(aud).toMatch(/^AUD\d{7}$/);
    await complete('vera', auditId, 'finding', {});
    expect((await t.as('auditor').get('/api/records?type=nc').expect(200)).body.total).toBe(0);
    await drain();
    const ncs = (await t.as('auditor').get('/api/records?type=nc').expect(200)).body;
    expect(ncs.total).toBe(1);
    const number = ncs.items[0].number as string;
    expect(number).toMatch(/^NC\d{7}$/);
    const id = (await record(number)).instances[0].id as string;
    expect((await instance(id)).variables.sourceRecord).toBe(aud);
    // then: the NC is linked to the audit, shown on both records
    expect(((await record(number)).links as Link[]).filter((l) => JSON.stringify(l).includes(aud))).toEqual([expect.objectContaining({ direction: 'incoming' })]);
    expect(((await record(aud)).links as Link[]).filter((l) => JSON.stringify(l).includes(number))).toEqual([expect.objectContaining({ direction: 'outgoing' })]);
    expect(await state(number)).toBe('recorded');
    expect(await task(id, 'UT_RecordNC')).toMatchObject({ candidateGroups: ['quality'], formId: 'nc-record' });

    await recordNc(id);
    expect(await state(number)).toBe('under review');
    await review(id);
    expect(await task(id, 'UT_Correction')).toMatchObject({ assignee: 'olga', formId: 'nc-correction' });
    expect(await state(number)).toBe('correction');
    await correct(id, 'corrective_action_required');
    expect(await state(number)).toBe('root cause');
    await complete('olga', id, 'UT_RootCause', { rootCauseMethod: 'five_whys', rootCause: 'The change template has no PIR step' });
    expect(await state(number)).toBe('action plan');

    // when: two actions with two owners: two parallel tasks, each assigned to its owner
    await plan(id, [{ action: 'Add a PIR step to the change template', owner: 'quinn' }, { action: 'Train the change managers', owner: 'adam' }]);
    const actions = await openTasks(id);
    expect(actions.map((x) => [x.elementId, x.assignee, x.name]).sort()).toEqual([
      ['MI_UT_ImplementAction', 'adam', 'Implement: Train the change managers'],
      ['MI_UT_ImplementAction', 'quinn', 'Implement: Add a PIR step to the change template'],
    ]);
    expect(await state(number)).toBe('implementing');
    expect((await instance(id)).variables.actionOwners).toEqual(['quinn', 'adam']);
    const byOwner = (who: string) => actions.find((x) => x.assignee === who)!.id;
    // adam may not complete quinn's action (he does not even see it)
    expect((await submit('adam', byOwner('quinn'), { actionEvidence: 'done' })).status).toBe(404);
    await submit('quinn', byOwner('quinn'), { actionEvidence: 'Template v4 with a PIR step' }).expect(200);
    expect((await openTasks(id)).map((x) => x.assignee)).toEqual(['adam']);
    await submit('adam', byOwner('adam'), { actionEvidence: 'Session held on 3 March' }).expect(200);

    // then: the observation period (timer P30D) before the effectiveness check
    expect(await state(number)).toBe('observation');
    clock.advance(30 * DAY - HOUR);
    await fire();
    expect(await openTasks(id)).toEqual([]);
    clock.advance(2 * HOUR);
    await fire();
    const verify = await task(id, 'UT_VerifyEffectiveness');
    expect(verify.candidateGroups.sort()).toEqual(['auditors', 'quality']);
    expect(await state(number)).toBe('verifying');

    // when: an action owner (quinn, also an SMS manager) or the NC owner verifies: refused (segregation of duties), nothing changes
    for (const who of ['quinn', 'olga']) {
      const refused = await submit(who, verify.id, { effectiveness: 'effective', verificationNotes: 'my own action works' });
      expect(refused.status).toBe(403);
      expect(refused.body.rule).toBe('segregation-of-duties');
    }
    expect((await openTasks(id)).map((x) => x.id)).toEqual([verify.id]);
    expect((await instance(id)).variables.effectiveness).toBeUndefined();

    // when: vera finds it not effective: back to the root cause, not effective at the first check
    await submit('vera', verify.id, { effectiveness: 'not_effective', verificationMethod: 're-sample', verificationNotes: 'Two new changes without PIR' }).expect(200);
    expect((await instance(id)).variables).toMatchObject({ iteration: 1, effectiveAtFirstCheck: false });
    expect((await openTasks(id)).map((x) => x.elementId)).toEqual(['UT_RootCause']);
    expect(await state(number)).toBe('root cause');
    await complete('olga', id, 'UT_RootCause', { rootCauseMethod: 'fishbone', rootCause: 'The tool lets a change close without the PIR' });
    await plan(id, [{ action: 'Make the PIR mandatory in the tool', owner: 'adam' }]);
    await complete('adam', id, 'MI_UT_ImplementAction', { actionEvidence: 'Workflow rule deployed' });
    clock.advance(30 * DAY + MINUTE);
    await fire();
    // quinn is no longer an action owner: she may verify this time
    await complete('quinn', id, 'UT_VerifyEffectiveness', { effectiveness: 'effective', verificationNotes: 'No change closed without a PIR since' });
    expect((await instance(id)).variables).toMatchObject({ iteration: 2, effectiveAtFirstCheck: false, actionOwners: ['adam'] });
    expect(await state(number)).toBe('closing');
    await complete('quentin', id, 'UT_CloseNC', { closureNotes: 'Closed after the second check', riskRegisterUpdated: true });
    expect((await instance(id)).status).toBe('completed');
    expect(await state(number)).toBe('closed');
    expect((await reached(id)).filter((e) => e === 'UT_RootCause')).toHaveLength(2);
  });

  it('raised by hand with a sourceRecord; a correction alone suffices: verified at once (no observation period), effective at the first check, closed', async () => {
    const { id, number } = await raise({ sourceRecord: 'NC0000001' });
    expect(((await record(number)).links as Link[]).filter((l) => JSON.stringify(l).includes('NC0000001'))).toEqual([expect.objectContaining({ direction: 'incoming' })]);
    await recordNc(id);
    await review(id);
    await correct(id, 'correction_sufficient', { caJustification: 'Isolated case, the template is right' });
    // the NC owner may not verify her own correction
    const verify = await task(id, 'UT_VerifyEffectiveness');
    expect((await submit('olga', verify.id, { effectiveness: 'effective', verificationNotes: 'fine' })).status).toBe(403);
    await submit('quinn', verify.id, { effectiveness: 'effective', verificationNotes: 'Re-sampled 10 changes: all with PIR' }).expect(200);
    expect((await instance(id)).variables).toMatchObject({ iteration: 1, effectiveAtFirstCheck: true });
    await complete('quentin', id, 'UT_CloseNC', { closureNotes: 'Closed' });
    expect(await state(number)).toBe('closed');
    const path = await reached(id);
    expect(path).not.toContain('UT_RootCause');
    expect(path).not.toContain('ICE_EffectivenessWait');
  });

  it('a nonconformity found invalid at review is rejected with a reason', async () => {
    const { id, number } = await raise();
    await recordNc(id);
    await complete('quentin', id, 'UT_ReviewNC', { reviewDecision: 'rejected', rejectionReason: 'The requirement does not apply to this service' });
    expect((await instance(id)).status).toBe('completed');
    expect(await state(number)).toBe('rejected');
    expect(await reached(id)).not.toContain('UT_Correction');
  });

  it('refuses a bad form value with 422 naming the field, and nothing changes', async () => {
    const { id, number } = await raise();
    await recordNc(id);
    const rev = await task(id, 'UT_ReviewNC');
    const bad = await submit('quentin', rev.id, { reviewDecision: 'valid', severity: 'critical', ncOwner: 'olga' }).expect(422);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['severity']);
    expect((await openTasks(id)).map((x) => x.id)).toEqual([rev.id]);
    expect((await instance(id)).variables.severity).toBeUndefined();
    expect(await state(number)).toBe('under review');
    await review(id);
    await correct(id, 'corrective_action_required');
    await complete('olga', id, 'UT_RootCause', { rootCauseMethod: 'other', rootCause: 'x' });
    // a plan whose action has no owner: the list item is named
    const planTask = await task(id, 'UT_PlanActions');
    const noOwner = await submit('olga', planTask.id, { actions: [{ action: 'Fix it' }], observationPeriod: 'P30D' }).expect(422);
    expect(noOwner.body.errors.map((e: { field: string }) => e.field)).toEqual(['actions[0].owner']);
    expect((await openTasks(id)).map((x) => x.id)).toEqual([planTask.id]);
    // a plan without any action (a form cannot require list items): planned again, no observation period starts
    await submit('olga', planTask.id, { actions: [], observationPeriod: 'P30D' }).expect(200);
    const again = await task(id, 'UT_PlanActions');
    expect(again.id).not.toBe(planTask.id);
    expect(await state(number)).toBe('action plan');
    expect(await reached(id)).not.toContain('MI_UT_ImplementAction');
  });

  it('KPIs: nonconformity closure time and the share effective at the first check', async () => {
    const to = new Date(clock.now().getTime() + HOUR).toISOString();
    const kpis = (await t.as('auditor').get(`/api/kpis?flow=nc&from=${suiteStart}&to=${to}`).expect(200)).body;
    // two NCs closed after a verification: the first (not effective at the first check) and the second (effective)
    expect(kpis.nc.effectiveAtFirstCheck).toEqual({ count: 1, total: 2, pct: 50 });
    // closure time: three NCs ended in the window (the rejected one counts, the one left open does not): the
    // first took the two observation periods (60 days, 1 hour and 1 minute of clock), the others no clock time
    expect(kpis.nc.closed).toBe(3);
    expect(Math.abs(kpis.nc.avgClosureMs - (60 * DAY + HOUR + MINUTE) / 3)).toBeLessThan(5_000);
  });
});
