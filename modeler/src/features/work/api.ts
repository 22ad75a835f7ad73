/**
 * The calls and answers of the work pages (task list, task, start, records, instances). Typed by
 * hand after the server's DTOs (api/tasks, api/instances, api/records); the query parameters are
 * those the server validates.
 */
import { request, type HistoryEvent, type Instance, type InstanceResult, type Page, type Task } from '../../api/client';

export type SlaStatus = 'breached' | 'at risk' | 'on track' | 'paused' | null;

/** The record a task works on. */
export interface TaskRecordSummary {
  number: string;
  type: string;
  title: string | null;
  state: string;
  priority: string | null;
  sla: { status: SlaStatus; dueAt: string | null; responseDueAt: string | null; resolutionDueAt: string | null; paused: boolean };
}

export interface TaskView extends Task {
  formId: string | null;
  record: TaskRecordSummary | null;
}

export type TaskScope = 'assigned' | 'groups';
export type TaskSort = 'priority' | 'due' | 'record' | 'created';

export interface TaskQuery {
  scope?: TaskScope;
  assignee?: string;
  candidateGroup?: string;
  definitionKey?: string;
  q?: string;
  overdue?: 'true';
  sort?: TaskSort;
  instanceId?: string;
  page?: number;
  size?: number;
}

export interface TaskForm {
  formId: string;
  schema: FormSchema;
  data: Record<string, unknown>;
}

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

export interface DefinitionForm {
  formId: string;
  sha256: string;
  elementIds: string[];
  schema: FormSchema;
}

export interface RecordView {
  number: string;
  type: string;
  instanceId: string;
  definitionKey: string;
  state: string;
  title: string | null;
  priority: string | null;
  assignee: string | null;
  openedBy: string | null;
  openedAt: string;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  sla: { status: SlaStatus; responseDueAt: string | null; responseMet: boolean | null; resolutionDueAt: string | null; resolutionMet: boolean | null; paused: boolean };
  updatedAt: string;
}

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

export interface RecordDetail extends RecordView {
  fields: Record<string, unknown>;
  instances: { id: string; definitionKey: string; definitionVersion: number; status: string; parentInstanceId: string | null; startedAt: string; endedAt: string | null }[];
  links: RecordLink[];
  timeline: HistoryEvent[];
}

export interface RecordQuery {
  q?: string;
  type?: string;
  state?: string;
  priority?: string;
  assignee?: string;
  openedFrom?: string;
  openedTo?: string;
  sla?: string;
  open?: string;
  page?: number;
  size?: number;
}

export interface InstanceItem extends Instance {
  parentInstanceId: string | null;
  parentElementId: string | null;
  rootInstanceId: string | null;
  recordNumber: string | null;
  recordTitle: string | null;
}

export interface ChildInstance {
  id: string;
  definitionKey: string;
  definitionVersion: number;
  businessKey: string | null;
  status: string;
  parentElementId: string | null;
  startedAt: string;
  endedAt: string | null;
}

export interface InstanceFull extends InstanceItem {
  openTasks: Task[];
  children: ChildInstance[];
}

export interface InstanceQuery {
  key?: string;
  status?: string;
  businessKey?: string;
  recordNumber?: string;
  startedFrom?: string;
  startedTo?: string;
  startedBy?: string;
  assignee?: string;
  called?: string;
  page?: number;
  size?: number;
}

export interface DefinitionSummary {
  id: string;
  key: string;
  version: number;
  name: string | null;
  state: string;
}

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
  definitions: async (key?: string) => (await request<DefinitionSummary[]>('/api/definitions', { query: { key } })).body,
  definitionForms: async (id: string) => (await request<DefinitionForm[]>(`/api/definitions/${enc(id)}/forms`)).body,
  definitionXml: async (id: string) => (await request<string>(`/api/definitions/${enc(id)}/xml`)).body,
  start: async (definitionKey: string, variables: Record<string, unknown>) =>
    (await request<InstanceResult>('/api/instances', { method: 'POST', body: { definitionKey, variables } })).body,
  instances: async (query: InstanceQuery) => (await request<Page<InstanceItem>>('/api/instances', { query: query as Query })).body,
  instance: async (id: string) => (await request<InstanceFull>(`/api/instances/${enc(id)}`)).body,
  history: async (id: string) => (await request<HistoryEvent[]>(`/api/instances/${enc(id)}/history`)).body,
  verify: async (id: string) => (await request<{ valid: boolean; checked: number; firstInvalid: { seq: number; reason: string } | null }>(`/api/instances/${enc(id)}/history/verify`)).body,
  records: async (query: RecordQuery) => (await request<Page<RecordView>>('/api/records', { query: query as Query })).body,
  record: async (number: string) => (await request<RecordDetail>(`/api/records/${enc(number)}`)).body,
};
