/**
 * The calls and answers of the work pages (task list, task, start, records, instances). The types
 * come from the generated `schema.d.ts` (the server's OpenAPI document) wherever the document
 * describes the answer; the calls on those paths go through `typed` and fail the type check when
 * a path or query parameter disappears.
 *
 * The document does not describe every answer yet: the block "Not in the OpenAPI document" below
 * names the answers and fields that still have no schema (api/openapi/schemas.ts). They are the
 * only types here not derived from the document; they go when the document covers them.
 */
import { request, type InstanceResult, type Page, type Task } from '../../api/client';
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

// ---- Not in the OpenAPI document (the server answers them, the document has no schema) ----

/** GET /api/tasks/{id} and the items of GET /api/tasks: no `Task` schema; `formId` and `record` (a record summary with `sla.dueAt`). */
export interface TaskView extends Task {
  formId: string | null;
  record: (Pick<RecordView, 'number' | 'type' | 'title' | 'state' | 'priority'> & {
    sla: Pick<RecordView['sla'], 'status' | 'responseDueAt' | 'resolutionDueAt' | 'paused'> & { dueAt: string | null };
  }) | null;
}

/** GET /api/tasks/{id}/form: no schema. */
export interface TaskForm {
  formId: string;
  schema: FormSchema;
  data: Record<string, unknown>;
}

/** GET /api/definitions/{id}/forms: no schema. */
export interface DefinitionForm {
  formId: string;
  sha256: string;
  elementIds: string[];
  schema: FormSchema;
}

/** A form-js schema (only what the app reads of it; form-js defines it, not the API). */
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

/** The items of RecordDetail.links: the schema has them as free-form objects. */
export interface RecordLink {
  number: string;
  kind: string;
  direction: 'outgoing' | 'incoming';
  type: string;
  state: string;
  title: string | null;
  createdAt: string;
  createdBy: string | null;
}

export type RecordDetail = Omit<Schemas['RecordDetail'], 'links'> & { links: RecordLink[] };

/** Items of GET /api/instances: the `Instance` schema lacks `recordNumber` and `recordTitle`. */
export type InstanceItem = InstanceSummary & { recordNumber: string | null; recordTitle: string | null };

/** GET /api/instances/{id}: no schema; `openTasks` (Task) and `children` besides the instance. */
export type InstanceFull = InstanceItem & {
  openTasks: Task[];
  children: (Pick<InstanceSummary, 'id' | 'definitionKey' | 'definitionVersion' | 'businessKey' | 'status' | 'startedAt' | 'endedAt'> & { parentElementId: string | null })[];
};

// ---- Calls ----

const enc = encodeURIComponent;
type Query = Record<string, string | number | undefined>;

export const work = {
  tasks: async (query: TaskQuery) => (await request<Page<TaskView>>('/api/tasks', { query: query as Query })).body,
  task: async (id: string) => (await request<TaskView>(`/api/tasks/${enc(id)}`)).body,
  taskForm: async (id: string) => (await request<TaskForm>(`/api/tasks/${enc(id)}/form`)).body,
  claim: async (id: string) => (await request<Task>(`/api/tasks/${enc(id)}/claim`, { method: 'POST' })).body,
  unclaim: async (id: string) => (await request<Task>(`/api/tasks/${enc(id)}/unclaim`, { method: 'POST' })).body,
  complete: async (id: string, variables: Record<string, unknown>) =>
    (await request<InstanceResult>(`/api/tasks/${enc(id)}/complete`, { method: 'POST', body: { variables } })).body,
  definitions: (key?: string) => typed.get('/api/definitions', { query: { key } }),
  versions: (key: string) => typed.get('/api/definitions/key/{key}/versions', { params: { key } }),
  definitionForms: async (id: string) => (await request<DefinitionForm[]>(`/api/definitions/${enc(id)}/forms`)).body,
  definitionXml: async (id: string) => (await request<string>(`/api/definitions/${enc(id)}/xml`)).body,
  start: async (definitionKey: string, variables: Record<string, unknown>) =>
    (await request<InstanceResult>('/api/instances', { method: 'POST', body: { definitionKey, variables } })).body,
  instances: async (query: InstanceQuery) => (await request<Page<InstanceItem>>('/api/instances', { query: query as Query })).body,
  instance: async (id: string) => (await request<InstanceFull>(`/api/instances/${enc(id)}`)).body,
  history: (id: string) => typed.get('/api/instances/{id}/history', { params: { id } }),
  verify: (id: string) => typed.get('/api/instances/{id}/history/verify', { params: { id } }),
  records: (query: RecordQuery) => typed.get('/api/records', { query }),
  record: async (number: string) => (await request<RecordDetail>(`/api/records/${enc(number)}`)).body,
};
