import { readFileSync } from 'node:fs';
import { HistoryKeyring, ManualClock, verifyArchive, type ArchivedInstance } from '../../engine';
import { Database } from '../../api/database/database';
import { HistoryRetention } from '../../api/retention/history-retention';
import { RetentionJob } from '../../api/retention/retention-job';
import { bpmn } from '../support/bpmn';
import { createTestApp, type ApiTestApp } from '../support/test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const DAY = 24 * 60 * 60 * 1000;

/** start → one user task → end, with the given process attributes. */
function oneTask(key: string, attrs: string): string {
  return bpmn(
    key,
    `<bpmn:startEvent id="start"/><bpmn:userTask id="work" camunda:candidateGroups="servicedesk"/><bpmn:endEvent id="end"/>
     <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work"/><bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end"/>`,
    attrs,
  );
}

/**
 * History retention (README "History retention"): ended instances past their definition's
 * `camunda:historyTimeToLive` are written to an archive that verifies offline, then removed with
 * their history and tasks; the sealed anchor follows, so the history audit stays clean, while a
 * deletion made behind the job's back is still reported.
 */
describe('history retention (archive, removal, partitions)', () => {
  let db: TestDatabase;
  let t: ApiTestApp;
  const clock = new ManualClock();
  const saved = { ...process.env };

  beforeAll(async () => {
    process.env.HISTORY_CLEANUP_INTERVAL_MS = '0';
    delete process.env.HISTORY_TTL_DAYS;
    db = await createTestDatabase();
    t = await createTestApp(db, { clock });
    for (const [key, attrs] of [['short-lived', 'camunda:historyTimeToLive="P30D"'], ['ninety-days', 'camunda:historyTimeToLive="90"'], ['kept', '']]) {
      const res = await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(oneTask(key!, attrs!));
      expect({ status: res.status, body: res.body }).toMatchObject({ status: 201 });
    }
  }, 120_000);

  afterAll(async () => {
    process.env = saved;
    await t?.close();
    await db?.drop();
  });

  async function start(key: string): Promise<{ id: string; taskId: string }> {
    const res = await t.as('alice').post('/api/instances').send({ definitionKey: key, variables: { n: 1 } });
    expect({ status: res.status, body: res.body }).toMatchObject({ status: 201 });
    return { id: res.body.instance.id, taskId: res.body.tasks[0].id };
  }

  async function finish(key: string): Promise<string> {
    const i = await start(key);
    const res = await t.as('alice').post(`/api/tasks/${i.taskId}/complete`).send({ variables: { ok: true } });
    expect({ status: res.status, body: res.body }).toMatchObject({ status: 200 });
    return i.id;
  }

  async function existing(): Promise<Set<string>> {
    return new Set((await t.sql.query(`SELECT id FROM process_instance`)).map((r: { id: string }) => r.id));
  }

  async function verifyAll(): Promise<{ problems: { kind: string; reason: string }[]; total: number }> {
    const res = await t.as('auditor').get('/api/history/verify').query({ limit: 500 });
    expect(res.status).toBe(200);
    expect(res.body.next).toBeNull();
    return { problems: res.body.problems, total: res.body.total };
  }

  function archived(file: string): ArchivedInstance[] {
    return readFileSync(file, 'utf8').trim().split('\n').slice(1).map((l) => JSON.parse(l));
  }

  it('archives and removes only ended instances past their time to live; the archive and the audit verify', async () => {
    const old = await finish('short-lived');
    const running = await start('short-lived');
    const keptForever = await finish('kept');
    const ninety = await finish('ninety-days');
    clock.advance(40 * DAY);
    const young = await finish('short-lived');

    const summary = await t.app.get(RetentionJob).run();
    expect(summary).toMatchObject({ removed: 1, busy: false });
    expect(summary.archiveFile).toContain('archive');

    const left = await existing();
    expect(left.has(old)).toBe(false);
    for (const id of [running.id, keptForever, ninety, young]) expect(left.has(id)).toBe(true);
    expect(Number((await t.sql.query(`SELECT count(*) AS n FROM history_event WHERE instance_id = $1`, [old]))[0].n)).toBe(0);
    expect(Number((await t.sql.query(`SELECT count(*) AS n FROM user_task WHERE instance_id = $1`, [old]))[0].n)).toBe(0);

    const lines = archived(summary.archiveFile!);
    expect(lines.map((l) => l.instance.id)).toEqual([old]);
    expect(lines[0]!.events.map((e) => e.type)).toContain('task.completed');
    expect(lines[0]!.tasks).toHaveLength(1);
    const text = readFileSync(summary.archiveFile!, 'utf8');
    const ring = t.app.get(HistoryKeyring);
    expect(verifyArchive(text, ring)).toMatchObject({ valid: true, instances: 1, problems: [] });
    expect(verifyArchive(text)).toMatchObject({ valid: true, instances: 1 });
    // A changed event in the archive is caught, with or without the key.
    const tampered = text.replaceAll('"ok":true', '"ok":false');
    expect(tampered).not.toBe(text);
    expect(verifyArchive(tampered).valid).toBe(false);
    expect(verifyArchive(tampered, ring).valid).toBe(false);

    expect(await verifyAll()).toEqual({ problems: [], total: left.size });
    // A second run finds nothing more to do.
    expect(await t.app.get(RetentionJob).run()).toMatchObject({ removed: 0, archiveFile: null });
  });

  it('two cleanups running at once archive each instance exactly once', async () => {
    clock.advance(60 * DAY);
    const due = (await t.sql.query(`SELECT id FROM process_instance WHERE status <> 'running' AND definition_key <> 'kept'`)).map((r: { id: string }) => r.id).sort();
    expect(due).toHaveLength(2);
    const ring = t.app.get(HistoryKeyring);
    const config = { ...t.app.get(RetentionJob).config, batchSize: 1 };
    const a = new HistoryRetention(t.app.get(Database).dataSource, ring, config);
    const b = new HistoryRetention(t.app.get(Database).dataSource, ring, config);
    const runs = await Promise.all([a.run(clock.now()), b.run(clock.now())]);
    expect(runs[0]!.removed + runs[1]!.removed).toBe(2);
    const ids = runs.flatMap((r) => (r.archiveFile ? archived(r.archiveFile).map((l) => l.instance.id) : [])).sort();
    expect(ids).toEqual(due);
    for (const r of runs) if (r.archiveFile) expect(verifyArchive(readFileSync(r.archiveFile, 'utf8'), ring).valid).toBe(true);
    expect((await verifyAll()).problems).toEqual([]);
  });

  it('keeps history partitioned by month, with partitions created ahead of the clock', async () => {
    const [partitioned] = await t.sql.query(`SELECT count(*)::int AS n FROM pg_partitioned_table WHERE partrelid = 'history_event'::regclass`);
    expect(partitioned.n).toBe(1);
    const ahead = new Date(clock.now().getTime());
    ahead.setUTCMonth(ahead.getUTCMonth() + 3, 1);
    const name = `history_event_p${ahead.toISOString().slice(0, 7).replace('-', '')}`;
    expect((await t.sql.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [name]))[0].present).toBe(true);
    expect(Number((await t.sql.query(`SELECT count(*) AS n FROM history_event_default`))[0].n)).toBe(0);
  });

  it('still reports an instance removed behind the cleanup job', async () => {
    const [victim] = await t.sql.query(`SELECT id FROM process_instance WHERE definition_key = 'kept' LIMIT 1`);
    await t.sql.query(`DELETE FROM history_event WHERE instance_id = $1`, [victim.id]);
    await t.sql.query(`DELETE FROM user_task WHERE instance_id = $1`, [victim.id]);
    await t.sql.query(`DELETE FROM process_instance WHERE id = $1`, [victim.id]);
    const { problems } = await verifyAll();
    expect(problems).toEqual([expect.objectContaining({ kind: 'anchor', reason: expect.stringContaining('missing') })]);
  });
});
