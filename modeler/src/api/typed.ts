/**
 * Calls whose request and answer types come from the generated `schema.d.ts` (the server's
 * OpenAPI document, `node scripts/generate-api-types.mjs`): a path that does not exist or an
 * answer read with the wrong shape fails the type check instead of the page.
 */
import { request, type RequestOptions } from './client';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];
export type Replay = Schemas['Replay'];
export type ReplayStep = Schemas['ReplayStep'];
export type HistoryEvent = Schemas['HistoryEvent'];
export type ChainVerdict = Schemas['ChainVerdict'];
export type InstanceSummary = Schemas['Instance'];
export type DefinitionInfo = Schemas['Definition'];
export type DefinitionOwners = Schemas['DefinitionOwners'];
export type UserInfo = Schemas['User'];
export type GroupInfo = Schemas['Group'];
export type IncidentInfo = Schemas['Incident'];
export type TimerJob = Schemas['TimerJob'];
export type RecordDetail = Schemas['RecordDetail'];
export type KpiReport = Schemas['KpiReport'];

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
/** Paths that have `method`. */
type PathWith<M extends Method> = { [P in keyof paths]: paths[P] extends Record<M, { responses: unknown }> ? P : never }[keyof paths];
type Operation<P extends keyof paths, M extends Method> = paths[P] extends Record<M, infer O> ? O : never;
type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : unknown;
/** The JSON body of the 200 (or 201) answer of `method path`. */
export type Answer<P extends keyof paths, M extends Method> =
  Operation<P, M> extends { responses: infer R }
    ? R extends { 200: infer A }
      ? JsonOf<A>
      : R extends { 201: infer A }
        ? JsonOf<A>
        : unknown
    : never;
type Query<P extends keyof paths, M extends Method> = Operation<P, M> extends { parameters: { query?: infer Q } } ? (Q extends object ? Q : never) : never;

/** Fills `{name}` segments of an OpenAPI path; every value is URI-encoded. */
function fill(path: string, params: Record<string, string> = {}): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`missing path parameter ${name} of ${path}`);
    return encodeURIComponent(value);
  });
}

async function call<P extends keyof paths, M extends Method>(
  method: M,
  path: P,
  options: { params?: Record<string, string>; query?: Query<P, M>; body?: unknown } = {},
): Promise<Answer<P, M>> {
  const init: RequestOptions = {
    method: method.toUpperCase() as RequestOptions['method'],
    query: options.query as RequestOptions['query'],
    body: options.body,
  };
  return (await request<Answer<P, M>>(fill(path as string, options.params), init)).body;
}

export const typed = {
  get: <P extends PathWith<'get'>>(path: P, options?: { params?: Record<string, string>; query?: Query<P, 'get'> }) => call('get', path, options),
  post: <P extends PathWith<'post'>>(path: P, options?: { params?: Record<string, string>; body?: unknown }) => call('post', path, options),
  put: <P extends PathWith<'put'>>(path: P, options?: { params?: Record<string, string>; body?: unknown }) => call('put', path, options),
  patch: <P extends PathWith<'patch'>>(path: P, options?: { params?: Record<string, string>; body?: unknown }) => call('patch', path, options),
  delete: <P extends PathWith<'delete'>>(path: P, options?: { params?: Record<string, string> }) => call('delete', path, options),
};
