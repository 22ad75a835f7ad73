import { EngineError, EngineErrorCode, Orchestrator, type CommandStore } from '../../engine';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { createTestApp, type ApiTestApp } from '../support/test-app';
import { dmnTable } from '../support/dmn';
import { bpmn } from '../support/bpmn';

/** start (start form) → triage (formRef) → review (formKey naming a deployed form) → external (formKey of an external form) → end */
const PROCESS = (triageRef = 'triage-form') =>
  bpmn(
    'forms-incident',
    `<bpmn:startEvent id="start" camunda:formRef="start-form"/>
     <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="triage"/>
     <bpmn:userTask id="triage" name="Triage" camunda:candidateGroups="servicedesk" camunda:formRef="${triageRef}"/>
     <bpmn:sequenceFlow id="f2" sourceRef="triage" targetRef="review"/>
     <bpmn:userTask id="review" name="Review" camunda:candidateGroups="servicedesk" camunda:formKey="review-form"/>
     <bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="external"/>
     <bpmn:userTask id="external" name="External" camunda:candidateGroups="servicedesk" camunda:formKey="embedded:app:forms/x.html"/>
     <bpmn:sequenceFlow id="f4" sourceRef="external" targetRef="end"/>
     <bpmn:endEvent id="end"/>`,
  );

const form = (id: string, components: unknown[]) => JSON.stringify({ id, type: 'default', schemaVersion: 16, components }, null, 2);
const TRIAGE = (maxImpact = 3) =>
  form('triage-form', [
    { type: 'textfield', key: 'summary', label: 'Summary', validate: { required: true } },
    { type: 'number', key: 'impact', label: 'Impact', validate: { required: true, min: 1, max: maxImpact } },
    { type: 'select', key: 'category', label: 'Category', values: [{ label: 'Network', value: 'network' }, { label: 'Hardware', value: 'hardware' }] },
    { type: 'textfield', key: 'number', label: 'Number', readonly: true },
  ]);
// Start variables are validated against the start form: it has every field these tests start with.
const START = form('start-form', [
  { type: 'textfield', key: 'summary', label: 'Summary' },
  { type: 'textfield', key: 'number', label: 'Number' },
  { type: 'textfield', key: 'secret', label: 'Secret' },
]);
const REVIEW = form('review-form', [{ type: 'checkbox', key: 'ok', label: 'OK', validate: { required: true } }]);

interface Task {
  id: string;
  elementId: string;
  status: string;
  formKey: string | null;
  formId: string | null;
}

