import { ManualClock, Orchestrator } from '../../engine';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { createTestApp, type ApiTestApp } from '../support/test-app';
import { bpmn } from '../support/bpmn';

const HOUR = 3_600_000;

/** start → one user task → end (or an error end event with code `errorCode`). */
const childWithTask = (key: string, taskId: string, errorCode?: string) =>
  bpmn(
    key,
    `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="${taskId}"/>
     <bpmn:userTask id="${taskId}" name="${taskId}" camunda:candidateGroups="servicedesk"/>
     <bpmn:sequenceFlow id="f2" sourceRef="${taskId}" targetRef="end"/>
     ${errorCode ? `<bpmn:endEvent id="end"><bpmn:errorEventDefinition errorRef="Err"/></bpmn:endEvent>` : '<bpmn:endEvent id="end"/>'}`,
  ).replace('<bpmn:process', errorCode ? `<bpmn:error id="Err" errorCode="${errorCode}"/>\n<bpmn:process` : '<bpmn:process');

/** start → call activity `call` (with `attrs` and `mappings`) → end; `extra` adds boundary events etc. */
const caller = (key: string, attrs: string, mappings = '', extra = '', before = '') =>
  bpmn(
    key,
    `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="call"/>
     <bpmn:callActivity id="call" name="Call" ${attrs}>${mappings ? `<bpmn:extensionElements>${mappings}</bpmn:extensionElements>` : ''}</bpmn:callActivity>
     <bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="end"/><bpmn:endEvent id="end"/>
     ${extra}`,
  ).replace('<bpmn:process', `${before}<bpmn:process`);

interface Event {
  type: string;
  elementId: string | null;
  payload: any;
}

