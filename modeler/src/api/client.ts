/**
 * Typed fetch wrapper for the orchestrator's REST API. Every request carries the session's access
 * token as `Authorization: Bearer`; a 401 gets one refresh and one retry, and if that does not
 * help the session ends (the app shows the login view). Every error answer is an RFC 9457
 * problem+json body and is thrown as an {@link ApiError}.
 */
import { session } from '../auth/session';
import { ACCEPT, readAnswer, type Answer, type DefinitionProblem } from './http';

export { ApiError, type Answer, type DefinitionProblem, type Problem } from './http';

export type DefinitionState = 'active' | 'suspended' | string;

export interface Definition {
  id: string;
  key: string;
  version: number;
  versionTag: string | null;
  name: string | null;
  sha256: string;
  state: DefinitionState;
  deployedBy: string | null;
  deployedAt: string;
  warnings: DefinitionProblem[];
  created?: boolean;
}

export type InstanceStatus = 'running' | 'completed' | 'cancelled' | 'failed';

export interface Instance {
  id: string;
  definitionId: string;
  definitionKey: string;
  definitionVersion: number;
  businessKey: string | null;
  status: InstanceStatus;
  variables: Record<string, unknown>;
  activeElementIds: string[];
  revision: number;
  startedBy: string | null;
  startedAt: string;
  endedAt: string | null;
  endReason: string | null;
}

export interface InstanceDetail extends Instance {
  openTasks: Task[];
}

export interface Task {
  id: string;
  instanceId: string;
  definitionKey: string;
  elementId: string;
  executionId: string;
  name: string | null;
  assignee: string | null;
  candidateUsers: string[];
  candidateGroups: string[];
  dueAt: string | null;
  followUpAt: string | null;
  priority: number;
  formKey: string | null;
  status: 'open' | 'completed' | 'cancelled';
  createdAt: string;
  completedAt: string | null;
  completedBy: string | null;
  submitted: Record<string, unknown> | null;
}

/** Answer of the commands that run the process (start, complete). */
export interface InstanceResult {
  instance: Instance;
  tasks: Task[];
}

export interface Page<T> {
  items: T[];
  page: number;
  size: number;
  total: number;
}

export interface HistoryEvent {
  instanceId: string;
  seq: number;
  type: string;
  elementId: string | null;
  elementType: string | null;
  executionId: string | null;
  actor: string | null;
  payload: Record<string, unknown> | null;
  occurredAt: string;
  prevHash: string | null;
  hash: string;
}

export interface ChainVerdict {
  valid: boolean;
  checked: number;
  firstInvalid: { seq: number; reason: string } | null;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT';
  /** A plain object is sent as JSON; strings and FormData are sent as they are. */
  body?: unknown;
  contentType?: string;
  query?: Record<string, string | number | undefined>;
}

/** One API request with the session's token (feature folders build their own calls on it). */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<Answer<T>> {
  const url = withQuery(path, options.query);
  let token = await session.validToken();
  let response = await send(url, options, token);
  if (response.status === 401 && token) {
    // Refreshed meanwhile by another request? Then retry with that token; else refresh once.
    const fresh = session.accessToken();
    if ((fresh && fresh !== token) || (await session.refresh())) {
      token = session.accessToken();
      response = await send(url, options, token);
    }
  }
  if (response.status === 401) session.expire();
  return readAnswer<T>(response);
}

function send(url: string, options: RequestOptions, token: string | null): Promise<Response> {
  const headers = new Headers({ Accept: ACCEPT });
  if (token) headers.set('Authorization', `Bearer ${token}`);

  let body: BodyInit | undefined;
  if (options.body instanceof FormData || typeof options.body === 'string') {
    body = options.body;
    if (options.contentType) headers.set('Content-Type', options.contentType);
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers.set('Content-Type', 'application/json');
  }
  return fetch(url, { method: options.method ?? 'GET', headers, body, credentials: 'same-origin' });
}

function withQuery(path: string, query: RequestOptions['query']): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== '') params.set(name, String(value));
  }
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

const enc = encodeURIComponent;

export const api = {
  definitions: {
    list: async () => (await request<Definition[]>('/api/definitions')).body,
    xml: async (id: string) => (await request<string>(`/api/definitions/${enc(id)}/xml`)).body,
    deployXml: (xml: string, versionTag?: string) =>
      request<Definition>('/api/definitions', { method: 'POST', body: xml, contentType: 'application/xml', query: { versionTag } }),
    deployFile: (file: File) => {
      const form = new FormData();
      form.append('file', file);
      return request<Definition>('/api/definitions', { method: 'POST', body: form });
    },
  },
  instances: {
    start: async (definitionKey: string) =>
      (await request<InstanceResult>('/api/instances', { method: 'POST', body: { definitionKey } })).body,
    get: async (id: string) => (await request<InstanceDetail>(`/api/instances/${enc(id)}`)).body,
    history: async (id: string) => (await request<HistoryEvent[]>(`/api/instances/${enc(id)}/history`)).body,
    verifyHistory: async (id: string) => (await request<ChainVerdict>(`/api/instances/${enc(id)}/history/verify`)).body,
  },
  tasks: {
    list: async (filter: { candidateGroup?: string; assignee?: string }) =>
      (await request<Page<Task>>('/api/tasks', { query: filter })).body,
    claim: async (id: string) => (await request<Task>(`/api/tasks/${enc(id)}/claim`, { method: 'POST' })).body,
    unclaim: async (id: string) => (await request<Task>(`/api/tasks/${enc(id)}/unclaim`, { method: 'POST' })).body,
    complete: async (id: string, variables: Record<string, unknown>) =>
      (await request<InstanceResult>(`/api/tasks/${enc(id)}/complete`, { method: 'POST', body: { variables } })).body,
  },
};