describe('forms', () => {
  let db: TestDatabase;
  let t: ApiTestApp;
  const deploy = (bpmnXml: string, forms: [string, string][], extra: [string, string][] = []) => {
    let req = t.as('admin').post('/api/definitions').attach('file', Buffer.from(bpmnXml), 'incident.bpmn');
    for (const [name, content] of [...forms, ...extra]) req = req.attach('forms', Buffer.from(content), name);
    return req;
  };
  const start = async (variables: Record<string, unknown>, definitionId?: string) =>
    (await t.as('alice').post('/api/instances').send({ ...(definitionId ? { definitionId } : { definitionKey: 'forms-incident' }), variables }).expect(201)).body;
  const openTasks = async (instanceId: string) => (await t.as('auditor').get(`/api/tasks?instanceId=${instanceId}&status=open`).expect(200)).body.items as Task[];
  const instance = async (id: string) => (await t.as('auditor').get(`/api/instances/${id}`).expect(200)).body;
  const history = async (id: string) => (await t.as('auditor').get(`/api/instances/${id}/history`).expect(200)).body as unknown[];
  const versions = async () => (await t.as('admin').get('/api/definitions/key/forms-incident/versions').expect(200)).body as { id: string; version: number }[];

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db);
    await t.user({ username: 'carol', roles: ['staff'], groups: ['elsewhere'] });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  let v1: string;

  it('deploys one BPMN with its forms in one multipart request; an identical redeploy answers the same version', async () => {
    const res = await deploy(PROCESS(), [['triage.form', TRIAGE()], ['start.form', START], ['review.json', REVIEW]]).expect(201);
    expect(res.body).toMatchObject({ key: 'forms-incident', version: 1, created: true });
    expect(res.body.forms.map((f: { formId: string }) => f.formId)).toEqual(['review-form', 'start-form', 'triage-form']);
    v1 = res.body.id;
    const again = await deploy(PROCESS(), [['start.form', START], ['review.json', REVIEW], ['triage.form', TRIAGE()]]).expect(200);
    expect(again.body).toMatchObject({ id: v1, version: 1, created: false });
    expect(await versions()).toHaveLength(1);
  });

  it('a changed form alone makes a new definition version', async () => {
    const res = await deploy(PROCESS(), [['triage.form', TRIAGE(5)], ['start.form', START], ['review.form', REVIEW]]).expect(201);
    expect(res.body).toMatchObject({ version: 2, created: true });
    expect((await versions()).map((v) => v.version)).toEqual([2, 1]);
    const forms = (await t.as('alice').get(`/api/definitions/${res.body.id}/forms`).expect(200)).body;
    expect(forms.map((f: { formId: string; elementIds: string[] }) => [f.formId, f.elementIds])).toEqual([
      ['review-form', ['review']],
      ['start-form', ['start']],
      ['triage-form', ['triage']],
    ]);
    expect(forms[2].schema.components[1].validate.max).toBe(5);
    expect((await t.as('alice').get(`/api/definitions/${v1}/forms`).expect(200)).body[2].schema.components[1].validate.max).toBe(3);
  });

  it('refuses a formRef that names no form of the deployment, naming the task and the form id; nothing is stored', async () => {
    const res = await deploy(PROCESS('triage-typo'), [['triage.form', TRIAGE()], ['start.form', START], ['review.form', REVIEW]]).expect(422);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.problems).toEqual([expect.objectContaining({ rule: 'form-missing', elementId: 'triage', message: expect.stringContaining('"triage-typo"') })]);
    expect(await versions()).toHaveLength(2);
  });

  it('refuses an invalid form file, and an invalid decision file with the process', async () => {
    const bad = await deploy(PROCESS(), [['triage.form', '{"id": "triage-form", "type": "default", "components": [{"type": "fancy", "key": "x"}]}'], ['start.form', START], ['review.form', REVIEW]]).expect(422);
    expect(bad.body.problems[0].message).toMatch(/triage\.form.*unknown component type "fancy"/);
    const dmn = await deploy(PROCESS(), [['triage.form', TRIAGE()], ['start.form', START], ['review.form', REVIEW]], [['priority.dmn', '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/"/>']]).expect(422);
    expect(JSON.stringify(dmn.body.problems)).toMatch(/decision/i);
    const two = await deploy(PROCESS(), [['other.bpmn', PROCESS()]]).expect(400);
    expect(two.body.detail).toMatch(/exactly one BPMN file/);
    const tooMany = await deploy(PROCESS(), Array.from({ length: 101 }, (_, i) => [`f${i}.form`, form(`f${i}`, [])] as [string, string])).expect(400);
    expect(tooMany.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(await versions()).toHaveLength(2);
  });

  it('GET /api/tasks/:id/form answers the schema and the current values of its fields; the task list names the form', async () => {
    const started = await start({ summary: 'Mail down', secret: 'not in the form', number: 'INC0000001' });
    const [task] = await openTasks(started.instance.id);
    expect(task).toMatchObject({ elementId: 'triage', formId: 'triage-form' });
    expect((await t.as('alice').get(`/api/tasks/${task!.id}`).expect(200)).body.formId).toBe('triage-form');
    const res = await t.as('alice').get(`/api/tasks/${task!.id}/form`).expect(200);
    expect(res.body.formId).toBe('triage-form');
    expect(res.body.schema).toMatchObject({ id: 'triage-form', type: 'default' });
    expect(res.body.schema.components[1].validate.max).toBe(5); // the latest version's form
    expect(res.body.data).toEqual({ summary: 'Mail down', number: 'INC0000001' });
  });

  it('another user who may not read the task cannot read its form (404); an auditor can', async () => {
    const started = await start({ summary: 'x' });
    const [task] = await openTasks(started.instance.id);
    const res = await t.as('carol').get(`/api/tasks/${task!.id}/form`).expect(404);
    expect(res.body.code).toBe('TASK_NOT_FOUND');
    await t.as('auditor').get(`/api/tasks/${task!.id}/form`).expect(200);
  });

  it('completion with bad values answers 422 with one entry per field, and nothing changes', async () => {
    const started = await start({ summary: 'Mail down', number: 'INC0000002' });
    const id = started.instance.id;
    const [task] = await openTasks(id);
    const before = { instance: await instance(id), history: await history(id) };

    const res = await t
      .as('alice')
      .post(`/api/tasks/${task!.id}/complete`)
      .send({ variables: { summary: 'Mail down', impact: 9, category: 'plumbing', number: 'INC9', unknown: 1 } })
      .expect(422);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'FORM_VALIDATION_FAILED', formId: 'triage-form' });
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'impact', message: 'must be at most 5' },
        { field: 'category', message: 'must be one of "network", "hardware"' },
        { field: 'number', message: 'is read-only in this form' },
        { field: 'unknown', message: 'is not a field of this form' },
      ]),
    );
    expect(res.body.errors).toHaveLength(4);
    const wrongType = await t.as('alice').post(`/api/tasks/${task!.id}/complete`).send({ variables: { impact: 'high' } }).expect(422);
    expect(wrongType.body.errors).toEqual([
      { field: 'summary', message: 'is required' }, // the value an earlier step left does not count: the form asks the person completing it
      { field: 'impact', message: 'must be a number' },
    ]);

    // nothing changed: the task is open, the variables and the history are as before
    expect((await openTasks(id)).map((x) => x.id)).toEqual([task!.id]);
    const after = await instance(id);
    expect(after.variables).toEqual(before.instance.variables);
    expect(after.revision).toBe(before.instance.revision);
    expect(await history(id)).toEqual(before.history);

    // a good submission completes the task; the next task's form is bound by its formKey
    await t.as('alice').post(`/api/tasks/${task!.id}/complete`).send({ variables: { summary: 'Mail down (all sites)', impact: 2, category: 'network' } }).expect(200);
    expect((await instance(id)).variables).toMatchObject({ summary: 'Mail down (all sites)', impact: 2, category: 'network' });
    const [review] = await openTasks(id);
    expect(review).toMatchObject({ elementId: 'review', formKey: 'review-form', formId: 'review-form' });
    const unchecked = await t.as('alice').post(`/api/tasks/${review!.id}/complete`).send({ variables: { ok: false } }).expect(422);
    expect(unchecked.body.errors).toEqual([{ field: 'ok', message: 'is required' }]);
    await t.as('alice').post(`/api/tasks/${review!.id}/complete`).send({ variables: { ok: true } }).expect(200);

    // a form key that names no deployed form is an external form: no form endpoint, no validation
    const [external] = await openTasks(id);
    expect(external).toMatchObject({ elementId: 'external', formKey: 'embedded:app:forms/x.html', formId: null });
    const none = await t.as('alice').get(`/api/tasks/${external!.id}/form`).expect(404);
    expect(none.body.code).toBe('FORM_NOT_FOUND');
    await t.as('alice').post(`/api/tasks/${external!.id}/complete`).send({ variables: { anything: 1 } }).expect(200);
    expect((await instance(id)).status).toBe('completed');
  });

  it('a task validates against the form of its own definition version', async () => {
    const started = await start({ summary: 'old version' }, v1);
    const [task] = await openTasks(started.instance.id);
    const res = await t.as('alice').post(`/api/tasks/${task!.id}/complete`).send({ variables: { summary: 'old', impact: 4 } }).expect(422); // v1: max 3
    expect(res.body.errors).toEqual([{ field: 'impact', message: 'must be at most 3' }]);
    expect((await t.as('alice').get(`/api/tasks/${task!.id}/form`).expect(200)).body.schema.components[1].validate.max).toBe(3);
    await t.as('alice').post(`/api/tasks/${task!.id}/complete`).send({ variables: { summary: 'old', impact: 3 } }).expect(200);
  });

  it('deploys a process with its decision table in one request: both versions exist, in one transaction', async () => {
    const table = dmnTable('forms-priority', { hitPolicy: 'FIRST', inputs: ['impact'], outputs: ['priority'], rules: [[['"high"'], ['"P1"']], [['-'], ['"P3"']]] });
    const files: [string, string][] = [['triage.form', TRIAGE(7)], ['start.form', START], ['review.form', REVIEW]];
    await deploy(PROCESS(), files, [['decisions/priority.dmn', table]]).expect(201);
    const decision = (await t.as('admin').get('/api/decisions/forms-priority').expect(200)).body;
    expect(decision).toMatchObject({ key: 'forms-priority', version: 1 });
    const evaluated = await t.as('admin').post('/api/decisions/forms-priority/evaluate').send({ variables: { impact: 'high' } }).expect(200);
    expect(evaluated.body.result).toEqual({ priority: 'P1' });
  });

  it('hands .dmn parts to the registered decision deployer inside the deployment transaction; its refusal stores nothing', async () => {
    const DMN = '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d"/>';
    const calls: { xml: string; actor: string | null; inTransaction: boolean }[] = [];
    let refuse = false;
    t.app.get(Orchestrator).registerDecisionDeployer(async (store: CommandStore, xml, actor) => {
      calls.push({ xml, actor, inTransaction: typeof store.lockDefinitionKey === 'function' });
      if (refuse) throw new EngineError(EngineErrorCode.InvalidDefinition, 'bad decision table', { details: { problems: [{ rule: 'dmn', message: 'bad' }] } });
      return { decisionKey: 'priority' };
    });
    const files: [string, string][] = [['triage.form', TRIAGE(4)], ['start.form', START], ['review.form', REVIEW]];
    const ok = await deploy(PROCESS(), files, [['decisions/priority.dmn', DMN]]).expect(201);
    expect(ok.body.decisions).toEqual([{ decisionKey: 'priority' }]);
    expect(calls).toEqual([{ xml: DMN, actor: 'admin', inTransaction: true }]);
    const count = (await versions()).length;
    refuse = true;
    await deploy(PROCESS(), [['triage.form', TRIAGE(6)], ['start.form', START], ['review.form', REVIEW]], [['priority.dmn', DMN]]).expect(422);
    expect(await versions()).toHaveLength(count);
  });

  it('a formKey expression that resolves to a deployed form id binds the task to that form', async () => {
    const xml = bpmn(
      'forms-dynamic',
      `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
       <bpmn:userTask id="work" camunda:candidateGroups="servicedesk" camunda:formKey="\${formName}"/>
       <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end"/><bpmn:endEvent id="end"/>`,
    );
    await t.as('admin').post('/api/definitions').attach('file', Buffer.from(xml), 'dynamic.bpmn').attach('forms', Buffer.from(REVIEW), 'review.form').expect(201);
    const started = (await t.as('alice').post('/api/instances').send({ definitionKey: 'forms-dynamic', variables: { formName: 'review-form' } }).expect(201)).body;
    const [task] = await openTasks(started.instance.id);
    expect(task).toMatchObject({ formKey: 'review-form', formId: 'review-form' });
    const res = await t.as('alice').post(`/api/tasks/${task!.id}/complete`).send({ variables: {} }).expect(422);
    expect(res.body.errors).toEqual([{ field: 'ok', message: 'is required' }]);
  });
});
