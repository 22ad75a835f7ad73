import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { offlineOpenApiDocument } from './offline-document';

describe('the browser app API types (modeler/src/api/schema.d.ts)', () => {
  it('match the server OpenAPI document (run `node scripts/generate-api-types.mjs` when this fails)', async () => {
    // when: the script regenerates the types in memory (a child process: openapi-typescript is
    // ESM inside, which jest's module sandbox does not load) and compares them with the file
    const root = join(__dirname, '../..');
    const run = spawnSync(process.execPath, [join(root, 'scripts/generate-api-types.mjs'), '--check'], { cwd: root, encoding: 'utf8' });

    // then
    expect(run.stderr.trim()).toBe('');
    expect(run.status).toBe(0);
  });

  it('describes the response bodies the app reads', async () => {
    const document = await offlineOpenApiDocument();
    const ok = (path: string, method = 'get') => {
      const op = (document.paths[path] as Record<string, { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>)[method];
      return op?.responses['200']?.content?.['application/json']?.schema;
    };
    expect(ok('/api/instances/{id}/replay')).toEqual({ $ref: '#/components/schemas/Replay' });
    expect(ok('/api/instances/{id}/history/verify')).toEqual({ $ref: '#/components/schemas/ChainVerdict' });
    expect(ok('/api/kpis')).toEqual({ $ref: '#/components/schemas/KpiReport' });
    expect(ok('/api/definitions/key/{key}/versions')).toMatchObject({ type: 'array' });
    expect(document.components?.schemas?.HistoryEvent).toMatchObject({ required: expect.arrayContaining(['seq', 'type', 'hash']) });
  });
});
