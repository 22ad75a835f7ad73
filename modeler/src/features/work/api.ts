/**
 * The calls and answers of the work pages (task list, task, start, records, instances). The types
 * come from the generated `schema.d.ts` (the server's OpenAPI document, api/openapi/schemas.ts);
 * the calls go through `typed` and fail the type check when a path, a query parameter or an
 * answer's shape changes. Only the form-js schema inside form answers is typed here by hand
 * (form-js defines it; the API passes it through as an object).
 */
import { request } from '../../api/client';
import type { paths } from '../../api/schema';
import { typed, type Answer, type Schemas } from '../../api/typed';

type QueryOf<P extends keyof paths> = paths[P] extends { get: { parameters: { query?: infer Q } } } ? NonNullable<Q> : never;

export type HistoryEvent = Schemas['HistoryEvent'];
export type ChainVerdict = Schemas['ChainVerdict'];
export type DefinitionSummary = Schemas['Definition'];
/** A record in lists and under a task. */
export type RecordView = Schemas['RecordSummary'];
export type SlaStatus = RecordView['sla']['status'];
export type InstanceSummary = Schemas['Instance'];

export type TaskQuery = QueryOf<'/api/tasks'>;
export type RecordQuery = QueryOf<'/api/records'>;
export type InstanceQuery = QueryOf<'/api/instances'>;
export type RecordPage = Answer<'/api/records', 'get'>;

/** GET /api/tasks/{id} and the items of GET /api/tasks: the task with `formId` and `record` (a record summary with `sla.dueAt`). */
export type TaskView = Schemas['TaskView'];
/** GET /api/tasks/{id}/form. */
export type TaskForm = Omit<Schemas['TaskForm'], 'schema'> & { schema: FormSchema };
/** GET /api/definitions/{id}/forms. */
export type DefinitionForm = Omit<Schemas['DefinitionForm'], 'schema'> & { schema: FormSchema };
/** The items of RecordDetail.links. */
export type RecordLink = Schemas['RecordDetail']['links'][number];
export type RecordDetail = Schemas['RecordDetail'];
/** Items of GET /api/instances: the instance with the number and title of its record. */
export type InstanceItem = Schemas['InstanceListItem'];
/** GET /api/instances/{id}: the instance with its record, `openTasks` and `children`. */
export type InstanceFull = Schemas['InstanceDetail'];

// ---- Not described by the OpenAPI document: a form-js schema (form-js defines it, the API passes it through as an object) ----

/** A form-js schema (only what the app reads of it). */
export interface FormSchema {
  id?: string;
  components?: FormComponent[];
  [key: string]: unknown;
}

export interface FormComponent {
  id?: string;
  key?: string;
  type: string;
  label?: string;
  components?: FormComponent[];
  [key: string]: unknown;
}

// ---- Calls ----

const enc = encodeURIComponent;

export const work = {
  tasks: (query: TaskQuery) => typed.get('/api/tasks', { query }),
  task: (id: string) => typed.get('/api/tasks/{id}', { params: { id } }),
  taskForm: async (id: string): Promise<TaskForm> => (await typed.get('/api/tasks/{id}/form', { params: { id } })) as TaskForm,
  claim: (id: string) => typed.post('/api/tasks/{id}/claim', { params: { id } }),
  unclaim: (id: string) => typed.post('/api/tasks/{id}/unclaim', { params: { id } }),
  complete: (id: string, variables: Record<string, unknown>) => typed.post('/api/tasks/{id}/complete', { params: { id }, body: { variables } }),
  definitions: (key?: string) => typed.get('/api/definitions', { query: { key } }),
  versions: (key: string) => typed.get('/api/definitions/key/{key}/versions', { params: { key } }),
  definitionForms: async (id: string): Promise<DefinitionForm[]> => (await typed.get('/api/definitions/{id}/forms', { params: { id } })) as DefinitionForm[],
  definitionXml: async (id: string) => (await request<string>(`/api/definitions/${enc(id)}/xml`)).body,
  start: (definitionKey: string, variables: Record<string, unknown>) => typed.post('/api/instances', { body: { definitionKey, variables } }),
  instances: (query: InstanceQuery) => typed.get('/api/instances', { query }),
  instance: (id: string) => typed.get('/api/instances/{id}', { params: { id } }),
  history: (id: string) => typed.get('/api/instances/{id}/history', { params: { id } }),
  verify: (id: string) => typed.get('/api/instances/{id}/history/verify', { params: { id } }),
  records: (query: RecordQuery) => typed.get('/api/records', { query }),
  record: (number: string) => typed.get('/api/records/{number}', { params: { number } }),
};
