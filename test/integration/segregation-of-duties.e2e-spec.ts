import { Logger } from '@nestjs/common';
import { bpmn } from '../support/bpmn';
import { createTestApp, type ApiTestApp } from '../support/test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * A change: its requester (staff) raises it; the change advisory board approves it. Requester
 * and approver are both CAB members, but `itsm:excludeUsersIn="initiator"` keeps the requester
 * from approving their own change; `itsm:excludePerformersOf="implement"` keeps the implementer
 * from signing off their own work.
 */
const change = bpmn(
  'change',
  `<bpmn:startEvent id="raised"/><bpmn:sequenceFlow id="f1" sourceRef="raised" targetRef="approve"/>
   <bpmn:userTask id="approve" name="CAB approval" camunda:candidateGroups="cab" itsm:excludeUsersIn="initiator"/>
   <bpmn:sequenceFlow id="f2" sourceRef="approve" targetRef="implement"/>
   <bpmn:userTask id="implement" name="Implement change" camunda:candidateGroups="cab"/>
   <bpmn:sequenceFlow id="f3" sourceRef="implement" targetRef="review"/>
   <bpmn:userTask id="review" name="Post-implementation review" camunda:candidateGroups="cab" itsm:excludePerformersOf="implement"/>
   <bpmn:sequenceFlow id="f4" sourceRef="review" targetRef="closed"/><bpmn:endEvent id="closed"/>`,
);

describe('segregation of duties (HTTP, real database)', () => {
  let db: TestDatabase;
  let t: ApiTestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db, {
      users: [
        { username: 'admin', roles: ['admin'] },
        { username: 'requester', roles: ['staff'], groups: ['cab'] },
        { username: 'approver', roles: ['staff'], groups: ['cab'] },
        { username: 'auditor', roles: ['auditor'] },
      ],
    });
    await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(change).expect(201);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  async function raise(): Promise<{ instance: string; approval: string }> {
    const res = await t.as('requester').post('/api/instances').send({ definitionKey: 'change', businessKey: 'CHG-1', variables: { summary: 'upgrade the mail gateway' } }).expect(201);
    return { instance: res.body.instance.id, approval: res.body.tasks[0].id };
  }

  it('refuses the requester approving their own change with 403 naming the rule; another approver can', async () => {
    // given: a change raised by the requester, its approval offered to the CAB (both of them)
    const { instance, approval } = await raise();
    const warn = jest.spyOn(Logger.prototype, 'warn');
    expect((await t.as('requester').get(`/api/tasks/${approval}`)).status).toBe(200); // visible: a CAB task of their change

    // when: the requester claims, then completes it
    const claim = await t.as('requester').post(`/api/tasks/${approval}/claim`);
    const complete = await t.as('requester').post(`/api/tasks/${approval}/complete`).send({ variables: { approved: true } });

    // then: refused, with a reason naming segregation of duties, and logged
    for (const res of [claim, complete]) {
      expect(res.status).toBe(403);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body).toMatchObject({ code: 'FORBIDDEN', rule: 'segregation-of-duties', variable: 'initiator' });
      expect(res.body.detail).toMatch(/segregation of duties: requester is the initiator of this instance and may not perform "CAB approval"/);
    }
    expect(warn).toHaveBeenCalledWith(
      expect.objectContaining({ msg: 'access denied', user: 'requester', route: `POST /api/tasks/${approval}/claim`, rule: 'segregation-of-duties', reason: expect.stringContaining('segregation of duties'), status: 403 }),
    );
    warn.mockRestore();
    expect((await t.as('requester').get(`/api/tasks/${approval}`)).body).toMatchObject({ status: 'open', assignee: null });

    // when: another approver claims and approves
    await t.as('approver').post(`/api/tasks/${approval}/claim`).expect(200);
    const approved = await t.as('approver').post(`/api/tasks/${approval}/complete`).send({ variables: { approved: true } });

    // then
    expect(approved.status).toBe(200);
    expect(approved.body.tasks.map((x: { elementId: string }) => x.elementId)).toEqual(['implement']);
    const history = (await t.as('auditor').get(`/api/instances/${instance}/history`)).body as { type: string; elementId: string; actor: string }[];
    expect(history.find((e) => e.type === 'task.completed' && e.elementId === 'approve')?.actor).toBe('approver');
  });

  it('keeps the implementer from reviewing their own implementation, also when an administrator assigns it', async () => {
    // given: approved by the approver, implemented by the requester
    const { instance, approval } = await raise();
    const implement = (await t.as('approver').post(`/api/tasks/${approval}/complete`).send({ variables: { approved: true } }).expect(200)).body.tasks[0].id;
    const review = (await t.as('requester').post(`/api/tasks/${implement}/complete`).send({ variables: { done: true } }).expect(200)).body.tasks[0].id;

    // when
    const byImplementer = await t.as('requester').post(`/api/tasks/${review}/complete`).send({});
    const assignedToImplementer = await t.as('admin').post(`/api/tasks/${review}/assign`).send({ assignee: 'requester' });

    // then
    for (const res of [byImplementer, assignedToImplementer]) {
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ rule: 'segregation-of-duties', excludedBy: 'performer', elementId: 'implement' });
      expect(res.body.detail).toMatch(/requester performed "Implement change" \(implement\)/);
    }
    await t.as('admin').post(`/api/tasks/${review}/assign`).send({ assignee: 'approver' }).expect(200);
    const closed = await t.as('approver').post(`/api/tasks/${review}/complete`).send({});
    expect(closed.status).toBe(200);
    expect(closed.body.instance.status).toBe('completed');
    const history = (await t.as('auditor').get(`/api/instances/${instance}/history`)).body as { type: string; actor: string; payload: { assignee?: string } }[];
    expect(history.find((e) => e.type === 'task.assigned')).toMatchObject({ actor: 'admin', payload: { assignee: 'approver' } });
  });
});
