import { TEST_PASSWORD } from '../support/auth';
import { bpmn, linearTasks } from '../support/bpmn';
import { createTestApp, type ApiTestApp } from '../support/test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * The Camunda 7 compatible API (/engine-rest) as Camunda clients use it: Camunda Modeler's
 * deployment request replayed byte for byte (fields and part names as in its CamundaAPI.js),
 * Camunda's variable, date and error formats, HTTP Basic authentication, and the same
 * authorisation and commands as the native API.
 */
const CAMUNDA_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/;
/** A JSON answer of fetch (the shapes are what the tests check). */
const json = async (res: globalThis.Response): Promise<any> => res.json();
const basic = (username: string, password = TEST_PASSWORD) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

/** A form-js form for the review task. */
const REVIEW_FORM = JSON.stringify({
  id: 'review-form',
  type: 'default',
  components: [{ type: 'textfield', key: 'verdict', label: 'Verdict' }],
});

const modelerDiagram = bpmn(
  'modeler-deployed',
  `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
   <bpmn:userTask id="review" name="Review" camunda:candidateGroups="servicedesk" camunda:formRef="review-form" camunda:formRefBinding="deployment"/>
   <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="end"/><bpmn:endEvent id="end"/>`,
);

const messageDiagram = bpmn(
  'waits-for-reply',
  `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="reply"/>
   <bpmn:intermediateCatchEvent id="reply"><bpmn:messageEventDefinition messageRef="Message_reply"/></bpmn:intermediateCatchEvent>
   <bpmn:sequenceFlow id="f2" sourceRef="reply" targetRef="check"/>
   <bpmn:userTask id="check" camunda:candidateGroups="servicedesk"/>
   <bpmn:sequenceFlow id="f3" sourceRef="check" targetRef="end"/><bpmn:endEvent id="end"/>`,
).replace('</bpmn:definitions>', '<bpmn:message id="Message_reply" name="customer-reply"/></bpmn:definitions>');