describe('call activities', () => {
  let db: TestDatabase;
  let t: ApiTestApp;
  const clock = new ManualClock();
  const fire = () => t.app.get(Orchestrator).fireDueTimers('test-worker');
  const deploy = async (xml: string) => (await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(xml).expect(201)).body;
  const refused = async (xml: string) => (await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(xml).expect(422)).body;
  const start = async (key: string, variables: Record<string, unknown> = {}, businessKey?: string) =>
    (await t.as('alice').post('/api/instances').send({ definitionKey: key, variables, ...(businessKey ? { businessKey } : {}) }).expect(201)).body;
  const instance = async (id: string) => (await t.as('auditor').get(`/api/instances/${id}`).expect(200)).body;
  const history = async (id: string) => (await t.as('auditor').get(`/api/instances/${id}/history`).expect(200)).body as Event[];
  const openTasksOf = async (id: string) => (await t.as('auditor').get(`/api/tasks?instanceId=${id}&status=open`)).body.items as { id: string; elementId: string }[];
  const complete = (taskId: string, variables: Record<string, unknown> = {}) => t.as('alice').post(`/api/tasks/${taskId}/complete`).send({ variables });
  /** Open tasks and timer rows of the given instances, straight from the tables. */
  const openRows = async (ids: string[]) => {
    const [tasks] = await t.sql.query(`SELECT count(*)::int AS n FROM user_task WHERE instance_id = ANY($1) AND status = 'open'`, [ids]);
    const [timers] = await t.sql.query(`SELECT count(*)::int AS n FROM timer_job WHERE instance_id = ANY($1)`, [ids]);
    const [subscriptions] = await t.sql.query(`SELECT count(*)::int AS n FROM event_subscription WHERE instance_id = ANY($1)`, [ids]);
    return { tasks: tasks.n as number, timers: timers.n as number, subscriptions: subscriptions.n as number };
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db, { clock });
    await deploy(childWithTask('ca-child', 'work'));
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('starts the child with the camunda:in variables and business key; its end continues the parent with the camunda:out variables', async () => {
    await deploy(
      caller(
        'ca-parent',
        'calledElement="ca-child"',
        `<camunda:in source="ticket" target="ticketId"/><camunda:in sourceExpression="\${priority}" target="childPriority"/>
         <camunda:in businessKey="\${businessKey}"/><camunda:out source="resolution" target="childResolution"/>`,
      ),
    );
    const parent = await start('ca-parent', { ticket: 'T-1', priority: 'P2', secret: 'not for the child' }, 'INC-1');
    expect(parent.instance).toMatchObject({ status: 'running', parentInstanceId: null, rootInstanceId: null });
    expect(parent.instance.activeElementIds).toContain('call');

    const detail = await instance(parent.instance.id);
    expect(detail.children).toHaveLength(1);
    const childId = detail.children[0].id;
    expect(detail.children[0]).toMatchObject({ definitionKey: 'ca-child', status: 'running', parentElementId: 'call' });
    const child = await instance(childId);
    expect(child).toMatchObject({ parentInstanceId: parent.instance.id, rootInstanceId: parent.instance.id, businessKey: 'INC-1', parentElementId: 'call' });
    // Only what camunda:in maps reaches the child.
    expect(child.variables).toEqual({ ticketId: 'T-1', childPriority: 'P2' });
    const listed = (await t.as('auditor').get(`/api/instances?parentInstanceId=${parent.instance.id}`).expect(200)).body.items;
    expect(listed.map((i: { id: string }) => i.id)).toEqual([childId]);

    expect((await history(parent.instance.id)).find((e) => e.type === 'call.started')?.payload).toMatchObject({ childInstanceId: childId, calledElement: 'ca-child', version: 1 });
    expect((await history(childId)).find((e) => e.type === 'instance.started')?.payload.calledBy).toMatchObject({ parentInstanceId: parent.instance.id, parentElementId: 'call' });

    const [task] = await openTasksOf(childId);
    expect(task!.id).toBeDefined();
    const done = await complete(task!.id, { resolution: 'fixed', scratch: 1 }).expect(200);
    expect(done.body.instance).toMatchObject({ id: childId, status: 'completed' });

    const after = await instance(parent.instance.id);
    expect(after.status).toBe('completed');
    expect(after.variables).toMatchObject({ childResolution: 'fixed', ticket: 'T-1' });
    expect(after.variables).not.toHaveProperty('scratch');
    expect((await history(parent.instance.id)).find((e) => e.type === 'call.completed')?.payload).toMatchObject({ childInstanceId: childId, variables: { childResolution: 'fixed' } });
    for (const id of [parent.instance.id, childId]) expect((await t.as('auditor').get(`/api/instances/${id}/history/verify`).expect(200)).body).toMatchObject({ valid: true });
  });

  it('passes nothing without camunda:in, and everything with variables="all"', async () => {
    await deploy(caller('ca-none', 'calledElement="ca-child"'));
    await deploy(caller('ca-all', 'calledElement="ca-child"', '<camunda:in variables="all"/><camunda:out variables="all"/>'));
    const none = await start('ca-none', { a: 1 });
    expect((await instance((await instance(none.instance.id)).children[0].id)).variables).toEqual({});
    const all = await start('ca-all', { a: 1, b: 'x' });
    const childId = (await instance(all.instance.id)).children[0].id;
    expect((await instance(childId)).variables).toEqual({ a: 1, b: 'x' });
    const [task] = await openTasksOf(childId);
    await complete(task!.id, { c: true }).expect(200);
    expect((await instance(all.instance.id)).variables).toEqual({ a: 1, b: 'x', c: true });
  });

  it('binds the called version with camunda:calledElementBinding', async () => {
    await deploy(childWithTask('ca-versioned', 'firstVersionTask'));
    await deploy(childWithTask('ca-versioned', 'secondVersionTask'));
    await deploy(caller('ca-bound', 'calledElement="ca-versioned" camunda:calledElementBinding="version" camunda:calledElementVersion="1"'));
    await deploy(caller('ca-latest', 'calledElement="ca-versioned"'));
    const bound = await instance((await instance((await start('ca-bound')).instance.id)).children[0].id);
    expect(bound).toMatchObject({ definitionKey: 'ca-versioned', definitionVersion: 1 });
    expect((await openTasksOf(bound.id)).map((x) => x.elementId)).toEqual(['firstVersionTask']);
    const latest = await instance((await instance((await start('ca-latest')).instance.id)).children[0].id);
    expect(latest.definitionVersion).toBe(2);
    expect((await openTasksOf(latest.id)).map((x) => x.elementId)).toEqual(['secondVersionTask']);
  });

  it('binds the latest version carrying a camunda:calledElementVersionTag', async () => {
    const tagged = (xml: string, tag: string) => t.as('admin').post(`/api/definitions?versionTag=${tag}`).set('Content-Type', 'application/xml').send(xml).expect(201);
    await tagged(childWithTask('ca-tagged', 'releaseOneTask'), 'release-1');
    await tagged(childWithTask('ca-tagged', 'releaseTwoTask'), 'release-2');
    await deploy(caller('ca-by-tag', 'calledElement="ca-tagged" camunda:calledElementBinding="versionTag" camunda:calledElementVersionTag="release-1"'));
    const child = await instance((await instance((await start('ca-by-tag')).instance.id)).children[0].id);
    expect(child.definitionVersion).toBe(1);
    expect((await openTasksOf(child.id)).map((x) => x.elementId)).toEqual(['releaseOneTask']);
  });

  it('an error end event in the child reaches the error boundary on the call activity', async () => {
    await deploy(childWithTask('ca-rejecting', 'review', 'REJECTED'));
    await deploy(
      caller(
        'ca-catching',
        'calledElement="ca-rejecting"',
        '',
        `<bpmn:boundaryEvent id="rejected" attachedToRef="call"><bpmn:errorEventDefinition errorRef="ParentErr"/></bpmn:boundaryEvent>
         <bpmn:sequenceFlow id="f3" sourceRef="rejected" targetRef="handleRejection"/>
         <bpmn:userTask id="handleRejection" name="Handle rejection" camunda:candidateGroups="servicedesk"/>
         <bpmn:sequenceFlow id="f4" sourceRef="handleRejection" targetRef="end2"/><bpmn:endEvent id="end2"/>`,
        '<bpmn:error id="ParentErr" errorCode="REJECTED"/>\n',
      ),
    );
    const parent = await start('ca-catching');
    const childId = (await instance(parent.instance.id)).children[0].id;
    const [task] = await openTasksOf(childId);
    await complete(task!.id).expect(200);
    expect((await openTasksOf(parent.instance.id)).map((x) => x.elementId)).toEqual(['handleRejection']);
    expect((await instance(parent.instance.id)).status).toBe('running');
    expect((await history(parent.instance.id)).find((e) => e.type === 'call.error')?.payload).toMatchObject({ childInstanceId: childId, errorCode: 'REJECTED' });
  });

  it('an error the caller does not catch fails the command with a 422 that names it, and changes nothing', async () => {
    await deploy(caller('ca-not-catching', 'calledElement="ca-rejecting"'));
    const parent = await start('ca-not-catching');
    const childId = (await instance(parent.instance.id)).children[0].id;
    const [task] = await openTasksOf(childId);
    const res = await complete(task!.id).expect(422);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.detail).toContain('REJECTED');
    expect(res.body.detail).toContain('"call"');
    expect((await instance(childId)).status).toBe('running');
    expect((await instance(parent.instance.id)).status).toBe('running');
    expect((await openTasksOf(childId)).map((x) => x.id)).toEqual([task!.id]);
  });

  it('cancelling the parent cancels its running child and grandchild: no open task, timer or subscription of any is left', async () => {
    // The grandchild waits in a user task with a reminder timer and a message boundary on it.
    await deploy(
      bpmn(
        'ca-leaf',
        `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
         <bpmn:userTask id="work" name="work" camunda:candidateGroups="servicedesk"/>
         <bpmn:boundaryEvent id="remind" attachedToRef="work" cancelActivity="false"><bpmn:timerEventDefinition><bpmn:timeDuration>PT4H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
         <bpmn:sequenceFlow id="f3" sourceRef="remind" targetRef="remindEnd"/><bpmn:endEvent id="remindEnd"/>
         <bpmn:boundaryEvent id="withdrawn" attachedToRef="work"><bpmn:messageEventDefinition messageRef="Withdrawn"/></bpmn:boundaryEvent>
         <bpmn:sequenceFlow id="f4" sourceRef="withdrawn" targetRef="withdrawnEnd"/><bpmn:endEvent id="withdrawnEnd"/>
         <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end"/><bpmn:endEvent id="end"/>`,
      ).replace('<bpmn:process', '<bpmn:message id="Withdrawn" name="ca-withdrawn"/>\n<bpmn:process'),
    );
    await deploy(caller('ca-middle', 'calledElement="ca-leaf"'));
    await deploy(caller('ca-top', 'calledElement="ca-middle"'));
    const top = await start('ca-top');
    const middleId = (await instance(top.instance.id)).children[0].id;
    const leaf = await instance((await instance(middleId)).children[0].id);
    expect(leaf.rootInstanceId).toBe(top.instance.id);
    const ids = [top.instance.id, middleId, leaf.id];
    expect(await openRows(ids)).toEqual({ tasks: 1, timers: 1, subscriptions: 1 });

    // A child is cancelled through its root.
    await t.as('admin').post(`/api/instances/${leaf.id}/cancel`).send({ reason: 'x' }).expect(409);
    await t.as('admin').post(`/api/instances/${top.instance.id}/cancel`).send({ reason: 'raised in error' }).expect(200);

    expect(await openRows(ids)).toEqual({ tasks: 0, timers: 0, subscriptions: 0 });
    await t.as('alice').post('/api/messages').send({ name: 'ca-withdrawn' }).expect(404);
    for (const id of ids) expect((await instance(id)).status).toBe('cancelled');
    const leafHistory = (await history(leaf.id)).map((e) => e.type);
    expect(leafHistory).toEqual(expect.arrayContaining(['task.cancelled', 'timer.cancelled', 'instance.cancelled']));
    expect((await history(top.instance.id)).find((e) => e.type === 'call.cancelled')?.payload).toMatchObject({ childInstanceId: middleId });
    expect((await t.as('auditor').get(`/api/instances/${leaf.id}/history/verify`).expect(200)).body).toMatchObject({ valid: true });
  });

  it('cancelling the parent while its child completes (opposite lock orders) leaves one consistent outcome, never a 500', async () => {
    await deploy(caller('ca-race', 'calledElement="ca-child"'));
    for (let i = 0; i < 8; i++) {
      const parent = await start('ca-race');
      const childId = (await instance(parent.instance.id)).children[0].id;
      const [task] = await openTasksOf(childId);
      const [cancelled, completed] = await Promise.all([
        t.as('admin').post(`/api/instances/${parent.instance.id}/cancel`).send({ reason: 'race' }),
        complete(task!.id),
      ]);
      expect([cancelled.status, completed.status].sort()).toEqual([200, 409]);
      const [p, c] = [await instance(parent.instance.id), await instance(childId)];
      if (cancelled.status === 200) expect([p.status, c.status]).toEqual(['cancelled', 'cancelled']);
      else expect([p.status, c.status]).toEqual(['completed', 'completed']);
      expect(await openRows([parent.instance.id, childId])).toMatchObject({ tasks: 0, timers: 0, subscriptions: 0 });
    }
  });

  it('an interrupting timer boundary on the call activity cancels the child', async () => {
    await deploy(
      caller(
        'ca-deadline',
        'calledElement="ca-child"',
        '',
        `<bpmn:boundaryEvent id="deadline" attachedToRef="call"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
         <bpmn:sequenceFlow id="f3" sourceRef="deadline" targetRef="escalate"/>
         <bpmn:userTask id="escalate" name="Escalate" camunda:candidateGroups="servicedesk"/>
         <bpmn:sequenceFlow id="f4" sourceRef="escalate" targetRef="end2"/><bpmn:endEvent id="end2"/>`,
      ),
    );
    const parent = await start('ca-deadline');
    const childId = (await instance(parent.instance.id)).children[0].id;
    expect(await openRows([childId])).toMatchObject({ tasks: 1, timers: 0 });
    clock.advance(2 * HOUR);
    expect((await fire()).fired).toBeGreaterThanOrEqual(1);
    expect((await openTasksOf(parent.instance.id)).map((x) => x.elementId)).toEqual(['escalate']);
    expect((await instance(childId)).status).toBe('cancelled');
    expect(await openRows([childId])).toMatchObject({ tasks: 0, timers: 0, subscriptions: 0 });
    expect((await history(parent.instance.id)).map((e) => e.type)).toContain('call.cancelled');
  });

  it('nested calls run to the end: completing the grandchild ends all three', async () => {
    await deploy(caller('ca-nested-middle', 'calledElement="ca-child"', '<camunda:in variables="all"/><camunda:out variables="all"/>'));
    await deploy(caller('ca-nested-top', 'calledElement="ca-nested-middle"', '<camunda:in variables="all"/><camunda:out source="answer" target="finalAnswer"/>'));
    const top = await start('ca-nested-top', { question: 'q' });
    const middleId = (await instance(top.instance.id)).children[0].id;
    const leafId = (await instance(middleId)).children[0].id;
    expect((await instance(leafId)).variables).toEqual({ question: 'q' });
    const [task] = await openTasksOf(leafId);
    await complete(task!.id, { answer: 42 }).expect(200);
    for (const id of [leafId, middleId, top.instance.id]) expect((await instance(id)).status).toBe('completed');
    expect((await instance(top.instance.id)).variables).toEqual({ question: 'q', finalAnswer: 42 });
  });

  it('a child that ends at once continues the parent in the same command', async () => {
    await deploy(bpmn('ca-instant', `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="end"/><bpmn:endEvent id="end"/>`));
    await deploy(caller('ca-instant-parent', 'calledElement="ca-instant"', '<camunda:in source="x" target="x"/><camunda:out source="x" target="y"/>'));
    const parent = await start('ca-instant-parent', { x: 7 });
    expect(parent.instance.status).toBe('completed');
    expect(parent.instance.variables).toEqual({ x: 7, y: 7 });
    expect((await instance(parent.instance.id)).children).toEqual([expect.objectContaining({ definitionKey: 'ca-instant', status: 'completed' })]);
  });

  it('an unknown called key fails the start with a 422 naming the element and key; nothing is stored', async () => {
    const deployed = await deploy(caller('ca-unknown', 'calledElement="ca-nowhere"'));
    expect(deployed.warnings).toEqual(expect.arrayContaining([expect.objectContaining({ elementId: 'call', rule: 'call-activity-unknown-key' })]));
    const res = await t.as('alice').post('/api/instances').send({ definitionKey: 'ca-unknown' }).expect(422);
    expect(res.body.detail).toContain('"call"');
    expect(res.body.detail).toContain('ca-nowhere');
    const [row] = await t.sql.query(`SELECT count(*)::int AS n FROM process_instance WHERE definition_key = 'ca-unknown'`);
    expect(row.n).toBe(0);
  });

  it('refuses call activities it cannot run, naming the element and the reason', async () => {
    const problems = async (xml: string) => (await refused(xml)).problems as { elementId: string; rule: string; message: string }[];
    expect(await problems(caller('ca-bad-1', ''))).toEqual([expect.objectContaining({ elementId: 'call', rule: 'call-activity', message: expect.stringContaining('calledElement') })]);
    expect(await problems(caller('ca-bad-2', 'calledElement="x" camunda:calledElementBinding="deployment"'))).toEqual([
      expect.objectContaining({ elementId: 'call', message: expect.stringContaining('deployment') }),
    ]);
    expect(await problems(caller('ca-bad-3', 'calledElement="x" camunda:calledElementBinding="version"'))).toEqual([
      expect.objectContaining({ elementId: 'call', message: expect.stringContaining('calledElementVersion') }),
    ]);
    expect(await problems(caller('ca-bad-4', 'calledElement="x"', '<camunda:in source="a"/>'))).toEqual([
      expect.objectContaining({ elementId: 'call', message: expect.stringContaining('target') }),
    ]);
    expect(await problems(caller('ca-bad-5', 'calledElement="x"', '<camunda:out sourceExpression="${a +}" target="b"/>'))).toEqual([
      expect.objectContaining({ elementId: 'call', message: expect.stringContaining('sourceExpression') }),
    ]);
  });
});
