import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { createTestApp, type ApiTestApp, type Http } from '../support/test-app';
import { linearTasks } from '../support/bpmn';

/**
 * Every route of the OpenAPI document, as an administrator and as staff, with hostile values in
 * every path parameter, query parameter, JSON body field (nested fields included; at most MAX_FIELDS per route), header and
 * upload: NUL characters, lone surrogates, huge and negative numbers, wrong types, arrays for
 * objects, overlong strings, unknown ids. No answer may be a 5xx, and none may take longer than
 * the per-request timeout (a hang); the server answers health throughout.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const LONG = 'x'.repeat(100_000);
/** Values for JSON fields. */
const JSON_VALUES: Json[] = [
  'a\u0000b',
  'a\ud800b',
  LONG,
  -1,
  1e308,
  2147483648,
  true,
  null,
  [],
  {},
  [[['deep']]],
  "' OR 1=1 --",
  '+275760-09-13T00:00:00Z',
  'R/PT0S',
];
/** Values for path segments and query parameters (sent URL-encoded). */
const TEXT_VALUES = ['a\u0000b', '%ED%A0%80', '%', 'x'.repeat(10_000), '-1', '100000000', '1e400', 'true', "' OR 1=1 --", randomUUID()];
/** Whole bodies of the wrong shape. */
const WRONG_BODIES: { type: string; body: string }[] = [
  { type: 'application/json', body: '[]' },
  { type: 'application/json', body: '"text"' },
  { type: 'application/json', body: '12345678901234567890' },
  { type: 'application/json', body: 'null' },
  { type: 'application/json', body: `${'['.repeat(5000)}${']'.repeat(5000)}` },
  { type: 'application/json', body: `{"a":${'{"a":'.repeat(2000)}1${'}'.repeat(2001)}` },
  { type: 'application/json', body: '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}' },
  { type: 'application/json', body: '{"a":"\\u0000","b":"\\ud800"}' },
  { type: 'application/json', body: '{broken' },
  { type: 'text/plain', body: 'hello' },
  { type: 'application/xml', body: '<a>\u0000</a>' },
];

/** Bodies for routes whose OpenAPI entry has no example. */
const EXTRA_BODIES: Record<string, Json> = {
  'POST /api/auth/refresh': { refreshToken: 'x' },
  'POST /api/auth/logout': { refreshToken: 'x' },
  'POST /api/auth/password': { currentPassword: 'not-the-password', newPassword: 'another-password-1' },
  'PATCH /api/users/{id}': { displayName: 'Victim', email: 'victim@example.org', roles: ['staff'], groups: ['servicedesk'], disabled: false },
  'POST /api/users/{id}/password': { password: 'victim-password-1' },
  'POST /api/groups/{name}/members': { username: 'victim' },
  'POST /api/tasks/{id}/complete': { variables: { note: 'ok' } },
};

const REQUEST_TIMEOUT_MS = 10_000;
/** Requests in flight at once (the server runs one process; this hides round-trip latency). */
const CONCURRENCY = 6;
/** Most body fields fuzzed per route (sampled evenly from the example's fields). */
const MAX_FIELDS = 16;

async function inParallel(jobs: (() => Promise<void>)[], width: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) await jobs[next++]!();
  };
  await Promise.all(Array.from({ length: Math.min(width, jobs.length) }, worker));
}

interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  pathParams: string[];
  queryParams: string[];
  headerParams: string[];
  body: Json | undefined;
  multipart: boolean;
}

