import { setStallTimeout, type ServiceHandler } from '../../engine';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { createTestApp, type ApiTestApp } from '../support/test-app';
import { bpmn } from '../support/bpmn';

/** `${never}`: a handler that never answers, so the engine run never settles. */
const never: ServiceHandler = { name: 'never', description: 'test handler: never answers', run: () => new Promise(() => undefined) };

/** start → A (user task) → call (service task, never answers) → end */
const stuck = bpmn(
  'stuck-after-a',
  [
    '<bpmn:startEvent id="start"/>',
    '<bpmn:userTask id="A" name="A" camunda:candidateGroups="servicedesk"/>',
    '<bpmn:serviceTask id="call" camunda:delegateExpression="${never}"/>',
    '<bpmn:endEvent id="end"/>',
    '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="A"/>',
    '<bpmn:sequenceFlow id="f2" sourceRef="A" targetRef="call"/>',
    '<bpmn:sequenceFlow id="f3" sourceRef="call" targetRef="end"/>',
  ].join('\n'),
);

describe('a command whose engine run never settles (HTTP, PostgreSQL)', () => {
  let db: TestDatabase;
  let t: ApiTestApp;
  let previous: number;

  beforeAll(async () => {
    previous = setStallTimeout(300);
    db = await createTestDatabase();
    t = await createTestApp(db, { handlers: [never] });
  });
  afterAll(async () => {
    setStallTimeout(previous);
    await t?.close();
    await db?.drop();
  });

  it('answers 500 ENGINE_STALLED naming the instance and commits nothing', async () => {
    await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(stuck).expect(201);
    const { id } = (await t.as('alice').post('/api/instances').send({ definitionKey: 'stuck-after-a' }).expect(201)).body.instance as { id: string };
    const before = (await t.as('auditor').get(`/api/instances/${id}`)).body;
    const historyBefore = (await t.as('auditor').get(`/api/instances/${id}/history`)).body as unknown[];
    const [task] = (await t.as('auditor').get(`/api/tasks?instanceId=${id}&status=open`)).body.items as { id: string; elementId: string }[];
    expect(task.elementId).toBe('A');

    const res = await t.as('alice').post(`/api/tasks/${task.id}/complete`).send({ variables: { x: 1 } });
    expect(res.status).toBe(500);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body.code).toBe('ENGINE_STALLED');
    expect(res.body.detail).toContain(`instance ${id}`);
    expect(res.body.instanceId).toBe(id);

    // Nothing was committed: the task is still open, the instance and its history are unchanged.
    const open = (await t.as('auditor').get(`/api/tasks?instanceId=${id}&status=open`)).body.items as { id: string }[];
    expect(open.map((x) => x.id)).toEqual([task.id]);
    const after = (await t.as('auditor').get(`/api/instances/${id}`)).body;
    expect(after.status).toBe('running');
    expect(after).toEqual(before);
    expect(historyBefore.length).toBeGreaterThan(0);
    expect((await t.as('auditor').get(`/api/instances/${id}/history`)).body).toEqual(historyBefore);
  });
});
