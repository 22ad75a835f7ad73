import type { OpenAPIObject } from '@nestjs/swagger';
import { bpmn } from '../../test/support/bpmn';
import { createTestApp, type ApiTestApp } from '../../test/support/test-app';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database';
import { createOpenApiDocument } from './document';

type Json = Record<string, unknown>;
interface S {
  $ref?: string;
  allOf?: S[];
  type?: string;
  nullable?: boolean;
  enum?: unknown[];
  required?: string[];
  properties?: Record<string, S>;
  additionalProperties?: boolean | S;
  items?: S;
}

/**
 * Checks a real answer against its schema in the OpenAPI document: every required field present,
 * types, nullability, enums, and no field the schema does not name (unless it allows any).
 * Answers the list of mismatches (empty: the answer conforms).
 */
function mismatches(doc: OpenAPIObject, schema: S, value: unknown, at = '$'): string[] {
  if (schema.$ref) return mismatches(doc, doc.components!.schemas![schema.$ref.split('/').pop()!] as S, value, at);
  if (schema.allOf) {
    const parts = schema.allOf.map((p) => flatten(doc, p));
    const merged: S = { type: 'object', required: parts.flatMap((p) => p.required ?? []), properties: Object.assign({}, ...parts.map((p) => p.properties ?? {})) };
    if (value === null && schema.nullable) return [];
    return mismatches(doc, merged, value, at);
  }
  if (value === null) return schema.nullable ? [] : [`${at}: null where the schema does not allow it`];
  if (schema.enum && !schema.enum.includes(value)) return [`${at}: ${JSON.stringify(value)} not in ${JSON.stringify(schema.enum)}`];
  const t = schema.type;
  if (t === 'string') return typeof value === 'string' ? [] : [`${at}: not a string`];
  if (t === 'integer') return Number.isInteger(value) ? [] : [`${at}: not an integer`];
  if (t === 'number') return typeof value === 'number' ? [] : [`${at}: not a number`];
  if (t === 'boolean') return typeof value === 'boolean' ? [] : [`${at}: not a boolean`];
  if (t === 'array') return Array.isArray(value) ? value.flatMap((v, i) => mismatches(doc, schema.items ?? {}, v, `${at}[${i}]`)) : [`${at}: not an array`];
  if (t === 'object') {
    if (typeof value !== 'object' || Array.isArray(value)) return [`${at}: not an object`];
    const obj = value as Json;
    const out = (schema.required ?? []).filter((k) => !(k in obj)).map((k) => `${at}.${k}: missing`);
    for (const [k, v] of Object.entries(obj)) {
      const p = schema.properties?.[k];
      if (p) out.push(...mismatches(doc, p, v, `${at}.${k}`));
      else if (!schema.additionalProperties) out.push(`${at}.${k}: not in the schema`);
    }
    return out;
  }
  return [];
}

function flatten(doc: OpenAPIObject, s: S): S {
  if (s.$ref) return flatten(doc, doc.components!.schemas![s.$ref.split('/').pop()!] as S);
  if (s.allOf) {
    const parts = s.allOf.map((p) => flatten(doc, p));
    return { type: 'object', required: parts.flatMap((p) => p.required ?? []), properties: Object.assign({}, ...parts.map((p) => p.properties ?? {})) };
  }
  return s;
}

const FORM = JSON.stringify({ id: 'work-form', type: 'default', schemaVersion: 16, components: [{ type: 'textfield', key: 'note', label: 'Note' }] });
const incident = bpmn(
  'doc-incident',
  `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
   <bpmn:userTask id="work" name="Work" camunda:candidateGroups="servicedesk" camunda:formRef="work-form"/>
   <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end"/><bpmn:endEvent id="end"/>`,
  'itsm:recordType="incident"',
);
const problem = bpmn(
  'doc-problem',
  `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="link"/>
   <bpmn:serviceTask id="link" camunda:delegateExpression="\${linkRecord}">
     <bpmn:extensionElements><camunda:inputOutput>
       <camunda:inputParameter name="to">\${incident}</camunda:inputParameter>
       <camunda:inputParameter name="kind">caused_by</camunda:inputParameter>
     </camunda:inputOutput></bpmn:extensionElements>
   </bpmn:serviceTask>
   <bpmn:sequenceFlow id="f2" sourceRef="link" targetRef="analyse"/>
   <bpmn:userTask id="analyse" name="Analyse" camunda:candidateGroups="servicedesk"/>
   <bpmn:sequenceFlow id="f3" sourceRef="analyse" targetRef="end"/><bpmn:endEvent id="end"/>`,
  'itsm:recordType="problem"',
);

