import { createTestApp, type ApiTestApp } from '../support/test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('health probes and request ids', () => {
  let db: TestDatabase;
  let t: ApiTestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db, { users: [{ username: 'alice', roles: ['staff'] }], config: { timerPollMs: 50 } });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('answers liveness without a token', async () => {
    const res = await t.http.get('/api/health/live');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', details: { process: { status: 'up', pid: process.pid } } });
  });

  it('is ready when the database answers, every migration is applied and the timer poller polls', async () => {
    const res = await t.http.get('/api/health/ready');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      error: {},
      details: { database: { status: 'up' }, migrations: { status: 'up' }, timerPoller: { status: 'up' } },
    });
    // the plain health check is unchanged
    expect((await t.http.get('/api/health')).body).toEqual({ status: 'ok', database: 'up' });
  });

  it('is not ready (503 problem) while a migration of this version is missing from the database', async () => {
    // given: the newest migration's row is gone (as on a database an older version migrated)
    const [last] = await t.sql.query(`SELECT id, timestamp, name FROM schema_migration ORDER BY timestamp DESC LIMIT 1`);
    await t.sql.query(`DELETE FROM schema_migration WHERE id = $1`, [last.id]);
    try {
      // when
      const res = await t.http.get('/api/health/ready');

      // then
      expect(res.status).toBe(503);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body).toMatchObject({ status: 503, code: 'NOT_READY', checks: { status: 'error', error: { migrations: { status: 'down', pending: [last.name] } } } });
      expect(res.body.detail).toContain('migrations');
      expect(res.body.requestId).toBe(res.headers['x-request-id']);
      // liveness does not depend on the database
      expect((await t.http.get('/api/health/live')).status).toBe(200);
    } finally {
      await t.sql.query(`INSERT INTO schema_migration (id, timestamp, name) VALUES ($1, $2, $3)`, [last.id, last.timestamp, last.name]);
    }
    expect((await t.http.get('/api/health/ready')).status).toBe(200);
  });

  it('keeps a well-formed X-Request-Id, replaces a malformed one, and puts it in every problem body', async () => {
    // a well-formed id comes back
    const given = await t.http.get('/api/health/live').set('X-Request-Id', 'lb-7f3a.42:req_9');
    expect(given.headers['x-request-id']).toBe('lb-7f3a.42:req_9');
    // none, or a malformed one (spaces, too long, control characters), gets a fresh UUID
    expect((await t.http.get('/api/health/live')).headers['x-request-id']).toMatch(UUID);
    for (const bad of ['two words', 'x'.repeat(129), '<script>']) {
      expect((await t.http.get('/api/health/live').set('X-Request-Id', bad)).headers['x-request-id']).toMatch(UUID);
    }
    // problem bodies carry the id of their request
    const denied = await t.http.get('/api/tasks').set('X-Request-Id', 'denied-1');
    expect(denied.status).toBe(401);
    expect(denied.body).toMatchObject({ status: 401, requestId: 'denied-1' });
    const missing = await t.as('alice').get('/api/instances/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.body.requestId).toBe(missing.headers['x-request-id']);
    expect(missing.body.requestId).toMatch(UUID);
    const malformed = await t.as('alice').post('/api/instances').set('Content-Type', 'application/json').set('X-Request-Id', 'bad-json-1').send('{"definitionKey":');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ code: 'MALFORMED_JSON', requestId: 'bad-json-1' });
    const notObject = await t.as('alice').post('/api/instances').set('Content-Type', 'application/json').set('X-Request-Id', 'array-1').send('[]');
    expect(notObject.status).toBe(400);
    expect(notObject.body).toMatchObject({ code: 'INVALID_REQUEST', requestId: 'array-1' });
  });
});