describe('fuzzing every endpoint', () => {
  let db: TestDatabase;
  let t: ApiTestApp;
  let operations: Operation[];
  const real: Record<string, string> = {};

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db, { config: { maxBodyBytes: 1024 * 1024 } });
    await t.user({ username: 'victim', roles: ['staff'], groups: ['servicedesk'] });
    const deployed = await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(linearTasks('fuzzed', ['one', 'two'])).expect(201);
    const started = await t.as('alice').post('/api/instances').send({ definitionKey: 'fuzzed', businessKey: 'FUZZ-1' }).expect(201);
    const users = await t.as('admin').get('/api/users?size=200').expect(200);
    Object.assign(real, {
      definitionId: deployed.body.id,
      key: 'fuzzed',
      instanceId: started.body.instance.id,
      taskId: started.body.tasks[0].id,
      userId: users.body.items.find((u: { username: string }) => u.username === 'victim').id,
    });
    const doc = await t.http.get('/api/docs/openapi.json').expect(200);
    operations = toOperations(doc.body).filter((op) => !process.env.FUZZ_ONLY || new RegExp(process.env.FUZZ_ONLY).test(`${op.method.toUpperCase()} ${op.path}`));
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  /** A sensible value for a path parameter, so that the other parameters reach deep code. */
  const realParam = (path: string, name: string): string => {
    if (name === 'id') {
      if (path.startsWith('/api/definitions') || path.startsWith('/engine-rest/process-definition') || path.startsWith('/engine-rest/deployment')) return real.definitionId!;
      if (path.startsWith('/engine-rest/process-instance')) return real.instanceId!;
      if (path.startsWith('/engine-rest/task')) return real.taskId!;
      if (path.startsWith('/api/instances')) return real.instanceId!;
      if (path.startsWith('/api/tasks')) return real.taskId!;
      if (path.startsWith('/api/users')) return real.userId!;
      return randomUUID();
    }
    if (name === 'key') return real.key!;
    if (name === 'name') return path.includes('/sla/') ? 'resolution' : 'servicedesk';
    if (name === 'username') return 'victim';
    if (name === 'number') return 'INC0000001';
    return 'x';
  };

  it('answers no 5xx and never hangs, for every route, field and hostile value', async () => {
    if (!process.env.FUZZ_ONLY) expect(operations.length).toBeGreaterThan(40);
    const statuses: Record<string, number> = {};
    const failures: string[] = [];
    let sent = 0;
    const report = (line: string) => {
      failures.push(line);
      if (process.env.FUZZ_LOG) appendFileSync(process.env.FUZZ_LOG, `${line}\n`);
    };

    const send = async (client: Http, op: Operation, label: string, options: { params?: Record<string, string>; query?: string; body?: Json; raw?: { type: string; body: string }; header?: [string, string]; upload?: { content: Buffer; name: string; field?: string } }) => {
      const url =
        op.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
          const value = options.params?.[name] ?? realParam(op.path, name);
          return /^%/.test(value) && value.length > 1 ? value : encodeURIComponent(value);
        }) + (options.query ? `?${options.query}` : '');
      let req = client[op.method](url).timeout({ response: REQUEST_TIMEOUT_MS, deadline: REQUEST_TIMEOUT_MS * 2 });
      if (options.header) req = req.set(options.header[0], options.header[1]);
      sent++;
      try {
        let res;
        if (options.upload) res = await req.attach(options.upload.field ?? 'file', options.upload.content, options.upload.name);
        else if (options.raw) res = await req.set('Content-Type', options.raw.type).send(options.raw.body);
        else if (options.body !== undefined) res = await req.send(options.body as object);
        else res = await req;
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        if (process.env.FUZZ_TRACE) appendFileSync(process.env.FUZZ_TRACE, `${label} ${op.method} ${url.slice(0, 120)} ${res.status} ${JSON.stringify(res.body).slice(0, 120)}\n`);
        if (res.status >= 500) report(`${label}: ${op.method.toUpperCase()} ${url.slice(0, 160)} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
        else if (op.path.startsWith('/engine-rest/')) {
          // the Camunda 7 layer answers Camunda's {type, message, code} as application/json (no charset)
          if (res.status >= 400 && (res.headers['content-type'] !== 'application/json' || typeof res.body?.type !== 'string')) {
            report(`${label}: ${op.method.toUpperCase()} ${url.slice(0, 160)} → ${res.status} without Camunda's error body`);
          }
        } else if (res.status >= 400 && !String(res.headers['content-type']).includes('application/problem+json')) {
          report(`${label}: ${op.method.toUpperCase()} ${url.slice(0, 160)} → ${res.status} without problem+json`);
        }
      } catch (error) {
        report(`${label}: ${op.method.toUpperCase()} ${url.slice(0, 160)} → ${(error as Error).message} (no answer within ${REQUEST_TIMEOUT_MS} ms)`);
      }
    };

    for (const username of ['alice', 'admin']) {
      const client = t.as(username);
      for (const op of operations) {
        const label = `${username}`;
        const jobs: (() => Promise<void>)[] = [];
        const began = Date.now();
        // Path parameters, one at a time.
        for (const name of op.pathParams) for (const value of TEXT_VALUES) jobs.push(() => send(client, op, label, { params: { [name]: value }, body: op.body }));
        // Query parameters (documented ones, plus paging everywhere), one at a time; repeated and nested forms too.
        const queryNames = [...new Set([...op.queryParams, 'page', 'size'])];
        for (const name of queryNames) {
          for (const value of TEXT_VALUES) jobs.push(() => send(client, op, label, { query: `${name}=${value.startsWith('%') ? value : encodeURIComponent(value)}`, body: op.body }));
          jobs.push(() => send(client, op, label, { query: `${name}=1&${name}=2`, body: op.body }));
          jobs.push(() => send(client, op, label, { query: `${name}[a]=1&${name}[b][c]=2`, body: op.body }));
        }
        if (op.method === 'get' || op.method === 'delete') {
          await inParallel(jobs, CONCURRENCY);
          if (process.env.FUZZ_TIMING) appendFileSync(process.env.FUZZ_TIMING, `${username} ${op.method} ${op.path} ${jobs.length} ${Date.now() - began} ms\n`);
          continue;
        }
        // JSON bodies: every field (nested ones too) set to every hostile value, one at a time.
        const example = op.body;
        if (example !== undefined && !op.multipart) {
          for (const path of sample(leafPaths(example), MAX_FIELDS)) for (const value of JSON_VALUES) jobs.push(() => send(client, op, label, { body: setAt(example, path, value) }));
        }
        for (const value of JSON_VALUES) jobs.push(() => send(client, op, label, { body: { unexpected: value } }));
        for (const raw of WRONG_BODIES) jobs.push(() => send(client, op, label, { raw }));
        // Idempotency keys of every shape.
        if (op.headerParams.length) for (const key of ['x'.repeat(5000), '\u00ff\u00fe', ' ', randomUUID()]) jobs.push(() => send(client, op, label, { body: op.body ?? {}, header: ['Idempotency-Key', key] }));
        // Uploads.
        if (op.multipart) {
          const bpmn = Buffer.from(linearTasks('fuzz_upload', ['a']));
          for (const upload of [
            { content: Buffer.from([0x3c, 0x00, 0xff, 0xfe, 0x00]), name: 'x.bpmn' },
            { content: Buffer.from('\u00ff\u00fe<a/>', 'latin1'), name: 'x.bpmn' },
            { content: Buffer.alloc(0), name: 'empty.bpmn' },
            { content: bpmn, name: 'a\u0000b.bpmn' },
            { content: bpmn, name: '../../x.bpmn' },
            { content: bpmn, name: 'x.bpmn', field: 'unexpected' },
            { content: Buffer.from('{"components":[{"type":"textfield","key":"a\\u0000"}]}'), name: 'f.form', field: 'forms' },
            { content: Buffer.from('<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/"><decision id="a&#0;"/></definitions>'), name: 'd.dmn', field: 'forms' },
          ]) {
            jobs.push(() => send(client, op, label, { upload }));
          }
        }
        await inParallel(jobs, CONCURRENCY);
        if (process.env.FUZZ_TIMING) appendFileSync(process.env.FUZZ_TIMING, `${username} ${op.method} ${op.path} ${jobs.length} ${Date.now() - began} ms\n`);
      }
      const health = await t.http.get('/api/health').timeout(2000);
      expect(health.status).toBe(200);
    }

    // Unknown routes and methods.
    for (const path of ['/api/nothing', '/api/tasks/../users', '/api/%00', '/api/%ED%A0%80', `/api/${'a/'.repeat(2000)}`, '/engine-rest/nothing', '/engine-rest/%ED%A0%80', `/engine-rest/${'a/'.repeat(2000)}`]) {
      await send(t.as('alice'), { method: 'get', path, pathParams: [], queryParams: [], headerParams: [], body: undefined, multipart: false }, 'unknown route', {});
    }

    console.log(`fuzz: ${sent} requests over ${operations.length} operations, ${failures.length} failures; statuses ${JSON.stringify(statuses)}`);
    if (failures.length) console.log(`${failures.length} failures of ${sent} requests:\n${failures.slice(0, 80).join('\n')}`);
    expect({ sent: sent > (process.env.FUZZ_ONLY ? 0 : 5000), failures: failures.slice(0, 30) }).toEqual({ sent: true, failures: [] });
  }, 1_500_000);
});

