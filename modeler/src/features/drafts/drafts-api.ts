/** The drafts and deploy-request endpoints (api/drafts). */
import { request, type Definition } from '../../api/client';

export interface DraftFile {
  name: string;
  content: string;
}

export interface DraftContent {
  bpmn: string;
  forms: DraftFile[];
  decisions: DraftFile[];
}

export interface DraftSummary {
  id: string;
  key: string;
  name: string | null;
  revision: number;
  baseDefinitionId: string | null;
  baseVersion: number | null;
  createdBy: string;
  createdAt: string;
  updatedBy: string;
  updatedAt: string;
  comment: string;
  formCount: number;
  decisionCount: number;
  pendingRequestId: string | null;
}

export interface Draft extends DraftSummary, DraftContent {
  shownRevision: number;
  author: string;
  savedAt: string;
  revisionComment: string;
}

export type RequestState = 'pending' | 'approved' | 'rejected' | 'withdrawn';

export interface DeployRequest {
  id: string;
  draftId: string;
  draftRevision: number;
  key: string;
  kind: 'request' | 'direct';
  state: RequestState;
  comment: string;
  submittedBy: string;
  submittedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  reason: string | null;
  definitionId: string | null;
  definitionVersion: number | null;
  created: boolean | null;
}

export interface DeployOutcome {
  request: DeployRequest;
  definition: Definition;
  created: boolean;
}

export interface DeployedForm {
  formId: string;
  schema: Record<string, unknown>;
}

const enc = encodeURIComponent;

export const draftsApi = {
  list: async (key?: string) => (await request<DraftSummary[]>('/api/drafts', { query: { key } })).body,
  get: async (id: string) => (await request<Draft>(`/api/drafts/${enc(id)}`)).body,
  create: async (content: DraftContent & { comment: string; baseDefinitionId?: string }) =>
    (await request<Draft>('/api/drafts', { method: 'POST', body: content })).body,
  save: async (id: string, content: DraftContent & { comment: string; revision: number }) =>
    (await request<Draft>(`/api/drafts/${enc(id)}`, { method: 'PUT', body: content })).body,
  deploy: async (id: string, revision: number, versionTag?: string) =>
    (await request<DeployOutcome>(`/api/drafts/${enc(id)}/deploy`, { method: 'POST', body: { revision, ...(versionTag ? { versionTag } : {}) } })).body,
};

export const requestsApi = {
  list: async (filter: { state?: RequestState; key?: string }) => (await request<DeployRequest[]>('/api/deploy-requests', { query: filter })).body,
  submit: async (draftId: string, revision: number, comment: string) =>
    (await request<DeployRequest>('/api/deploy-requests', { method: 'POST', body: { draftId, revision, comment } })).body,
  approve: async (id: string) => (await request<DeployOutcome>(`/api/deploy-requests/${enc(id)}/approve`, { method: 'POST', body: {} })).body,
  reject: async (id: string, reason: string) =>
    (await request<DeployRequest>(`/api/deploy-requests/${enc(id)}/reject`, { method: 'POST', body: { reason } })).body,
  withdraw: async (id: string) => (await request<DeployRequest>(`/api/deploy-requests/${enc(id)}/withdraw`, { method: 'POST', body: {} })).body,
};

export const versionsApi = {
  /** Every version of a key, newest first; [] when it was never deployed (asked without a 404 in the console). */
  list: async (key: string) => {
    const latest = (await request<Definition[]>('/api/definitions', { query: { key } })).body;
    return latest.length ? (await request<Definition[]>(`/api/definitions/key/${enc(key)}/versions`)).body : [];
  },
  get: async (id: string) => (await request<Definition>(`/api/definitions/${enc(id)}`)).body,
  xml: async (id: string) => (await request<string>(`/api/definitions/${enc(id)}/xml`)).body,
  forms: async (id: string) => (await request<DeployedForm[]>(`/api/definitions/${enc(id)}/forms`)).body,
  /** The DMN document of a decision's latest version, or null when there is none. */
  latestDecisionXml: async (key: string) => {
    const found = (await request<unknown[]>('/api/decisions', { query: { key } })).body;
    return found.length ? (await request<string>(`/api/decisions/${enc(key)}/xml`)).body : null;
  },
};
