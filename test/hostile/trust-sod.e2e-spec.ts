import { bpmn } from '../support/bpmn';
import { createTestApp, type ApiTestApp } from '../support/test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * Issue 10, part 4: segregation of duties binds to facts the requester cannot rewrite. The
 * change names its requester in a variable; the requester fills in an earlier task of the same
 * change and rewrites `requester` there, then tries to approve their own change.
 */
const change = bpmn(
  'sod_change',
  `<bpmn:startEvent id="raised"/><bpmn:sequenceFlow id="f1" sourceRef="raised" targetRef="details"/>
   <bpmn:userTask id="details" name="Complete the details" camunda:candidateGroups="cab"/>
   <bpmn:sequenceFlow id="f2" sourceRef="details" targetRef="approve"/>
   <bpmn:userTask id="approve" name="Approve change" camunda:candidateGroups="cab" itsm:excludeUsersIn="requester"/>
   <bpmn:sequenceFlow id="f3" sourceRef="approve" targetRef="closed"/><bpmn:endEvent id="closed"/>`,
);

/** The requester is named by a form field of the first task (as nonconformity owners are), then rewritten by a later one. */
const named = bpmn(
  'sod_named',
  `<bpmn:startEvent id="raised"/><bpmn:sequenceFlow id="f1" sourceRef="raised" targetRef="register"/>
   <bpmn:userTask id="register" name="Register" camunda:candidateGroups="cab"/>
   <bpmn:sequenceFlow id="f2" sourceRef="register" targetRef="edit"/>
   <bpmn:userTask id="edit" name="Edit" camunda:candidateGroups="cab"/>
   <bpmn:sequenceFlow id="f3" sourceRef="edit" targetRef="approve"/>
   <bpmn:userTask id="approve" name="Approve" camunda:candidateGroups="cab" itsm:excludeUsersIn="owner"/>
   <bpmn:sequenceFlow id="f4" sourceRef="approve" targetRef="closed"/><bpmn:endEvent id="closed"/>`,
);

describe('hostile: segregation of duties against a rewritten variable (HTTP, real database)', () => {
  let db: TestDatabase;
  let t: ApiTestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db, {
      users: [
        { username: 'admin', roles: ['admin'] },
        { username: 'mallory', roles: ['staff'], groups: ['cab'] },
        { username: 'approver', roles: ['staff'], groups: ['cab'] },
        { username: 'somebody-else', roles: ['staff'], groups: ['cab'] },
      ],
    });
    for (const xml of [change, named]) await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(xml).expect(201);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('refuses the requester who rewrote {"requester"} in an earlier task: 403 on claim and on completion', async () => {
    // given: mallory raises a change naming herself as requester
    const started = await t.as('mallory').post('/api/instances').send({ definitionKey: 'sod_change', variables: { requester: 'mallory' } }).expect(201);
    const details = started.body.tasks[0].id;

    // when: she completes the earlier task with {"requester":"somebody-else"} (the bypass of issue 10)
    const next = await t.as('mallory').post(`/api/tasks/${details}/complete`).send({ variables: { requester: 'somebody-else' } }).expect(200);
    const approval = next.body.tasks[0].id;
    expect(next.body.instance.variables.requester).toBe('somebody-else');
    const claim = await t.as('mallory').post(`/api/tasks/${approval}/claim`);
    const complete = await t.as('mallory').post(`/api/tasks/${approval}/complete`).send({ variables: { approved: true } });

    // then: refused, naming the rule and the variable; the task stays open
    for (const res of [claim, complete]) {
      expect(res.status).toBe(403);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body).toMatchObject({ rule: 'segregation-of-duties', excludedBy: 'variable', variable: 'requester' });
      expect(res.body.detail).toMatch(/mallory was the requester of this instance and may not perform "Approve change"/);
    }
    expect((await t.as('approver').get(`/api/tasks/${approval}`)).body).toMatchObject({ status: 'open', assignee: null });

    // and: an administrator cannot assign it to her either; an independent approver can approve
    expect((await t.as('admin').post(`/api/tasks/${approval}/assign`).send({ assignee: 'mallory' })).status).toBe(403);
    const approved = await t.as('approver').post(`/api/tasks/${approval}/complete`).send({ variables: { approved: true } });
    expect(approved.status).toBe(200);
    expect(approved.body.instance.status).toBe('completed');
  });

  it('keeps a name set by a task submission excluded after a later submission replaces it', async () => {
    // given: the register task names mallory as owner; mallory then edits the owner away
    const started = await t.as('approver').post('/api/instances').send({ definitionKey: 'sod_named' }).expect(201);
    const edit = (await t.as('approver').post(`/api/tasks/${started.body.tasks[0].id}/complete`).send({ variables: { owner: 'mallory' } }).expect(200)).body.tasks[0].id;
    const approval = (await t.as('mallory').post(`/api/tasks/${edit}/complete`).send({ variables: { owner: ['somebody-else'] } }).expect(200)).body.tasks[0].id;

    // when / then: both names stay excluded (names accumulate), the approver is not
    const byMallory = await t.as('mallory').post(`/api/tasks/${approval}/complete`).send({});
    expect(byMallory.status).toBe(403);
    expect(byMallory.body).toMatchObject({ rule: 'segregation-of-duties', variable: 'owner' });
    expect((await t.as('somebody-else').post(`/api/tasks/${approval}/claim`)).status).toBe(403);
    expect((await t.as('approver').post(`/api/tasks/${approval}/complete`).send({})).status).toBe(200);
  });
});
