import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock, Orchestrator } from '../../../engine';
import { createTestApp, type ApiTestApp } from '../../support/test-app';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';

/**
 * Service request fulfilment (ISO/IEC 20000-1 8.6.2, ITSM_REFERENCE §3.2) through the HTTP API, as
 * the users of its roles: rita requests (she is also an approver, which segregation of duties must
 * neutralise on her own requests), amy approves, fred and fay fulfil. The request model of each
 * catalogue item comes from the decision table request-catalogue; the auto-close timer and the
 * fulfilment clock run on an injected clock.
 */
const DIR = join(__dirname, '..', '..', '..', 'processes', 'request');
const read = (...parts: string[]) => readFileSync(join(DIR, ...parts));
const FORMS = readdirSync(join(DIR, 'forms')).filter((f) => f.endsWith('.form'));
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

interface Task { id: string; elementId: string; name: string; assignee: string | null; status: string; instanceId: string; formId?: string | null }

describe('service request flow (processes/request)', () => {
  let db: TestDatabase;
  let t: ApiTestApp;
  const clock = new ManualClock();
  let t0: string;
  const tasks = async (instanceId: string) =>
    (await t.as('auditor').get(`/api/tasks?instanceId=${instanceId}&status=open`).expect(200)).body.items as Task[];
  const open = async (instanceId: string, elementId: string, count = 1) => {
    const list = await tasks(instanceId);
    expect(list.map((x) => x.elementId)).toEqual(Array(count).fill(elementId));
    return list;
  };
  const complete = (user: string, task: Task, variables: Record<string, unknown>) => t.as(user).post(`/api/tasks/${task.id}/complete`).send({ variables });
  const instance = async (id: string) => (await t.as('auditor').get(`/api/instances/${id}`).expect(200)).body;
  const record = async (number: string) => (await t.as('auditor').get(`/api/records/${number}`).expect(200)).body;
  const submit = async (catalogueItem: string, title: string, extra: Record<string, unknown> = {}) => {
    const res = await t.as('rita').post('/api/instances').send({
      definitionKey: 'service_request',
      variables: { catalogueItem, title, justification: 'needed for work', ...extra },
    }).expect(201);
    const id = res.body.instance.id as string;
    return { id, number: (await instance(id)).variables.recordNumber as string };
  };
  const fulfilAll = async (id: string, count: number) => {
    const list = await open(id, 'UT_FulfilTask', count);
    // each parallel task is worked by a member of the fulfilment group, in any order
    for (const [i, task] of list.reverse().entries()) await complete(i % 2 ? 'fay' : 'fred', task, { fulfilmentNotes: `done ${i}` }).expect(200);
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db, {
      clock,
      users: [
        { username: 'admin', roles: ['admin'] },
        { username: 'auditor', roles: ['auditor'] },
        { username: 'rita', roles: ['staff'], groups: ['request-approvers'] },
        { username: 'amy', roles: ['staff'], groups: ['request-approvers'] },
        { username: 'fred', roles: ['staff'], groups: ['fulfilment'] },
        { username: 'fay', roles: ['staff'], groups: ['fulfilment'] },
      ],
    });
    // the flow, its forms and its decision table in one multipart deployment
    let req = t.as('admin').post('/api/definitions').attach('file', read('service_request.bpmn'), 'service_request.bpmn');
    for (const f of FORMS) req = req.attach('forms', read('forms', f), f);
    req = req.attach('forms', read('decisions', 'request-catalogue.dmn'), 'request-catalogue.dmn');
    const res = await req;
    expect(res.status).toBe(201);
    expect(res.body.warnings ?? []).toEqual([]);
    t0 = new Date(clock.now().getTime() - MINUTE).toISOString();
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('an item without approval (password reset) goes straight to fulfilment; the requester confirms and the request closes within target', async () => {
    // given: rita tries to name amy as the initiator: not a field of the start form, refused (422 naming it, nothing started)
    const spoof = await t.as('rita').post('/api/instances').send({ definitionKey: 'service_request', variables: { catalogueItem: 'password-reset', title: 'Reset my password', initiator: 'amy' } }).expect(422);
    expect(spoof.body.errors).toEqual([expect.objectContaining({ field: 'initiator' })]);
    // rita requests a password reset: camunda:initiator is set from the signed-in user
    const { id, number } = await submit('password-reset', 'Reset my password');
    expect((await instance(id)).variables.initiator).toBe('rita');
    expect(number).toMatch(/^REQ\d{7}$/);

    // then: the request model came from the decision table; no approval; in fulfilment with one task
    expect((await instance(id)).variables.requestModel).toEqual({ needsApproval: false, fulfilmentTasks: ['reset password'], fulfilmentTarget: 'PT4H', calendar: 'business-hours' });
    expect((await record(number)).state).toBe('in fulfilment');
    const [task] = await open(id, 'UT_FulfilTask');
    expect(task.formId).toBe('request-fulfil');

    // when: fred fulfils it
    await complete('fred', task, { fulfilmentNotes: 'reset, temporary password sent' }).expect(200);

    // then: fulfilled (resolved: the fulfilment clock stops) and awaiting rita's confirmation
    const [confirm] = await open(id, 'UT_ConfirmFulfilment');
    expect(confirm.assignee).toBe('rita');
    const rec = await record(number);
    expect(rec.state).toBe('awaiting confirmation');
    expect(rec.resolvedAt).not.toBeNull();

    // when: rita confirms
    await complete('rita', confirm, { confirmation: 'accepted' }).expect(200);

    // then: closed
    expect((await instance(id)).status).toBe('completed');
    expect((await record(number)).state).toBe('closed');
    const states = (await record(number)).timeline.filter((e: { type: string }) => e.type === 'record.state.changed').map((e: { payload: { to: string } }) => e.payload.to);
    expect(states).toEqual(['in fulfilment', 'resolved', 'awaiting confirmation', 'closed']);
  });

  it('an item needing approval (laptop): the requester may not approve, a bad decision is a 422, another approver approves; the fulfilment tasks run in parallel; a rejected confirmation reopens; no answer auto-closes after 5 days', async () => {
    // given: rita requests a laptop: it needs approval
    const { id, number } = await submit('laptop', 'New laptop for the new starter');
    const [approval] = await open(id, 'UT_ApproveRequest');
    expect((await record(number)).state).toBe('awaiting approval');

    // when: rita (an approver too) approves her own request: refused, nothing changes
    const refused = await complete('rita', approval, { approvalDecision: 'approve' });
    expect(refused.status).toBe(403);
    expect(refused.body.rule).toBe('segregation-of-duties');

    // when: amy submits a decision that is not an option: 422 naming the field, nothing changes
    const bad = await complete('amy', approval, { approvalDecision: 'maybe' });
    expect(bad.status).toBe(422);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['approvalDecision']);
    await open(id, 'UT_ApproveRequest');
    expect((await instance(id)).variables.approvalDecision).toBeUndefined();
    expect((await record(number)).state).toBe('awaiting approval');

    // when: amy approves
    await complete('amy', approval, { approvalDecision: 'approve', approvalComment: 'budget ok' }).expect(200);

    // then: both fulfilment tasks of the item are open at once; the record is in fulfilment
    expect((await record(number)).state).toBe('in fulfilment');
    const parallel = await open(id, 'UT_FulfilTask', 2);
    // each names its fulfilment task from the request model
    expect(parallel.map((x) => x.name).sort()).toEqual(['Fulfil: image and hand over laptop', 'Fulfil: order hardware']);
    // completing one leaves the other open: no confirmation yet
    await complete('fred', parallel[0], { fulfilmentNotes: 'ordered' }).expect(200);
    await open(id, 'UT_FulfilTask', 1);
    expect((await record(number)).state).toBe('in fulfilment');

    // when: the second task is done 14 days later (well past the 40 business hours target)
    clock.advance(14 * DAY);
    await complete('fay', parallel[1], { fulfilmentNotes: 'handed over' }).expect(200);

    // then: awaiting confirmation; rita says it is not fulfilled: reopened, both tasks again
    const [confirm] = await open(id, 'UT_ConfirmFulfilment');
    await complete('rita', confirm, { confirmation: 'rejected', confirmationComment: 'no docking station' }).expect(200);
    expect((await instance(id)).variables.reopenCount).toBe(1);
    expect((await record(number)).state).toBe('in fulfilment');
    await fulfilAll(id, 2);

    // when: rita does not answer for 5 days
    await open(id, 'UT_ConfirmFulfilment');
    clock.advance(5 * DAY - MINUTE);
    await t.app.get(Orchestrator).fireDueTimers('test-worker');
    await open(id, 'UT_ConfirmFulfilment');
    clock.advance(2 * MINUTE);
    await t.app.get(Orchestrator).fireDueTimers('test-worker');

    // then: closed automatically; the confirmation task is cancelled; the target was missed
    expect((await instance(id)).status).toBe('completed');
    expect(await tasks(id)).toEqual([]);
    const rec = await record(number);
    expect(rec.state).toBe('closed');
    expect(rec.fields).toMatchObject({ approvalDecision: 'approve', reopenCount: 1 });
  });

  it('an approver rejects an access request: the request ends rejected without fulfilment', async () => {
    const { id, number } = await submit('access', 'Access to the payroll system');
    const [approval] = await open(id, 'UT_ApproveRequest');
    await complete('amy', approval, { approvalDecision: 'reject', approvalComment: 'not your role' }).expect(200);
    expect((await instance(id)).status).toBe('completed');
    expect(await tasks(id)).toEqual([]);
    expect((await record(number)).state).toBe('rejected');
  });

  it('an approval that nobody decides within 5 days expires: the request ends cancelled', async () => {
    const { id, number } = await submit('software', 'Diagram editor licence');
    await open(id, 'UT_ApproveRequest');
    clock.advance(5 * DAY - MINUTE);
    await t.app.get(Orchestrator).fireDueTimers('test-worker');
    await open(id, 'UT_ApproveRequest');
    clock.advance(2 * MINUTE);
    await t.app.get(Orchestrator).fireDueTimers('test-worker');
    expect((await instance(id)).status).toBe('completed');
    expect(await tasks(id)).toEqual([]);
    expect((await record(number)).state).toBe('cancelled');
  });

  it('KPI: fulfilment within target counts the requests whose fulfilment clock stopped: 1 of 2 (the rejected and the expired one are not measured)', async () => {
    const to = new Date(clock.now().getTime() + MINUTE).toISOString();
    const kpis = (await t.as('auditor').get(`/api/kpis?flow=request&from=${t0}&to=${to}`).expect(200)).body;
    expect(kpis.request).toEqual({ opened: 4, fulfilledWithinTarget: { count: 1, total: 2, pct: 50 } });
  });
});
