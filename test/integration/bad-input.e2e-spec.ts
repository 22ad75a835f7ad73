import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { createTestApp, type ApiTestApp } from '../support/test-app';
import { bpmn, linearTasks } from '../support/bpmn';

/** Every bad input gets a 4xx problem+json that says what is wrong, and changes nothing. */
describe('bad input', () => {
  let db: TestDatabase;
  let t: ApiTestApp;
  let taskId: string;
  let instanceId: string;

  const counts = async () => {
    const [row] = await t.sql.query(
      `SELECT (SELECT count(*) FROM process_definition)::int AS d, (SELECT count(*) FROM process_instance)::int AS i,
              (SELECT count(*) FROM user_task)::int AS t, (SELECT count(*) FROM history_event)::int AS h,
              (SELECT COALESCE(sum(revision), 0) FROM process_instance)::int AS r`,
    );
    return row;
  };
  const expectProblem = (res: { status: number; headers: Record<string, string>; body: { status: number; detail: string } }, status: number, detail: RegExp) => {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body.status).toBe(status);
    expect(res.body.detail).toMatch(detail);
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db, { config: { maxBodyBytes: 64 * 1024, maxDefinitionBytes: 256 * 1024 } });
    await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(linearTasks('bad-input', ['review'])).expect(201);
    const started = await t.as('alice').post('/api/instances').send({ definitionKey: 'bad-input' }).expect(201);
    taskId = started.body.tasks[0].id;
    instanceId = started.body.instance.id;
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it.each([
    ['malformed JSON', () => t.as('alice').post('/api/instances').set('Content-Type', 'application/json').send('{"definitionKey": '), 400, /not valid JSON/],
    ['a JSON array body', () => t.as('alice').post('/api/instances').set('Content-Type', 'application/json').send('[1]'), 400, /must be an object/],
    ['an unknown definition key', () => t.as('alice').post('/api/instances').send({ definitionKey: 'nope' }), 404, /no process definition with key "nope"/],
    ['an unknown definition id', () => t.as('alice').post('/api/instances').send({ definitionId: '00000000-0000-4000-8000-000000000000' }), 404, /no process definition/],
    ['both key and id', () => t.as('alice').post('/api/instances').send({ definitionKey: 'bad-input', definitionId: '00000000-0000-4000-8000-000000000000' }), 400, /exactly one/],
    ['an unknown start field', () => t.as('alice').post('/api/instances').send({ definitionKey: 'bad-input', variabels: {} }), 400, /variabels|Unrecognized/i],
    ['variables that are not an object', () => t.as('alice').post('/api/instances').send({ definitionKey: 'bad-input', variables: [1, 2] }), 400, /variables/],
    ['a variable with a NUL character', () => t.as('alice').post('/api/instances').send({ definitionKey: 'bad-input', variables: { note: 'a\u0000b' } }), 400, /NUL/],
    ['a forbidden variable name', () => t.as('alice').post('/api/instances').set('Content-Type', 'application/json').send('{"definitionKey":"bad-input","variables":{"__proto__":{"x":1}}}'), 400, /not allowed|forbidden/],
    ['an oversized JSON body', () => t.as('alice').post('/api/instances').send({ definitionKey: 'bad-input', variables: { blob: 'x'.repeat(70 * 1024) } }), 413, /larger than/],
    ['an unknown task id', () => t.as('alice').post('/api/tasks/00000000-0000-4000-8000-000000000000/complete').send({}), 404, /no task/],
    ['a malformed task id', () => t.as('alice').get('/api/tasks/not-a-uuid'), 404, /no task with id "not-a-uuid"/],
    ['an unknown instance id', () => t.as('alice').get('/api/instances/00000000-0000-4000-8000-000000000000'), 404, /no process instance/],
    ['an unknown instance history', () => t.as('alice').get('/api/instances/00000000-0000-4000-8000-000000000000/history'), 404, /no process instance/],
    ['completion variables of the wrong type', () => t.as('alice').post(`/api/tasks/${taskId}/complete`).send({ variables: 'yes' }), 400, /variables/],
    ['completion without a token', () => t.http.post(`/api/tasks/${taskId}/complete`).send({}), 401, /authentication required/],
    ['a token that is not a bearer token', () => t.http.post(`/api/tasks/${taskId}/claim`).set('Authorization', 'Basic YWxpY2U6eA=='), 401, /Bearer/],
    ['cancel without reason', () => t.as('admin').post(`/api/instances/${instanceId}/cancel`).send({}), 400, /reason/],
    ['a bad status filter', () => t.as('alice').get('/api/tasks?status=done'), 400, /status/],
    ['a page size over the limit', () => t.as('alice').get('/api/instances?size=5000'), 400, /size/],
    ['an unknown route', () => t.as('alice').get('/api/nothing-here'), 404, /no route/],
    ['an unknown route, anonymously', () => t.http.get('/api/nothing-here'), 404, /no route/],
    ['a deploy by staff', () => t.as('alice').post('/api/definitions').set('Content-Type', 'application/xml').send(linearTasks('staff-deploy', ['a'])), 403, /roles: admin/],
    ['a deploy without a document', () => t.as('admin').post('/api/definitions').send({}), 415, /multipart|application\/xml/],
    ['malformed XML', () => t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send('<bpmn:definitions'), 422, /./],
    ['a DOCTYPE', () => t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>${linearTasks('dtd', ['a']).replace(/^<\?xml[^>]*\?>/, '')}`), 422, /DOCTYPE/i],
    ['an oversized BPMN file', () => t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(linearTasks('big', ['a']).replace('<bpmn:startEvent', `<!-- ${'x'.repeat(300 * 1024)} --><bpmn:startEvent`)), 413, /larger|limit/],
    ['a script task', () => t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(bpmn('scripted', `<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="evil"/><bpmn:scriptTask id="evil" scriptFormat="javascript"><bpmn:script>process.exit(1)</bpmn:script></bpmn:scriptTask><bpmn:sequenceFlow id="f2" sourceRef="evil" targetRef="e"/><bpmn:endEvent id="e"/>`)), 422, /evil/],
    ['an unknown service handler', () => t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(bpmn('svc', `<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="call"/><bpmn:serviceTask id="call" camunda:delegateExpression="\${deleteEverything}"/><bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="e"/><bpmn:endEvent id="e"/>`)), 422, /deleteEverything/],
  ])('refuses %s', async (_name, send, status, detail) => {
    const before = await counts();
    const res = await send();
    expectProblem(res as never, status, detail);
    expect(await counts()).toEqual(before);
  });

  it('names the element of a refused definition in the problem details', async () => {
    const res = await t
      .as('admin')
      .post('/api/definitions')
      .set('Content-Type', 'application/xml')
      .send(bpmn('scripted2', `<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="evil"/><bpmn:scriptTask id="evil" scriptFormat="javascript"><bpmn:script>1</bpmn:script></bpmn:scriptTask><bpmn:sequenceFlow id="f2" sourceRef="evil" targetRef="e"/><bpmn:endEvent id="e"/>`));
    expect(res.status).toBe(422);
    expect(res.body.problems).toEqual(expect.arrayContaining([expect.objectContaining({ elementId: 'evil' })]));
  });

  it('never runs code from a hostile condition', async () => {
    // given: a gateway whose condition tries to reach the host process
    const xml = bpmn(
      'hostile',
      `<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="gw"/>
       <bpmn:exclusiveGateway id="gw" default="safe"/>
       <bpmn:sequenceFlow id="escape" sourceRef="gw" targetRef="owned"><bpmn:conditionExpression>\${constructor.constructor("return process")().exit(3)}</bpmn:conditionExpression></bpmn:sequenceFlow>
       <bpmn:sequenceFlow id="safe" sourceRef="gw" targetRef="normal"/>
       <bpmn:userTask id="owned" camunda:candidateGroups="x"/><bpmn:userTask id="normal" camunda:candidateGroups="x"/>
       <bpmn:sequenceFlow id="f3" sourceRef="owned" targetRef="e"/><bpmn:sequenceFlow id="f4" sourceRef="normal" targetRef="e"/><bpmn:endEvent id="e"/>`,
    );

    // when
    const deployed = await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(xml);

    // then: refused at deploy, or (if it were accepted) it could only evaluate to nothing
    if (deployed.status === 201) {
      const started = await t.as('alice').post('/api/instances').send({ definitionKey: 'hostile' });
      expect(started.status).toBe(201);
      expect(started.body.tasks.map((x: { elementId: string }) => x.elementId)).toEqual(['normal']);
    } else {
      expect(deployed.status).toBe(422);
      expect(deployed.body.problems).toEqual(expect.arrayContaining([expect.objectContaining({ elementId: 'escape' })]));
    }
    expect(process.exitCode ?? 0).toBe(0);
  });
});
