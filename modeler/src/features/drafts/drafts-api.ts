/**
 * The drafts and deploy-request endpoints (api/drafts). The answers' types come from the generated
 * `schema.d.ts` (the server's OpenAPI document); the calls go through `typed`.
 */
import { request, type Definition } from '../../api/client';
import { typed, type Schemas } from '../../api/typed';

export type DraftFile = Schemas['DraftDetail']['forms'][number];
/** The content a draft saves (request bodies; the document has no request schemas). */
export type DraftContent = Pick<Schemas['DraftDetail'], 'bpmn' | 'forms' | 'decisions'>;
export type DraftSummary = Schemas['DraftSummary'];
export type Draft = Schemas['DraftDetail'];
export type DeployRequest = Schemas['DeployRequest'];
export type RequestState = DeployRequest['state'];
export type DeployOutcome = Schemas['DeployOutcome'];
/** The items of GET /api/definitions/{id}/forms, as the editor reads them. */
export type DeployedForm = Pick<Schemas['DefinitionForm'], 'formId' | 'schema'>;

const enc = encodeURIComponent;

export const draftsApi = {
  list: (key?: string) => typed.get('/api/drafts', { query: { key } }),
  get: (id: string) => typed.get('/api/drafts/{id}', { params: { id } }),
  create: (content: DraftContent & { comment: string; baseDefinitionId?: string }) => typed.post('/api/drafts', { body: content }),
  save: (id: string, content: DraftContent & { comment: string; revision: number }) => typed.put('/api/drafts/{id}', { params: { id }, body: content }),
  deploy: (id: string, revision: number, versionTag?: string) =>
    typed.post('/api/drafts/{id}/deploy', { params: { id }, body: { revision, ...(versionTag ? { versionTag } : {}) } }),
};

export const requestsApi = {
  list: (filter: { state?: RequestState; key?: string }) => typed.get('/api/deploy-requests', { query: filter }),
  submit: (draftId: string, revision: number, comment: string) => typed.post('/api/deploy-requests', { body: { draftId, revision, comment } }),
  approve: (id: string) => typed.post('/api/deploy-requests/{id}/approve', { params: { id }, body: {} }),
  reject: (id: string, reason: string) => typed.post('/api/deploy-requests/{id}/reject', { params: { id }, body: { reason } }),
  withdraw: (id: string) => typed.post('/api/deploy-requests/{id}/withdraw', { params: { id }, body: {} }),
};

export const versionsApi = {
  /** Every version of a key, newest first; [] when it was never deployed (asked without a 404 in the console). */
  list: async (key: string) => {
    const latest = (await request<Definition[]>('/api/definitions', { query: { key } })).body;
    return latest.length ? (await request<Definition[]>(`/api/definitions/key/${enc(key)}/versions`)).body : [];
  },
  get: async (id: string) => (await request<Definition>(`/api/definitions/${enc(id)}`)).body,
  xml: async (id: string) => (await request<string>(`/api/definitions/${enc(id)}/xml`)).body,
  forms: (id: string): Promise<DeployedForm[]> => typed.get('/api/definitions/{id}/forms', { params: { id } }),
  /** The DMN document of a decision's latest version, or null when there is none. */
  latestDecisionXml: async (key: string) => {
    const found = (await request<unknown[]>('/api/decisions', { query: { key } })).body;
    return found.length ? (await request<string>(`/api/decisions/${enc(key)}/xml`)).body : null;
  },
};
