import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { createTestApp, type ApiTestApp } from '../support/test-app';
import { linearTasks } from '../support/bpmn';

/**
 * Malformed requests: each answers a 4xx problem+json that names what is wrong and changes
 * nothing (NUL characters and lone surrogates anywhere, unbounded pages, dates outside what
 * PostgreSQL stores, oversized headers and bodies, JSON nested without end).
 */
describe('malformed requests', () => {
  let db: TestDatabase;
  let t: ApiTestApp;
  let taskId: string;
  let instanceId: string;

  const counts = async () => {
    const [row] = await t.sql.query(
      `SELECT (SELECT count(*) FROM process_definition)::int AS d, (SELECT count(*) FROM process_instance)::int AS i,
              (SELECT count(*) FROM user_task WHERE status = 'open')::int AS t, (SELECT count(*) FROM history_event)::int AS h,
              (SELECT count(*) FROM app_user)::int AS u, (SELECT count(*) FROM app_group)::int AS g,
              (SELECT COALESCE(sum(revision), 0) FROM process_instance)::int AS r`,
    );
    return row;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db, { config: { maxBodyBytes: 64 * 1024 } });
    await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(linearTasks('requests', ['review'])).expect(201);
    const started = await t.as('alice').post('/api/instances').send({ definitionKey: 'requests', businessKey: 'REQ-1' }).expect(201);
    taskId = started.body.tasks[0].id;
    instanceId = started.body.instance.id;
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const NUL = 'a\u0000b';
  const SURROGATE = 'a\ud800b';

  it.each([
    ['a NUL in a business key', () => t.as('alice').post('/api/instances').send({ definitionKey: 'requests', businessKey: NUL }), 'businessKey', /NUL/],
    ['a lone surrogate in a business key', () => t.as('alice').post('/api/instances').send({ definitionKey: 'requests', businessKey: SURROGATE }), 'businessKey', /surrogate/],
    ['a lone surrogate deep in start variables', () => t.as('alice').post('/api/instances').send({ definitionKey: 'requests', variables: { a: { b: [1, { c: SURROGATE }] } } }), 'variables.a.b[1].c', /surrogate/],
    ['a lone low surrogate in a variable name', () => t.as('alice').post('/api/instances').send({ definitionKey: 'requests', variables: { ['x\udc00']: 1 } }), 'variables."x\ufffd"', /surrogate/],
    ['a NUL in completion variables', () => t.as('alice').post(`/api/tasks/${taskId}/complete`).send({ variables: { note: NUL } }), 'variables.note', /NUL/],
    ['a NUL in a cancel reason', () => t.as('admin').post(`/api/instances/${instanceId}/cancel`).send({ reason: NUL }), 'reason', /NUL/],
    ['a NUL in a message name', () => t.as('admin').post('/api/messages').send({ name: NUL, correlationKey: 'x' }), 'name', /NUL/],
    ['a lone surrogate in a signal', () => t.as('admin').post('/api/signals').send({ name: 'sig', variables: { v: SURROGATE } }), 'variables.v', /surrogate/],
    ['a NUL in a new user', () => t.as('admin').post('/api/users').send({ username: 'carol', displayName: NUL, password: 'a-long-secret', roles: ['staff'] }), 'displayName', /NUL/],
    ['a NUL in a group', () => t.as('admin').post('/api/groups').send({ name: NUL }), 'name', /NUL/],
    ['a NUL in a login', () => t.http.post('/api/auth/login').send({ username: NUL, password: 'x' }), 'username', /NUL/],
    ['a NUL in a task filter', () => t.as('alice').get('/api/tasks?candidateGroup=a%00b'), 'query.candidateGroup', /NUL/],
    ['a NUL in an instance filter', () => t.as('admin').get('/api/instances?businessKey=a%00b'), 'query.businessKey', /NUL/],
    ['a NUL in a record search', () => t.as('admin').get('/api/records?q=a%00b'), 'query.q', /NUL/],
    ['a NUL in a nested query value', () => t.as('admin').get('/api/instances?key[x]=a%00b'), 'query.key[x]', /NUL/],
    ['a NUL in a record number', () => t.as('admin').get('/api/records/INC%00'), 'path parameter number', /NUL/],
    ['a NUL in a definition key', () => t.as('admin').put('/api/definitions/key/a%00b/owners').send({ usernames: ['owner'] }), 'path parameter key', /NUL/],
    ['a NUL in a group name', () => t.as('admin').get('/api/groups/a%00b'), 'path parameter name', /NUL/],
    ['a NUL in a multipart field', () => t.as('admin').post('/api/definitions').field('versionTag', NUL).attach('file', Buffer.from(linearTasks('requests2', ['a'])), 'a.bpmn'), 'versionTag', /NUL/],
    ['a NUL in an uploaded form', () => t.as('admin').post('/api/definitions').attach('file', Buffer.from(linearTasks('requests3', ['a'])), 'a.bpmn').attach('forms', Buffer.from('{"id":"f","components":[{"type":"textfield","key":"a\u0000"}]}'), 'f.form'), 'file field "forms" (f.form)', /NUL/],
    ['a raw NUL in a DMN upload', () => t.as('admin').post('/api/decisions').set('Content-Type', 'application/xml').send(Buffer.from('<definitions>\u0000</definitions>')), 'the request body', /NUL/],
  ])('refuses %s with 400 naming the field', async (_name, send, field, detail) => {
    const before = await counts();
    const res = await send();
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body.field).toBe(field);
    expect(res.body.detail).toMatch(detail);
    expect(await counts()).toEqual(before);
  });

  it('refuses a NUL in an uploaded file name (the multipart parser already does: 400)', async () => {
    const before = await counts();
    const res = await t.as('admin').post('/api/definitions').attach('file', Buffer.from(linearTasks('requests4', ['a'])), 'a\u0000.bpmn');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body.detail).toMatch(/Multipart/);
    expect(await counts()).toEqual(before);
  });

  it('refuses JSON nested deeper than 32 levels, and answers (no stack overflow) for 5,000 levels', async () => {
    const deep = (n: number) => `{"definitionKey":"requests","variables":{"v":${'['.repeat(n)}1${']'.repeat(n)}}}`;
    const res = await t.as('alice').post('/api/instances').set('Content-Type', 'application/json').send(deep(40));
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/nested deeper than 32 levels/);
    expect((await t.as('alice').post('/api/instances').set('Content-Type', 'application/json').send(deep(5000))).status).toBe(400);
    // within the limit, the variable rules (engine/variables.ts) still apply as before
    expect((await t.as('alice').post('/api/instances').set('Content-Type', 'application/json').send(deep(3))).status).toBe(201);
  });

  it.each(['/api/instances', '/api/tasks', '/api/records', '/api/incidents', '/api/timers', '/api/subscriptions', '/api/users'])('bounds the page number of %s', async (list) => {
    const huge = await t.as('admin').get(`${list}?page=100000000`);
    expect(huge.status).toBe(400);
    expect(huge.headers['content-type']).toContain('application/problem+json');
    expect(huge.body.detail).toMatch(/page/);
    expect((await t.as('admin').get(`${list}?page=1e400`)).status).toBe(400);
    expect((await t.as('admin').get(`${list}?size=-1`)).status).toBe(400);
    const last = await t.as('admin').get(`${list}?page=1000000&size=200`).expect(200);
    expect(last.body.items).toEqual([]);
  });

  it.each(['0000-01-01', '+275760-09-13T00:00:00Z', '10000-01-01', '-000001-01-01'])('refuses the KPI date %s', async (date) => {
    const res = await t.as('admin').get(`/api/kpis?from=${encodeURIComponent(date)}`);
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/from/);
  });

  it('answers an oversized JSON body with 413 problem+json', async () => {
    const res = await t.as('alice').post('/api/instances').send({ definitionKey: 'requests', variables: { blob: 'x'.repeat(70 * 1024) } });
    expect(res.status).toBe(413);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it("answers a 20 KB header (over Node's 16 KiB limit) with 431 problem+json, and keeps serving", async () => {
    // supertest cannot show a response the server writes before routing; a raw request does.
    const server = t.app.getHttpServer();
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const answer = await new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/api/health', headers: { 'X-Big': 'x'.repeat(20 * 1024) } }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(answer.status).toBe(431);
    expect(answer.type).toContain('application/problem+json');
    expect(JSON.parse(answer.body)).toEqual(expect.objectContaining({ status: 431, code: 'HEADERS_TOO_LARGE' }));
    expect((await t.http.get('/api/health')).status).toBe(200);
  });

  it('still accepts valid text: emoji, right-to-left marks and paired surrogates', async () => {
    const res = await t.as('alice').post('/api/instances').send({ definitionKey: 'requests', businessKey: 'REQ-\u{1F4A5}', variables: { note: 'ok \u{1F600} \u202e \u00e9' } });
    expect(res.status).toBe(201);
    expect(res.body.instance.variables.note).toBe('ok \u{1F600} \u202e \u00e9');
  });
});