function toOperations(doc: { paths: Record<string, Record<string, { parameters?: { name: string; in: string }[]; requestBody?: { content: Record<string, { schema?: { example?: Json }; example?: Json }> } }>> }): Operation[] {
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = op.parameters ?? [];
      const content = op.requestBody?.content ?? {};
      const json = content['application/json'];
      const key = `${method.toUpperCase()} ${path}`;
      const body = json?.schema?.example ?? json?.example ?? EXTRA_BODIES[key];
      operations.push({
        method: method as Operation['method'],
        path,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: params.filter((p) => p.in === 'query').map((p) => p.name),
        headerParams: params.filter((p) => p.in === 'header').map((p) => p.name),
        body,
        multipart: 'multipart/form-data' in content,
      });
    }
  }
  return operations;
}

/** At most `n` items, spread evenly over the list (a calendar example has ~60 fields). */
function sample<T>(items: T[], n: number): T[] {
  if (items.length <= n) return items;
  return Array.from({ length: n }, (_, i) => items[Math.floor((i * items.length) / n)]!);
}

/** Paths to every field of a JSON value (objects and arrays entered, the containers included). */
function leafPaths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const entries: [string | number, Json][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return [...(prefix.length ? [prefix] : []), ...entries.flatMap(([k, v]) => leafPaths(v, [...prefix, k]))];
}

function setAt(value: Json, path: (string | number)[], replacement: Json): Json {
  if (!path.length) return replacement;
  const copy = structuredClone(value) as Record<string | number, Json>;
  let cursor = copy;
  for (const key of path.slice(0, -1)) cursor = cursor[key] as Record<string | number, Json>;
  cursor[path[path.length - 1]!] = replacement;
  return copy;
}
