import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { createTestApp, type ApiTestApp } from '../support/test-app';

const CORPUS = resolve(__dirname, '..', '..', '..', 'shared', 'corpus');

function bpmnFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return bpmnFiles(path);
    return name.endsWith('.bpmn') ? [path] : [];
  });
}

const files = existsSync(CORPUS) ? bpmnFiles(CORPUS) : [];

/** Real third-party BPMN files through the HTTP deploy path: never a 5xx, every refusal explained. */
describe('deploying the shared corpus over HTTP', () => {
  let db: TestDatabase;
  let t: ApiTestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it(`deploys or refuses with a 4xx problem each of the ${files.length} files`, async () => {
    const outcomes: string[] = [];
    for (const file of files) {
      const res = await t.as('admin').post('/api/definitions').attach('file', readFileSync(file), 'model.bpmn');
      const name = relative(CORPUS, file);
      expect({ name, status: res.status < 500 }).toEqual({ name, status: true });
      if (res.status === 201 || res.status === 200) {
        outcomes.push(`${name}: deployed as ${res.body.key} v${res.body.version}`);
        continue;
      }
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.detail).toEqual(expect.any(String));
      if (res.status === 422) {
        expect(res.body.problems.length).toBeGreaterThan(0);
        for (const p of res.body.problems) expect(p.message).toEqual(expect.any(String));
      }
      outcomes.push(`${name}: ${res.status} ${res.body.problems?.[0]?.rule ?? res.body.code} ${res.body.problems?.[0]?.elementId ?? ''}`);
    }
    const health = await t.http.get('/api/health');
    expect(health.status).toBe(200);
    if (process.env.CORPUS_REPORT) console.log(outcomes.join('\n'));
  });
});