describe('Camunda 7 compatible API (/engine-rest)', () => {
  let db: TestDatabase;
  let t: ApiTestApp;
  let base: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db);
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as { port: number }).port}/engine-rest`;
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  /** What Camunda Modeler's CamundaAPI.deployDiagram sends (client/src/plugins/camunda-plugin/shared/CamundaAPI.js). */
  function modelerDeploy(diagram: { name: string; contents: string }, deployment: { name: string; attachments?: { name: string; contents: string }[] }, auth: string) {
    const form = new FormData();
    form.append('deployment-name', deployment.name);
    form.append('deployment-source', 'Camunda Modeler');
    form.append('enable-duplicate-filtering', 'true');
    form.append(diagram.name, new Blob([diagram.contents], { type: 'text/xml' }), diagram.name);
    for (const file of deployment.attachments ?? []) form.append(file.name, new Blob([file.contents]), file.name);
    return fetch(`${base}/deployment/create`, { method: 'POST', body: form, headers: { accept: 'application/json', authorization: auth } });
  }

  describe("Camunda Modeler's deploy and start", () => {
    it('deploys the diagram with its form through the exact multipart request of CamundaAPI.js, answering Camunda\'s shape; the definition then starts by key', async () => {
      // given: the connection check the Modeler runs first
      const version = await fetch(`${base}/version`, { headers: { accept: 'application/json', authorization: basic('admin') } });
      const check = await fetch(`${base}/deployment?maxResults=0`, { headers: { accept: 'application/json', authorization: basic('admin') } });
      expect([version.status, await version.json()]).toEqual([200, { version: expect.stringMatching(/^7\.\d+\.\d+$/) }]);
      expect([check.status, await check.json()]).toEqual([200, []]);

      // when
      const res = await modelerDeploy({ name: 'modeler-deployed.bpmn', contents: modelerDiagram }, { name: 'modeler-deployed', attachments: [{ name: 'review.form', contents: REVIEW_FORM }] }, basic('admin'));

      // then
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json');
      const body = await json(res);
      expect(body).toMatchObject({ id: expect.any(String), name: 'modeler-deployed', source: 'Camunda Modeler', deploymentTime: expect.stringMatching(CAMUNDA_DATE), tenantId: null });
      const definitions = Object.values(body.deployedProcessDefinitions) as { id: string; key: string; version: number; deploymentId: string; suspended: boolean }[];
      expect(definitions).toEqual([expect.objectContaining({ key: 'modeler-deployed', version: 1, deploymentId: body.id, suspended: false })]);
      expect(Object.keys(body.deployedProcessDefinitions)).toEqual([definitions[0]!.id]);

      // and: startable by key, and (as the Modeler's "Start instance" does) by id
      const byKey = await t.as('alice').post('/engine-rest/process-definition/key/modeler-deployed/start').send({ businessKey: 'MOD-1' }).expect(200);
      expect(byKey.headers['content-type']).toBe('application/json');
      expect(byKey.body).toMatchObject({ id: expect.any(String), definitionId: definitions[0]!.id, businessKey: 'MOD-1', ended: false, suspended: false, tenantId: null, caseInstanceId: null });
      expect(byKey.body.links).toEqual([{ method: 'GET', href: expect.stringMatching(new RegExp(`/engine-rest/process-instance/${byKey.body.id}$`)), rel: 'self' }]);
      const byId = await fetch(`${base}/process-definition/${definitions[0]!.id}/start`, {
        method: 'POST',
        body: JSON.stringify({ businessKey: 'MOD-2', variables: { note: { value: 'from the modeler', type: 'String' } } }),
        headers: { 'content-type': 'application/json', accept: 'application/json', authorization: basic('alice') },
      });
      expect(byId.status).toBe(200);
      expect(await byId.json()).toMatchObject({ definitionId: definitions[0]!.id, businessKey: 'MOD-2' });

      // and: the form deployed with it is the task's form
      const [task] = (await t.as('alice').get(`/engine-rest/task?processInstanceId=${byKey.body.id}`).expect(200)).body;
      expect(task).toMatchObject({ name: 'Review', taskDefinitionKey: 'review', processDefinitionId: definitions[0]!.id, assignee: null, created: expect.stringMatching(CAMUNDA_DATE) });
      expect((await t.as('alice').get(`/api/tasks/${task.id}/form`).expect(200)).body.formId).toBe('review-form');
    });

    it('answers an unchanged diagram with the existing deployment and no new definitions, as Camunda with duplicate filtering', async () => {
      // given
      const diagram = { name: 'dup.bpmn', contents: linearTasks('modeler-dup', ['a']) };
      const first = await json(await modelerDeploy(diagram, { name: 'dup' }, basic('admin')));

      // when
      const again = await modelerDeploy(diagram, { name: 'dup' }, basic('admin'));

      // then
      expect(again.status).toBe(200);
      expect(await json(again)).toMatchObject({ id: first.id, deployedProcessDefinitions: null });
      expect((await t.as('admin').get('/engine-rest/process-definition?key=modeler-dup').expect(200)).body).toHaveLength(1);
    });

    it("refuses an invalid diagram with Camunda's parse error, which the Modeler shows as such", async () => {
      const res = await modelerDeploy({ name: 'bad.bpmn', contents: bpmn('bad', '<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="nowhere"/>') }, { name: 'bad' }, basic('admin'));
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/json');
      const body = await json(res);
      expect(body).toMatchObject({ type: 'ParseException', code: 0 });
      expect(body.message).toMatch(/^ENGINE-09005 Could not parse BPMN process\./);
    });

    it('lets only administrators deploy, and checks Basic credentials like a login', async () => {
      const diagram = { name: 'x.bpmn', contents: linearTasks('modeler-x', ['a']) };
      const staff = await modelerDeploy(diagram, { name: 'x' }, basic('alice'));
      const wrong = await modelerDeploy(diagram, { name: 'x' }, basic('admin', 'not-the-password'));
      expect([staff.status, await staff.json()]).toEqual([403, expect.objectContaining({ type: 'AuthorizationException', userId: 'alice' })]);
      expect(wrong.status).toBe(401);
      expect(wrong.headers.get('www-authenticate')).toContain('Basic');
      expect(await wrong.json()).toMatchObject({ type: 'AuthenticationException', message: 'invalid username or password' });
    });
  });

  describe('definitions, instances and variables', () => {
    let definitionId: string;
    beforeAll(async () => {
      definitionId = (await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(linearTasks('rest-vars', ['work'])).expect(201)).body.id;
    });

    it("reads definitions in Camunda's shape: list, by key, XML", async () => {
      const list = (await t.as('bob').get('/engine-rest/process-definition?key=rest-vars&latestVersion=true').expect(200)).body;
      const byKey = (await t.as('bob').get('/engine-rest/process-definition/key/rest-vars').expect(200)).body;
      const xml = (await t.as('bob').get('/engine-rest/process-definition/key/rest-vars/xml').expect(200)).body;
      expect(list).toEqual([byKey]);
      expect(byKey).toMatchObject({ id: definitionId, key: 'rest-vars', version: 1, resource: 'rest-vars.bpmn', deploymentId: definitionId, tenantId: null });
      expect(xml).toEqual({ id: definitionId, bpmn20Xml: expect.stringContaining('id="rest-vars"') });
      expect((await t.as('bob').get('/engine-rest/process-definition/count?key=rest-vars').expect(200)).body).toEqual({ count: 1 });
    });

    it('takes typed variables of every supported type and answers them typed, Json as text and dates in Camunda format', async () => {
      // given
      const variables = {
        text: { value: 'hello', type: 'String' },
        flag: { value: true, type: 'Boolean' },
        small: { value: 42, type: 'Integer' },
        big: { value: 9007199254740991, type: 'Long' },
        ratio: { value: 0.25, type: 'Double' },
        when: { value: '2026-12-06T11:00:00.000+0100', type: 'Date' },
        doc: { value: '{"a":[1,2],"b":{"c":"d"}}', type: 'Json' },
        obj: { value: '{"k":1}', type: 'Object', valueInfo: { serializationDataFormat: 'application/json', objectTypeName: 'java.util.HashMap' } },
        nothing: { value: null, type: 'Null' },
        lower: { value: 7, type: 'integer' },
      };

      // when
      const started = await t.as('alice').post('/engine-rest/process-definition/key/rest-vars/start').send({ businessKey: 'VARS-1', variables, withVariablesInReturn: true }).expect(200);
      const read = await t.as('alice').get(`/engine-rest/process-instance/${started.body.id}/variables`).expect(200);

      // then
      const expected = {
        text: { type: 'String', value: 'hello', valueInfo: {} },
        flag: { type: 'Boolean', value: true, valueInfo: {} },
        small: { type: 'Integer', value: 42, valueInfo: {} },
        big: { type: 'Long', value: 9007199254740991, valueInfo: {} },
        ratio: { type: 'Double', value: 0.25, valueInfo: {} },
        when: { type: 'String', value: '2026-12-06T10:00:00.000Z', valueInfo: {} },
        doc: { type: 'Json', value: '{"a":[1,2],"b":{"c":"d"}}', valueInfo: {} },
        obj: { type: 'Json', value: '{"k":1}', valueInfo: {} },
        nothing: { type: 'Null', value: null, valueInfo: {} },
        lower: { type: 'Integer', value: 7, valueInfo: {} },
      };
      expect(read.body).toMatchObject(expected);
      expect(started.body.variables).toMatchObject(expected);
      // the native API sees plain JSON
      expect((await t.as('alice').get(`/api/instances/${started.body.id}`).expect(200)).body.variables).toMatchObject({ doc: { a: [1, 2], b: { c: 'd' } }, when: '2026-12-06T10:00:00.000Z', small: 42 });
    });

    it('refuses variables it cannot hold with 400 InvalidRequestException, changing nothing', async () => {
      const before = (await t.as('admin').get('/engine-rest/process-instance/count?processDefinitionKey=rest-vars').expect(200)).body.count;
      for (const variables of [
        '{"x":{"value":"abc","type":"Integer"}}',
        '{"x":{"value":2147483648,"type":"Integer"}}',
        '{"x":{"value":"{broken","type":"Json"}}',
        '{"x":{"value":"rO0ABX","type":"Object","valueInfo":{"serializationDataFormat":"application/x-java-serialized-object"}}}',
        '{"x":{"value":"AAAA","type":"Bytes"}}',
        '{"x":{"value":"tomorrow","type":"Date"}}',
        '{"x":"not typed"}',
        '{"__proto__":{"value":1,"type":"Integer"}}',
        '{"1x":{"value":1,"type":"Integer"}}',
      ]) {
        const res = await t.as('alice').post('/engine-rest/process-definition/key/rest-vars/start').set('Content-Type', 'application/json').send(`{"variables":${variables}}`);
        expect([variables, res.status, res.headers['content-type']]).toEqual([variables, 400, 'application/json']);
        expect(res.body).toEqual({ type: 'InvalidRequestException', message: expect.any(String), code: null });
      }
      expect((await t.as('admin').get('/engine-rest/process-instance/count?processDefinitionKey=rest-vars').expect(200)).body.count).toBe(before);
    });

    it('lists running instances the caller may see, pages them, and deletes (cancels) one', async () => {
      // given
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await t.as('bob').post('/engine-rest/process-definition/key/rest-vars/start').send({ businessKey: `PAGE-${i}` }).expect(200)).body.id);

      // when
      const page = (await t.as('bob').get('/engine-rest/process-instance?businessKeyLike=PAGE-%25&sortBy=businessKey&sortOrder=desc&firstResult=1&maxResults=1').expect(200)).body;
      const asAlice = (await t.as('alice').get('/engine-rest/process-instance?businessKeyLike=PAGE-%25').expect(200)).body;
      const hidden = await t.as('owner').get(`/engine-rest/process-instance/${ids[0]}`);
      const bobDeletes = await t.as('bob').delete(`/engine-rest/process-instance/${ids[0]}`);
      const adminDeletes = await t.as('admin').delete(`/engine-rest/process-instance/${ids[0]}`);
      const gone = await t.as('admin').get(`/engine-rest/process-instance/${ids[0]}`);

      // then
      expect(page.map((i: { businessKey: string }) => i.businessKey)).toEqual(['PAGE-1']);
      // alice is in servicedesk, to which the tasks are offered: she takes part in bob's instances; owner owns no key
      expect(asAlice.map((i: { id: string }) => i.id).sort()).toEqual([...ids].sort());
      expect([hidden.status, hidden.body.type]).toEqual([404, 'InvalidRequestException']);
      expect(bobDeletes.status).toBe(403);
      expect(adminDeletes.status).toBe(204);
      expect([gone.status, gone.body.type]).toEqual([404, 'InvalidRequestException']);
      expect((await t.as('admin').get(`/api/instances/${ids[0]}`).expect(200)).body.status).toBe('cancelled');
      expect((await t.as('admin').delete(`/engine-rest/process-instance/${ids[0]}?failIfNotExists=false`)).status).toBe(204);
      expect((await t.as('admin').delete(`/engine-rest/process-instance/${ids[0]}`)).status).toBe(404);
    });
  });

  describe('tasks', () => {
    beforeAll(async () => {
      await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(linearTasks('rest-tasks', ['first', 'second'], 'resolvers')).expect(201);
    });

    it('finds candidate tasks, claims, reads form variables and completes with typed variables; the instance moves on', async () => {
      // given
      const instance = (await t.as('alice').post('/engine-rest/process-definition/key/rest-tasks/start').send({ variables: { ticket: { value: 'INC-7', type: 'String' } } }).expect(200)).body;
      const offered = (await t.as('bob').get(`/engine-rest/task?candidateGroup=resolvers&processInstanceId=${instance.id}`).expect(200)).body;
      expect(offered).toHaveLength(1);
      const task = offered[0];

      // when
      const someoneElse = await t.as('bob').post(`/engine-rest/task/${task.id}/claim`).send({ userId: 'alice' });
      await t.as('bob').post(`/engine-rest/task/${task.id}/claim`).send({ userId: 'bob' }).expect(204);
      const stillOffered = (await t.as('bob').get(`/engine-rest/task?candidateGroup=resolvers&processInstanceId=${instance.id}`).expect(200)).body;
      const assigned = (await t.as('bob').get(`/engine-rest/task?assignee=bob&processInstanceId=${instance.id}`).expect(200)).body;
      const byAlice = await t.as('alice').post(`/engine-rest/task/${task.id}/complete`).send({});
      const formVariables = (await t.as('bob').get(`/engine-rest/task/${task.id}/form-variables`).expect(200)).body;
      const done = await t.as('bob').post(`/engine-rest/task/${task.id}/complete`).send({ variables: { approved: { value: true, type: 'Boolean' } }, withVariablesInReturn: true });

      // then
      expect([someoneElse.status, someoneElse.body.type]).toEqual([403, 'AuthorizationException']);
      expect(stillOffered).toEqual([]);
      expect(assigned.map((x: { id: string; assignee: string }) => [x.id, x.assignee])).toEqual([[task.id, 'bob']]);
      expect([byAlice.status, byAlice.body.type]).toEqual([409, 'BadUserRequestException']);
      expect(formVariables).toMatchObject({ ticket: { type: 'String', value: 'INC-7' } });
      expect(done.status).toBe(200);
      expect(done.body).toMatchObject({ approved: { type: 'Boolean', value: true }, ticket: { type: 'String', value: 'INC-7' } });
      const next = (await t.as('bob').get(`/engine-rest/task?processInstanceId=${instance.id}`).expect(200)).body;
      expect(next.map((x: { taskDefinitionKey: string }) => x.taskDefinitionKey)).toEqual(['second']);
      expect((await t.as('bob').get(`/engine-rest/task/${task.id}`)).status).toBe(404);
      const history = (await t.as('admin').get(`/api/instances/${instance.id}/history`).expect(200)).body as { type: string; actor: string }[];
      expect(history.find((e) => e.type === 'task.completed')?.actor).toBe('bob');
    });

    it('unclaims, and hides tasks the caller may not see (404, as the native API)', async () => {
      const instance = (await t.as('alice').post('/engine-rest/process-definition/key/rest-tasks/start').send({}).expect(200)).body;
      const [task] = (await t.as('alice').get(`/engine-rest/task?processInstanceId=${instance.id}`).expect(200)).body;
      await t.as('alice').post(`/engine-rest/task/${task.id}/claim`).send({ userId: 'alice' }).expect(204);
      await t.as('alice').post(`/engine-rest/task/${task.id}/unclaim`).expect(204);
      expect((await t.as('alice').get(`/engine-rest/task/${task.id}`).expect(200)).body.assignee).toBeNull();
      const owner = await t.as('owner').get(`/engine-rest/task/${task.id}`);
      expect([owner.status, owner.body.type]).toEqual([404, 'InvalidRequestException']);
      expect((await t.as('owner').get('/engine-rest/task?processDefinitionKey=rest-tasks').expect(200)).body).toEqual([]);
    });
  });

  describe('messages and signals', () => {
    beforeAll(async () => {
      await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(messageDiagram).expect(201);
    });

    it('correlates a message by business key with process variables and answers the result', async () => {
      // given
      const instance = (await t.as('alice').post('/engine-rest/process-definition/key/waits-for-reply/start').send({ businessKey: 'REPLY-1' }).expect(200)).body;

      // when
      const res = await t.as('alice').post('/engine-rest/message').send({
        messageName: 'customer-reply',
        businessKey: 'REPLY-1',
        processVariables: { reply: { value: 'works again', type: 'String' } },
        resultEnabled: true,
        variablesInResultEnabled: true,
      });

      // then
      expect(res.status).toBe(200);
      expect(res.body).toEqual([expect.objectContaining({ resultType: 'Execution', execution: expect.objectContaining({ processInstanceId: instance.id }), variables: expect.objectContaining({ reply: { type: 'String', value: 'works again', valueInfo: {} } }) })]);
      expect((await t.as('alice').get(`/engine-rest/task?processInstanceId=${instance.id}`).expect(200)).body).toHaveLength(1);
    });

    it('answers a message nobody waits for with 400 MismatchingMessageCorrelationException, and a signal with 204', async () => {
      const res = await t.as('alice').post('/engine-rest/message').send({ messageName: 'nobody-waits' });
      expect([res.status, res.body.type]).toEqual([400, 'RestException']);
      expect(res.body.message).toContain('MismatchingMessageCorrelationException');
      await t.as('alice').post('/engine-rest/signal').send({ name: 'nobody-listens' }).expect(204);
      const auditor = await t.as('auditor').post('/engine-rest/signal').send({ name: 'x' });
      expect([auditor.status, auditor.body.type]).toEqual([403, 'AuthorizationException']);
    });
  });

  describe('errors in Camunda\'s shape', () => {
    it('answers {type, message, code} with Content-Type application/json exactly, for every kind of refusal', async () => {
      const anonymous = await t.http.get('/engine-rest/task');
      const badToken = await t.http.get('/engine-rest/task').set('Authorization', 'Bearer nope');
      const malformed = await t.as('alice').post('/engine-rest/message').set('Content-Type', 'application/json').send('{broken');
      const array = await t.as('alice').post('/engine-rest/message').set('Content-Type', 'application/json').send('[]');
      const nul = await t.as('alice').post('/engine-rest/message').send({ messageName: 'a\u0000b' });
      const unknownRoute = await t.as('alice').get('/engine-rest/case-instance');
      const unknownTask = await t.as('alice').get('/engine-rest/task/00000000-0000-4000-8000-000000000000');
      const badSort = await t.as('alice').get('/engine-rest/task?sortBy=nope&sortOrder=asc');
      const onlySortBy = await t.as('alice').get('/engine-rest/task?sortBy=created');
      const tooMany = await t.as('alice').get('/engine-rest/task?maxResults=100000');
      const answers = [anonymous, badToken, malformed, array, nul, unknownRoute, unknownTask, badSort, onlySortBy, tooMany];

      expect(answers.map((r) => r.status)).toEqual([401, 401, 400, 400, 400, 404, 404, 400, 400, 400]);
      expect(answers.map((r) => r.body.type)).toEqual([
        'AuthenticationException', 'AuthenticationException', 'JsonParseException', 'InvalidRequestException', 'InvalidRequestException',
        'InvalidRequestException', 'InvalidRequestException', 'InvalidRequestException', 'InvalidRequestException', 'InvalidRequestException',
      ]);
      for (const res of answers) {
        expect(res.headers['content-type']).toBe('application/json');
        expect(Object.keys(res.body).slice(0, 3)).toEqual(['type', 'message', 'code']);
      }
      expect(onlySortBy.body.message).toBe('Only a single sorting parameter specified. sortBy and sortOrder required');
      expect(anonymous.headers['www-authenticate']).toEqual(expect.stringContaining('Basic'));
    });

    it('serves successful answers with Content-Type application/json exactly, under Basic and bearer alike', async () => {
      const viaBasic = await t.http.get('/engine-rest/process-definition').set('Authorization', basic('bob'));
      const viaBearer = await t.as('bob').get('/engine-rest/process-definition');
      expect([viaBasic.status, viaBasic.headers['content-type']]).toEqual([200, 'application/json']);
      expect(viaBasic.body).toEqual(viaBearer.body);
    });
  });
});
