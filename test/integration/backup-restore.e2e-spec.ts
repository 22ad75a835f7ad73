import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { HistoryConfig } from '../../api/config/config';
import { linearTasks } from '../support/bpmn';
import { createTestApp, type ApiTestApp } from '../support/test-app';
import { createTestDatabase, startPglite, stopChild, type TestDatabase } from '../support/test-database';

const run = promisify(execFile);

/**
 * The commands of README "Backup and restore", run as written: a database with running, finished
 * and half-done instances is backed up, restored into a fresh database, and a server started on
 * the restored copy verifies every history chain and carries the instances on.
 */
describe('backup and restore (README commands, real database)', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
  });

  function tempDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'itsm-backup-'));
    cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  /** Three instances: one finished, one past its first task, one untouched. Answers the open ones' task ids. */
  async function createWork(t: ApiTestApp): Promise<{ openTasks: { instanceId: string; taskId: string }[]; finished: string }> {
    const deployed = await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(linearTasks('backup-flow', ['approve', 'close']));
    expect({ status: deployed.status, body: deployed.body }).toMatchObject({ status: 201 });
    const start = async (amount: number) => answer(await t.as('alice').post('/api/instances').send({ definitionKey: 'backup-flow', variables: { amount } }), 201);
    const complete = (taskId: string) => completeTask(t, taskId);

    const finished = await start(1);
    const next = await complete(finished.tasks[0].id);
    await complete(next.tasks[0].id);
    const halfway = await start(2);
    const halfwayNext = await complete(halfway.tasks[0].id);
    const untouched = await start(3);
    return {
      finished: finished.instance.id,
      openTasks: [
        { instanceId: halfway.instance.id, taskId: halfwayNext.tasks[0].id },
        { instanceId: untouched.instance.id, taskId: untouched.tasks[0].id },
      ],
    };
  }

  /** The body of a response that must have `status` (else the failure shows the problem body). */
  function answer(res: { status: number; body: any }, status: number): any {
    expect({ status: res.status, body: res.body }).toMatchObject({ status });
    return res.body;
  }

  async function completeTask(t: ApiTestApp, taskId: string): Promise<any> {
    return answer(await t.as('alice').post(`/api/tasks/${taskId}/complete`).send({ variables: { ok: true } }), 200);
  }

  /** GET /api/history/verify page by page: every chain of the database. */
  async function verifyEverything(t: ApiTestApp): Promise<{ problems: unknown[]; checked: number; total: number }> {
    const problems: unknown[] = [];
    let after: string | null = null;
    let checked = 0;
    let total = 0;
    do {
      const res = await t.as('auditor').get('/api/history/verify').query(after ? { after } : {});
      expect(res.status).toBe(200);
      problems.push(...res.body.problems);
      checked += res.body.checked;
      total = res.body.total;
      after = res.body.next;
    } while (after);
    return { problems, checked, total };
  }

  /** On the restored database: every chain verifies, and the open instances run to their end. */
  async function expectRestored(t: ApiTestApp, work: Awaited<ReturnType<typeof createWork>>): Promise<void> {
    const before = await verifyEverything(t);
    expect(before).toEqual({ problems: [], checked: 3, total: 3 });
    expect((await t.as('auditor').get(`/api/instances/${work.finished}`).expect(200)).body.status).toBe('completed');

    for (const open of work.openTasks) {
      let done = await completeTask(t, open.taskId);
      if (done.tasks.length) done = await completeTask(t, done.tasks[0].id);
      expect(done.instance.status).toBe('completed');
      expect((await t.as('auditor').get(`/api/instances/${open.instanceId}/history/verify`).expect(200)).body).toMatchObject({ valid: true, problems: [] });
    }
    expect(await verifyEverything(t)).toEqual({ problems: [], checked: 3, total: 3 });
  }

  const cases: { name: string; test: () => Promise<void> }[] = [
    {
      name: 'embedded PGlite: a copy of DATA_DIR taken with the server stopped (tar), unpacked into a fresh directory',
      test: async () => {
        // given: the server's data directory (PGlite files and history.key) with work in it
        const dataDir = join(tempDir(), 'data');
        mkdirSync(dataDir);
        const first = await startPglite(dataDir);
        const db: TestDatabase = { databaseUrl: first.url, dataDir, kind: 'pglite', drop: async () => undefined };
        const t = await createTestApp(db);
        const work = await createWork(t);

        // when: the server stops, DATA_DIR is archived and unpacked into a fresh directory
        await t.close();
        await stopChild(first.child);
        const archive = join(tempDir(), 'itsm-data.tar.gz');
        await run('tar', ['-C', dataDir, '-czf', archive, '.']);
        rmSync(dataDir, { recursive: true, force: true });
        const restoredDir = join(tempDir(), 'restored');
        mkdirSync(restoredDir);
        await run('tar', ['-C', restoredDir, '-xzf', archive]);

        // then: a server on the restored directory verifies and continues
        const second = await startPglite(restoredDir);
        cleanup.push(() => stopChild(second.child));
        const restored = await createTestApp({ databaseUrl: second.url, dataDir: restoredDir, kind: 'pglite', drop: async () => undefined });
        cleanup.push(() => restored.close());
        await expectRestored(restored, work);
      },
    },
  ];
  if (process.env.DATABASE_URL) {
    cases.push({
      name: 'PostgreSQL: pg_dump -Fc, pg_restore into a fresh database',
      test: async () => {
        // given: a database sealed with HISTORY_KEY (as in docker-compose.yml), with work in it
        const history = (dataDir: string): HistoryConfig => ({ key: 'backup-test-history-key-0123456789abcdef', previousKeys: [], keyFile: join(dataDir, 'unused.key'), sealLegacy: false });
        const source = await createTestDatabase();
        cleanup.push(() => source.drop());
        const t = await createTestApp(source, { config: { history: history(source.dataDir) } });
        const work = await createWork(t);

        // when: dumped while the server runs, restored into a new empty database
        const dump = join(tempDir(), 'itsm.dump');
        await run('pg_dump', ['-Fc', '-f', dump, source.databaseUrl]);
        await t.close();
        const target = await createTestDatabase();
        cleanup.push(() => target.drop());
        await run('pg_restore', ['--no-owner', '--exit-on-error', '-d', target.databaseUrl, dump]);

        // then: a server on the restored database (same HISTORY_KEY) verifies and continues
        const restored = await createTestApp(target, { config: { history: history(target.dataDir) } });
        cleanup.push(() => restored.close());
        await expectRestored(restored, work);
      },
    });
  }

  // two servers and, on PGlite, two database processes start per case: minutes on a busy machine
  it.each(cases.map((c) => [c.name, c.test] as const))('%s', async (_name, test) => test(), 300_000);
});
