import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { createTestApp, type ApiTestApp } from '../support/test-app';

/**
 * The shared corpus's hostile and odd files (../shared/corpus beside the checkout; jest.config
 * leaves this suite out where it is absent), deployed and started over HTTP.
 */
const REQUEST_TIMEOUT_MS = 15_000;
const CORPUS = resolve(__dirname, '..', '..', '..', 'shared', 'corpus');

describe('hostile files of the shared corpus', () => {
  let db: TestDatabase;
  let t: ApiTestApp;
  const healthy = async () => {
    const started = Date.now();
    const res = await t.http.get('/api/health').timeout(2000);
    expect(res.status).toBe(200);
    return Date.now() - started;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

    // Every file the catalogue expects to be refused, flagged or to fail parsing (not the plain
    // interchange references): each deploys and starts without a 5xx or a hang, or is refused with reasons.
    const catalog: { dest: string; expectKind: string }[] = JSON.parse(readFileSync(join(CORPUS, 'catalog.json'), 'utf8'));
    const hostile = catalog.filter((entry) => entry.expectKind !== 'structural').map((entry) => entry.dest);

    it.each(hostile)('%s is refused with reasons or runs', async (file) => {
      const res = await t.as('admin').post('/api/definitions').timeout(REQUEST_TIMEOUT_MS).attach('file', readFileSync(join(CORPUS, file)), 'model.bpmn');
      expect(res.status).toBeLessThan(500);
      if (res.status >= 400) {
        expect(res.headers['content-type']).toContain('application/problem+json');
        expect(res.body.detail).toEqual(expect.any(String));
        if (res.status === 422) expect(res.body.problems.length).toBeGreaterThan(0);
      } else {
        const started = await t.as('admin').post('/api/instances').timeout(REQUEST_TIMEOUT_MS).send({ definitionId: res.body.id });
        expect(started.status).toBeLessThan(500);
      }
      expect(await healthy()).toBeLessThan(1000);
    });
});