describe('the OpenAPI document describes the answers the server gives', () => {
  let db: TestDatabase;
  let t: ApiTestApp;
  let doc: OpenAPIObject;
  /** The schema of the `status` answer of `method path` in the document. */
  const schemaOf = (path: string, method: string, status: number): S => {
    const op = (doc.paths[path] as Record<string, { responses: Record<string, { content?: Record<string, { schema?: S }> }> }>)[method];
    const schema = op?.responses[String(status)]?.content?.['application/json']?.schema;
    if (!schema) throw new Error(`the document has no ${status} answer schema for ${method.toUpperCase()} ${path}`);
    return schema;
  };
  /** Asserts the body conforms to the document and answers it. */
  const conforms = (path: string, method: string, res: { status: number; body: unknown }) => {
    expect({ path, method, problems: mismatches(doc, schemaOf(path, method, res.status), res.body) }).toEqual({ path, method, problems: [] });
    return res.body as Json;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db);
    doc = createOpenApiDocument(t.app);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('tasks, task forms, instances, definition forms and records (with links) match their schemas', async () => {
    const deployed = (await t.as('admin').post('/api/definitions').attach('file', Buffer.from(incident), 'incident.bpmn').attach('forms', Buffer.from(FORM), 'work.form').expect(201)).body;
    await t.as('admin').post('/api/definitions').attach('file', Buffer.from(problem), 'problem.bpmn').expect(201);

    const started = conforms('/api/instances', 'post', await t.as('alice').post('/api/instances').send({ definitionKey: 'doc-incident', variables: { title: 'Outage' } }).expect(201));
    const instanceId = (started.instance as Json).id as string;
    const detail = conforms('/api/instances/{id}', 'get', await t.as('auditor').get(`/api/instances/${instanceId}`).expect(200));
    expect(detail.recordNumber).toEqual(expect.any(String));
    expect(detail.openTasks).toHaveLength(1);
    const list = conforms('/api/instances', 'get', await t.as('auditor').get('/api/instances').expect(200));
    expect((list.items as Json[]).find((i) => i.id === instanceId)).toMatchObject({ recordNumber: detail.recordNumber, recordTitle: 'Outage' });

    const tasks = conforms('/api/tasks', 'get', await t.as('alice').get(`/api/tasks?instanceId=${instanceId}`).expect(200));
    const task = (tasks.items as Json[])[0]!;
    expect(task).toMatchObject({ formId: 'work-form', record: { number: detail.recordNumber } });
    conforms('/api/tasks/{id}', 'get', await t.as('alice').get(`/api/tasks/${task.id}`).expect(200));
    const form = conforms('/api/tasks/{id}/form', 'get', await t.as('alice').get(`/api/tasks/${task.id}/form`).expect(200));
    expect(form.formId).toBe('work-form');
    conforms('/api/definitions/{id}/forms', 'get', await t.as('alice').get(`/api/definitions/${deployed.id}/forms`).expect(200));
    conforms('/api/tasks/{id}/claim', 'post', await t.as('alice').post(`/api/tasks/${task.id}/claim`).expect(200));
    conforms('/api/tasks/{id}/unclaim', 'post', await t.as('alice').post(`/api/tasks/${task.id}/unclaim`).expect(200));
    conforms('/api/tasks/{id}/assign', 'post', await t.as('admin').post(`/api/tasks/${task.id}/assign`).send({ assignee: 'alice' }).expect(200));

    await t.as('alice').post('/api/instances').send({ definitionKey: 'doc-problem', variables: { incident: detail.recordNumber, title: 'Cause' } }).expect(201);
    const record = conforms('/api/records/{number}', 'get', await t.as('auditor').get(`/api/records/${detail.recordNumber}`).expect(200));
    expect(record.links).toEqual([expect.objectContaining({ kind: 'caused_by', direction: 'incoming' })]);

    conforms('/api/tasks/{id}/complete', 'post', await t.as('alice').post(`/api/tasks/${task.id}/complete`).send({ variables: { note: 'done' } }).expect(200));
  });

  it('drafts and deploy requests match their schemas', async () => {
    const xml = bpmn('doc-draft', '<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="end"/><bpmn:endEvent id="end"/>');
    const body = { bpmn: xml, forms: [{ name: 'work.form', content: FORM }], decisions: [], comment: 'first' };
    const draft = conforms('/api/drafts', 'post', await t.as('admin').post('/api/drafts').send(body).expect(201));
    conforms('/api/drafts', 'get', await t.as('admin').get('/api/drafts').expect(200));
    conforms('/api/drafts/{id}', 'get', await t.as('admin').get(`/api/drafts/${draft.id}`).expect(200));
    conforms('/api/drafts/{id}', 'put', await t.as('admin').put(`/api/drafts/${draft.id}`).send({ ...body, comment: 'second', revision: 1 }).expect(200));
    conforms('/api/drafts/{id}/revisions', 'get', await t.as('admin').get(`/api/drafts/${draft.id}/revisions`).expect(200));
    conforms('/api/drafts/{id}/deploy', 'post', await t.as('admin').post(`/api/drafts/${draft.id}/deploy`).send({ revision: 2 }).expect(201));
    conforms('/api/drafts/{id}/deploy', 'post', await t.as('admin').post(`/api/drafts/${draft.id}/deploy`).send({ revision: 2 }).expect(200));

    const owned = conforms('/api/drafts', 'post', await t.as('owner').post('/api/drafts').send({ ...body, bpmn: xml.replace(/doc-draft/g, 'doc-owned') }).expect(201));
    const submitted = conforms('/api/deploy-requests', 'post', await t.as('owner').post('/api/deploy-requests').send({ draftId: owned.id, comment: 'please' }).expect(201));
    conforms('/api/deploy-requests', 'get', await t.as('admin').get('/api/deploy-requests').expect(200));
    conforms('/api/deploy-requests/{id}', 'get', await t.as('admin').get(`/api/deploy-requests/${submitted.id}`).expect(200));
    conforms('/api/deploy-requests/{id}/approve', 'post', await t.as('admin').post(`/api/deploy-requests/${submitted.id}/approve`).send({}).expect(200));
    const again = conforms('/api/deploy-requests', 'post', await t.as('owner').post('/api/deploy-requests').send({ draftId: owned.id, comment: 'again' }).expect(201));
    conforms('/api/deploy-requests/{id}/withdraw', 'post', await t.as('owner').post(`/api/deploy-requests/${again.id}/withdraw`).send({}).expect(200));
    const third = conforms('/api/deploy-requests', 'post', await t.as('owner').post('/api/deploy-requests').send({ draftId: owned.id, comment: 'third' }).expect(201));
    conforms('/api/deploy-requests/{id}/reject', 'post', await t.as('admin').post(`/api/deploy-requests/${third.id}/reject`).send({ reason: 'no' }).expect(200));
  });
});
