import { ManualClock } from '../../engine';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { createTestApp, type ApiTestApp } from '../support/test-app';
import { bpmn } from '../support/bpmn';

/**
 * Valid BPMN that other tools write and that the engine runs deploys (with warnings) instead of
 * being refused (issue 7, item 10): unassigned user tasks, prefixed QName references, resources.
 */
describe('deploy validation accepts valid BPMN the engine runs (HTTP API, PostgreSQL)', () => {
  let db: TestDatabase;
  let t: ApiTestApp;
  const clock = new ManualClock();

  const deploy = (xml: string) => t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(xml);
  const start = async (key: string, variables: Record<string, unknown> = {}) =>
    (await t.as('alice').post('/api/instances').send({ definitionKey: key, variables }).expect(201)).body;
  const instance = async (id: string) => (await t.as('auditor').get(`/api/instances/${id}`)).body;
  const openTasks = async (id: string, as = 'auditor') =>
    (await t.as(as).get(`/api/tasks?instanceId=${id}&status=open`)).body.items as { id: string; elementId: string; assignee: string | null }[];

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db, { clock });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('runs a user task without assignee or candidates: an administrator sees it and gives it to a staff user, who completes it', async () => {
    // Given a user task nobody is assigned to (valid BPMN)
    const deployed = await deploy(
      bpmn(
        'unassigned-work',
        `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
         <bpmn:userTask id="work" name="Do the work"/>
         <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end"/><bpmn:endEvent id="end"/>`,
      ),
    );
    // Then it deploys, with a warning naming the task
    expect(deployed.status).toBe(201);
    expect(deployed.body.warnings).toContainEqual(expect.objectContaining({ rule: 'user-task-unassigned', elementId: 'work' }));

    const started = await start('unassigned-work');
    // Staff do not see it; the administrator does
    expect(await openTasks(started.instance.id, 'alice')).toEqual([]);
    const [task] = await openTasks(started.instance.id, 'admin');
    expect(task).toMatchObject({ elementId: 'work', assignee: null });
    await t.as('alice').post(`/api/tasks/${task!.id}/complete`).send({ variables: {} }).expect(404);

    // When the administrator assigns it to alice, Then alice sees and completes it
    await t.as('admin').post(`/api/tasks/${task!.id}/assign`).send({ assignee: 'alice' }).expect(200);
    expect((await openTasks(started.instance.id, 'alice')).map((x) => x.elementId)).toEqual(['work']);
    await t.as('alice').post(`/api/tasks/${task!.id}/complete`).send({ variables: {} }).expect(200);
    expect((await instance(started.instance.id)).status).toBe('completed');
  });
  it('starts a process by a message its start event names with a prefixed QName (tns:id, as Flowable writes)', async () => {
    // Given flowable/encoding.bpmn's shape: default BPMN namespace, messageRef="tns:writeReport"
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<definitions id="definitions" xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" targetNamespace="Examples" xmlns:tns="Examples"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn">
  <message id="writeReport" name="newWriteReport" />
  <process id="qname-report" isExecutable="true">
    <startEvent id="theStart"><messageEventDefinition messageRef="tns:writeReport" /></startEvent>
    <sequenceFlow id="flow1" sourceRef="tns:theStart" targetRef="tns:writeReportTask" />
    <userTask id="writeReportTask" name="Write report" camunda:candidateGroups="servicedesk" />
    <sequenceFlow id="flow2" sourceRef="writeReportTask" targetRef="theEnd" />
    <endEvent id="theEnd" />
  </process>
</definitions>`;
    expect((await deploy(xml)).status).toBe(201);
    // When the message is sent, Then an instance starts and waits in the task
    const sent = await t.as('admin').post('/api/messages').send({ name: 'newWriteReport' });
    expect(sent.status).toBe(200);
    let items: { id: string }[] = [];
    for (let i = 0; i < 60 && !items.length; i++) {
      items = (await t.as('auditor').get('/api/instances?key=qname-report')).body.items;
      if (!items.length) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(items).toHaveLength(1);
    const [task] = await openTasks(items[0]!.id);
    expect(task).toMatchObject({ elementId: 'writeReportTask' });
    await t.as('alice').post(`/api/tasks/${task!.id}/complete`).send({ variables: {} }).expect(200);
    expect((await instance(items[0]!.id)).status).toBe('completed');
  });
  it('runs a process with Signavio resources and nameless message/signal throws to its end', async () => {
    // Given a top-level resource, a potentialOwner naming it, a signal throw and a message end
    // event that name nothing (valid BPMN)
    const xml = bpmn(
      'signavio-style',
      `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
       <bpmn:userTask id="work" name="Work" camunda:candidateGroups="servicedesk">
         <bpmn:potentialOwner id="owner"><bpmn:resourceRef>clerk</bpmn:resourceRef></bpmn:potentialOwner>
       </bpmn:userTask>
       <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="announce"/>
       <bpmn:intermediateThrowEvent id="announce"><bpmn:signalEventDefinition/></bpmn:intermediateThrowEvent>
       <bpmn:sequenceFlow id="f3" sourceRef="announce" targetRef="inform"/>
       <bpmn:endEvent id="inform"><bpmn:messageEventDefinition/></bpmn:endEvent>`,
    ).replace('<bpmn:process', '<bpmn:resource id="clerk" name="Clerk"/>\n<bpmn:process');
    const deployed = await deploy(xml);
    expect(deployed.status).toBe(201);
    expect(deployed.body.warnings.map((w: { rule: string }) => w.rule)).toEqual(expect.arrayContaining(['ignored-element', 'resource-role', 'nameless-signal-throw', 'nameless-message-throw']));

    // When its task is completed, Then the throws pass as none events and the instance completes
    const started = await start('signavio-style');
    await t.as('alice').post(`/api/tasks/${started.tasks[0].id}/complete`).send({ variables: {} }).expect(200);
    const done = await instance(started.instance.id);
    expect(done.status).toBe('completed');
    expect(await openTasks(started.instance.id)).toEqual([]);
    const history = (await t.as('auditor').get(`/api/instances/${started.instance.id}/history`)).body as { type: string; elementId: string }[];
    const passed = new Set(history.filter((e) => /completed|ended|left/.test(e.type)).map((e) => e.elementId));
    expect([...passed]).toEqual(expect.arrayContaining(['announce', 'inform']));
  });
});
