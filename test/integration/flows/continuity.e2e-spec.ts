import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock, Orchestrator } from '../../../engine';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';
import { createTestApp, type ApiTestApp } from '../../support/test-app';

const ROOT = join(__dirname, '../../../processes/continuity');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const read = (...p: string[]) => readFileSync(join(ROOT, ...p));
const forms = (prefix: string) => readdirSync(join(ROOT, 'forms')).filter((f) => f.startsWith(prefix)).map((f) => [f, read('forms', f)] as const);
const TEST_FORMS = 'bct-test-';
const INVOCATION_FORMS = ['bct-invoke-', 'bct-recover-', 'bct-restore-', 'bct-return-', 'bct-invocation-'];

interface Task { id: string; elementId: string; candidateGroups: string[]; formId: string | null }
interface HistoryEvent { type: string; elementId: string | null; payload: Record<string, unknown> }
interface Timer { definitionId: string; elementId: string; spec: string; dueAt: string }

/**
 * Service continuity (ISO/IEC 20000-1 8.7.2, ITSM_REFERENCE §3.6) from processes/continuity: the
 * yearly plan test (a timer start) and the invocation (message start), worked through the HTTP API
 * by their roles (cora: continuity managers, rick: recovery teams) with an injected clock.
 */
describe('service continuity flows (processes/continuity)', () => {
  let db: TestDatabase;
  let t: ApiTestApp;
  const clock = new ManualClock();
  let testDefinitionId: string;

  const fire = () => t.app.get(Orchestrator).fireDueTimers('test-worker');
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
  const startSchedule = async () => (await t.as('auditor').get('/api/timers?definitionKey=continuity_test&kind=start').expect(200)).body.items as Timer[];
  const testInstances = async () => (await t.as('auditor').get('/api/instances?key=continuity_test').expect(200)).body.items as { id: string }[];
  const outbox = (name: string) => t.sql.query(`SELECT name, correlation_key FROM message_outbox WHERE name = $1`, [name]);

  /** The yearly start timer comes due: exactly one new test instance; returns it with its record number. */
  const yearPasses = async () => {
    const [due] = await startSchedule();
    const before = (await testInstances()).map((i) => i.id);
    clock.advance(new Date(due.dueAt).getTime() - clock.now().getTime() - HOUR);
    await fire();
    expect((await testInstances()).length).toBe(before.length); // not before its time
    clock.advance(2 * HOUR);
    await fire();
    const fresh = (await testInstances()).filter((i) => !before.includes(i.id));
    expect(fresh).toHaveLength(1);
    const id = fresh[0].id;
    return { id, number: (await instance(id)).variables.recordNumber as string };
  };
  const testDate = () => new Date(clock.now().getTime() + 14 * DAY).toISOString();
  const fillPlan = (id: string, v: Record<string, unknown> = {}) => complete('cora', id, 'UT_PlanTest', {
    title: 'Yearly failover of the mail service', services: 'mail, calendar', testType: 'parallel', testDate: testDate(),
    scenario: 'Primary data centre lost; fail over to the secondary site', rtoMinutes: 240, rpoMinutes: 15, ...v,
  });
  /** Plans the test two weeks ahead; the recovery teams get the execution task on the test date. */
  const plan = async (id: string, v: Record<string, unknown> = {}) => {
    await fillPlan(id, v);
    clock.advance(14 * DAY + MINUTE);
    await fire();
  };
  const execute = (id: string, v: Record<string, unknown> = {}) =>
    complete('rick', id, 'UT_ExecuteTest', { achievedRtoMinutes: 180, achievedRpoMinutes: 10, stepsFailed: 0, executionNotes: 'All runbook steps done', ...v });
  const review = (id: string, deficiencies: boolean) => complete('cora', id, 'UT_ReviewTest', { findings: 'Contact list was current', deficiencies });
  const report = (id: string) => complete('cora', id, 'UT_ReportResults', { reportSummary: 'Results sent to the SMS manager', reportedTo: 'management' });

  /** A continuity manager raises an invocation by hand: the message a major incident throws. */
  const invoke = async () => {
    const res = await t.as('cora').post('/api/messages').send({ name: 'continuity-invoke', variables: {} }).expect(200);
    expect(res.body.started).toEqual([expect.objectContaining({ definitionKey: 'continuity_invocation', elementId: 'SE_InvocationRequested' })]);
    const id = res.body.started[0].instanceId as string;
    return { id, number: (await instance(id)).variables.recordNumber as string };
  };
  const decide = (id: string, invokePlan: boolean) =>
    complete('cora', id, 'UT_DecideInvocation', { title: 'Primary data centre flooded', services: 'mail, ERP', invoke: invokePlan, rationale: 'Criterion a) met: site unusable > 4 h' });
  const recoverToReview = async (id: string) => {
    await complete('cora', id, 'UT_InvokePlan', { contactsNotified: true, availabilityTarget: 95 });
    // both recovery tasks open at once, in the recovery teams' queue
    const parallel = (await openTasks(id)).map((x) => [x.elementId, x.candidateGroups]).sort();
    expect(parallel).toEqual([['UT_RecoverInfrastructure', ['recovery-teams']], ['UT_RestoreData', ['recovery-teams']]]);
    await complete('rick', id, 'UT_RestoreData', { dataLossMinutes: 5, restoreNotes: 'Restored from the 02:00 replica' });
    expect((await openTasks(id)).map((x) => x.elementId)).toEqual(['UT_RecoverInfrastructure']); // the join waits for both
    await complete('rick', id, 'UT_RecoverInfrastructure', { recoveryNotes: 'Services started on the secondary site' });
    await complete('rick', id, 'UT_ReturnToNormal', { returnNotes: 'Moved back after the repair', changeNumber: 'CHG0000042' });
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db, { clock });
    await t.user({ username: 'cora', roles: ['staff'], groups: ['continuity-managers'] });
    await t.user({ username: 'rick', roles: ['staff'], groups: ['recovery-teams'] });
    for (const [file, prefixes] of [['continuity_test.bpmn', [TEST_FORMS]], ['continuity_invocation.bpmn', INVOCATION_FORMS]] as const) {
      let req = t.as('admin').post('/api/definitions').attach('file', read(file), file);
      for (const prefix of prefixes) for (const [name, content] of forms(prefix)) req = req.attach('forms', content, name);
      const res = await req;
      if (res.status !== 201) throw new Error(JSON.stringify(res.body, null, 1));
      expect(res.body).toMatchObject({ key: file.replace('.bpmn', ''), version: 1 });
      expect(res.body.warnings ?? []).toEqual([]);
      if (file === 'continuity_test.bpmn') testDefinitionId = res.body.id;
    }
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('deploys the yearly test schedule: the start timer is due a year after deployment', async () => {
    const schedule = await startSchedule();
    expect(schedule).toEqual([expect.objectContaining({ definitionId: testDefinitionId, elementId: 'SE_TestDue', spec: 'R/P1Y' })]);
    const inDays = (new Date(schedule[0].dueAt).getTime() - clock.now().getTime()) / DAY;
    expect(inDays).toBeGreaterThan(364);
    expect(inDays).toBeLessThan(367);
  });

  it('test passed: the yearly timer starts it; planned, executed within RTO and RPO, reviewed without deficiencies, reported', async () => {
    const { id, number } = await yearPasses();
    const startedAt = clock.now().getTime();
    expect(number).toMatch(/^BCT\d{7}$/);
    expect((await record(number)).state).toBe('planned');
    expect(await task(id, 'UT_PlanTest')).toMatchObject({ candidateGroups: ['continuity-managers'], formId: 'bct-test-plan' });
    await fillPlan(id);
    // the test waits for its date
    const at = new Date((await instance(id)).variables.testDate).getTime();
    expect((await record(number)).state).toBe('scheduled');
    expect(await openTasks(id)).toEqual([]);
    clock.advance(at - clock.now().getTime() - HOUR);
    await fire();
    expect(await openTasks(id)).toEqual([]);
    clock.advance(2 * HOUR);
    await fire();
    expect(await task(id, 'UT_ExecuteTest')).toMatchObject({ candidateGroups: ['recovery-teams'], formId: 'bct-test-execute' });
    expect((await record(number)).state).toBe('in test');
    expect((await history(id)).filter((e) => e.type === 'timer.fired' && e.elementId === 'ICE_TestDate')).toHaveLength(1);
    await execute(id);
    expect((await record(number)).state).toBe('under review');
    await review(id, false);
    expect((await record(number)).state).toBe('reporting');
    await report(id);
    const done = await instance(id);
    expect(done.status).toBe('completed');
    expect(done.variables).toMatchObject({ rtoMet: true, rpoMet: true, objectivesMet: true, achievedRtoMinutes: 180, testType: 'parallel' });
    expect((await record(number)).state).toBe('passed');
    expect(await reached(id)).not.toContain('UT_DecideActions');
    expect(await reached(id)).toContain('EE_TestPassed');
    // the next test is scheduled a year after this one started
    const [next] = await startSchedule();
    const inDays = (new Date(next.dueAt).getTime() - startedAt) / DAY;
    expect(inDays).toBeGreaterThan(363);
    expect(inDays).toBeLessThan(367);
  });

  it('objectives missed: re-test loops back to planning; deficiencies then raise a corrective action; reported as failed', async () => {
    const { id, number } = await yearPasses();
    await plan(id, { rtoMinutes: 60 });
    await execute(id, { achievedRtoMinutes: 90 }); // RTO missed
    expect((await instance(id)).variables).toMatchObject({ rtoMet: false, rpoMet: true });
    await review(id, false);
    expect((await instance(id)).variables.objectivesMet).toBe(false);
    expect(await task(id, 'UT_DecideActions')).toMatchObject({ formId: 'bct-test-actions' });
    expect((await record(number)).state).toBe('actions');
    await complete('cora', id, 'UT_DecideActions', { action: 'retest', actionPlan: 'Pre-stage the database replica, then test again' });
    // back to planning
    expect((await openTasks(id)).map((x) => x.elementId)).toEqual(['UT_PlanTest']);
    expect((await record(number)).state).toBe('planned');
    expect(await outbox('raise-nonconformity')).toEqual([]);
    await plan(id, { rtoMinutes: 60 });
    await execute(id, { achievedRtoMinutes: 45 }); // objectives met this time, but the review finds a deficiency
    await review(id, true);
    expect((await instance(id)).variables.objectivesMet).toBe(false);
    await complete('cora', id, 'UT_DecideActions', { action: 'corrective_action', actionPlan: 'Two phone numbers in the contact list were wrong' });
    expect(await outbox('raise-nonconformity')).toEqual([{ name: 'raise-nonconformity', correlation_key: number }]);
    await report(id);
    expect((await instance(id)).status).toBe('completed');
    expect((await record(number)).state).toBe('failed');
    const started = await reached(id);
    expect(started.filter((e) => e === 'UT_PlanTest')).toHaveLength(2);
    expect(started).toContain('EE_TestFailed');
    expect(started).not.toContain('EE_TestPassed');
  });

  it('refuses a bad test result or test type with 422 naming the field, and nothing changes', async () => {
    const { id } = await yearPasses();
    const planTask = await task(id, 'UT_PlanTest');
    const badPlan = await t.as('cora').post(`/api/tasks/${planTask.id}/complete`).send({ variables: {
      title: 'Failover', services: 'mail', testType: 'fire_drill', testDate: testDate(), scenario: 'Primary data centre lost', rtoMinutes: 240, rpoMinutes: 15,
    } }).expect(422);
    expect(badPlan.body.errors).toEqual([expect.objectContaining({ field: 'testType' })]);
    expect((await openTasks(id)).map((x) => x.id)).toEqual([planTask.id]);
    await plan(id);
    const exec = await task(id, 'UT_ExecuteTest');
    const bad = await t.as('rick').post(`/api/tasks/${exec.id}/complete`)
      .send({ variables: { achievedRtoMinutes: -5, achievedRpoMinutes: 10, stepsFailed: 0, executionNotes: 'All runbook steps done' } }).expect(422);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'achievedRtoMinutes' })]);
    expect((await openTasks(id)).map((x) => x.id)).toEqual([exec.id]);
    expect((await instance(id)).variables.achievedRtoMinutes).toBeUndefined();
  });

  it('invocation not decided: ends as not invoked with its rationale', async () => {
    const { id, number } = await invoke();
    expect(number).toMatch(/^BCT\d{7}$/);
    expect((await record(number)).state).toBe('assessing');
    expect(await task(id, 'UT_DecideInvocation')).toMatchObject({ candidateGroups: ['continuity-managers'], formId: 'bct-invoke-decide' });
    await decide(id, false);
    expect((await instance(id)).status).toBe('completed');
    expect((await record(number)).state).toBe('not invoked');
    expect((await instance(id)).variables.rationale).toContain('Criterion');
    expect(await reached(id)).not.toContain('UT_InvokePlan');
  });

  it('invocation: the plan is invoked, recovery runs in parallel, return to normal, review requests a re-test', async () => {
    const { id, number } = await invoke();
    await decide(id, true);
    expect((await record(number)).state).toBe('invoked');
    await recoverToReview(id);
    expect((await record(number)).state).toBe('under review');
    await complete('cora', id, 'UT_PostInvocationReview', { reviewNotes: 'Failover took longer than the RTO', deficiencies: true, retestRequired: true });
    expect(await outbox('continuity-retest')).toEqual([{ name: 'continuity-retest', correlation_key: number }]);
    expect((await instance(id)).status).toBe('completed');
    expect((await record(number)).state).toBe('closed');
    expect(await reached(id)).toContain('ITE_RequestRetest');
  });

  it('invocation: a review without a re-test closes it; a bad availability target answers 422 naming the field', async () => {
    const { id, number } = await invoke();
    await decide(id, true);
    const invokeTask = await task(id, 'UT_InvokePlan');
    const bad = await t.as('cora').post(`/api/tasks/${invokeTask.id}/complete`).send({ variables: { contactsNotified: true, availabilityTarget: 150 } }).expect(422);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'availabilityTarget' })]);
    expect((await openTasks(id)).map((x) => x.id)).toEqual([invokeTask.id]);
    expect((await record(number)).state).toBe('invoked');
    await recoverToReview(id);
    const retestsBefore = (await outbox('continuity-retest')).length;
    await complete('cora', id, 'UT_PostInvocationReview', { reviewNotes: 'Recovered within the targets', deficiencies: false, retestRequired: false });
    expect((await record(number)).state).toBe('closed');
    expect(await reached(id)).not.toContain('ITE_RequestRetest');
    expect(await outbox('continuity-retest')).toHaveLength(retestsBefore);
  });
});
