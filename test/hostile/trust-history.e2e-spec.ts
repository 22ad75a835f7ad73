import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { hashEvent, type HistoryEventRecord } from '../../engine';
import { defaultHistoryConfig } from '../../api/config/config';
import { linearTasks } from '../support/bpmn';
import { createTestApp, startTestApp, type ApiTestApp } from '../support/test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * Issue 10, part 5: history that needs a key to forge. Each case forges with direct SQL what an
 * attacker with write access to the database (but not to the server's key) would, recomputing
 * every plain SHA-256 hash there is to recompute, and asserts that verification now names it.
 */
interface Problem {
  instanceId: string;
  seq: number | null;
  kind: string;
  reason: string;
}

describe('hostile: forging history with direct SQL (HTTP, real database)', () => {
  let db: TestDatabase;
  let t: ApiTestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db);
    await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(linearTasks('forge', ['approve', 'close'])).expect(201);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  /** An instance whose `approve` task alice completed with {approved: true}; `close` is open. */
  async function completedOnce(): Promise<{ id: string; taskId: string }> {
    const started = await t.as('alice').post('/api/instances').send({ definitionKey: 'forge', variables: { amount: 100 } }).expect(201);
    const taskId = started.body.tasks[0].id;
    await t.as('alice').post(`/api/tasks/${taskId}/complete`).send({ variables: { approved: true } }).expect(200);
    return { id: started.body.instance.id, taskId };
  }

  async function rows(id: string): Promise<HistoryEventRecord[]> {
    return (await t.as('auditor').get(`/api/instances/${id}/history`).expect(200)).body;
  }

  /** Rewrites the plain hash chain from `from` on, and the head, exactly as the old verification expected. */
  async function rehash(id: string, from: number): Promise<void> {
    const events = await rows(id);
    let prevHash = from > 1 ? events[from - 2]!.hash : null;
    for (const e of events.filter((x) => x.seq >= from)) {
      const hash = hashEvent({ ...e, prevHash });
      await t.sql.query(`UPDATE history_event SET prev_hash = $3, hash = $4 WHERE instance_id = $1 AND seq = $2`, [id, e.seq, prevHash, hash]);
      prevHash = hash;
    }
    const last = events[events.length - 1]!;
    await t.sql.query(`UPDATE process_instance SET history_seq = $2, history_hash = $3 WHERE id = $1`, [id, last.seq, prevHash]);
  }

  async function verify(id: string): Promise<{ valid: boolean; firstInvalid: { seq: number | null; reason: string } | null; problems: Problem[] }> {
    return (await t.as('auditor').get(`/api/instances/${id}/history/verify`).expect(200)).body;
  }

  /** Every problem of a full run of GET /api/history/verify, page by page. */
  async function verifyAll(limit = 3): Promise<{ problems: Problem[]; pages: number; checked: number; total: number }> {
    const problems: Problem[] = [];
    let after: string | null = null;
    let pages = 0;
    let checked = 0;
    let total = 0;
    do {
      const res = await t.as('auditor').get('/api/history/verify').query(after ? { after, limit } : { limit });
      expect(res.status).toBe(200);
      problems.push(...res.body.problems);
      checked += res.body.checked;
      total = res.body.total;
      expect(res.body.position).toBe(checked);
      after = res.body.next;
      pages++;
    } while (after);
    return { problems, pages, checked, total };
  }

  it('creates the key file with mode 0600 outside the database, and a clean history verifies', async () => {
    const keyFile = defaultHistoryConfig({ dataDir: db.dataDir }).keyFile;
    expect(keyFile).toBe(join(db.dataDir, 'history.key'));
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const { id } = await completedOnce();
    expect(await verify(id)).toMatchObject({ valid: true, problems: [] });
    const seals: { mac: string }[] = await t.sql.query(`SELECT mac FROM history_event WHERE instance_id = $1`, [id]);
    expect(seals.every((s) => /^[0-9a-f]{16}:[0-9a-f]{64}$/.test(s.mac))).toBe(true);
    const all = await verifyAll();
    expect(all.problems).toEqual([]);
  });

  it('detects a rewritten task.completed row whose hash, every later hash and the head were recomputed', async () => {
    // given
    const { id } = await completedOnce();
    const completed = (await rows(id)).find((e) => e.type === 'task.completed')!;

    // when: the performer is rewritten and the plain chain recomputed (this verified as valid before)
    await t.sql.query(`UPDATE history_event SET actor = 'mallory' WHERE instance_id = $1 AND seq = $2`, [id, completed.seq]);
    await t.sql.query(`UPDATE user_task SET completed_by = 'mallory' WHERE instance_id = $1 AND element_id = 'approve'`, [id]);
    await rehash(id, completed.seq);

    // then: the plain chain is consistent, but the seals are not
    const verdict = await verify(id);
    expect(verdict.valid).toBe(false);
    expect(verdict.firstInvalid).toMatchObject({ seq: completed.seq });
    expect(verdict.problems).toContainEqual(expect.objectContaining({ kind: 'seal', seq: completed.seq, reason: expect.stringMatching(/rewritten/) }));
    expect(verdict.problems.some((p) => p.kind === 'chain')).toBe(false);
  });

  it('detects an instance whose whole chain was deleted and its head reset', async () => {
    // given
    const { id } = await completedOnce();

    // when
    await t.sql.query(`DELETE FROM history_event WHERE instance_id = $1`, [id]);
    await t.sql.query(`UPDATE process_instance SET history_seq = 0, history_hash = NULL WHERE id = $1`, [id]);

    // then
    const verdict = await verify(id);
    expect(verdict.valid).toBe(false);
    expect(verdict.problems).toContainEqual(expect.objectContaining({ kind: 'head', reason: expect.stringMatching(/does not match its seal/) }));
  });

  it('detects the last events deleted and the head moved back to the event before them', async () => {
    // given
    const { id } = await completedOnce();
    const events = await rows(id);
    const keep = events[events.length - 3]!;

    // when: the last two events go, the head points at the new last one
    await t.sql.query(`DELETE FROM history_event WHERE instance_id = $1 AND seq > $2`, [id, keep.seq]);
    await t.sql.query(`UPDATE process_instance SET history_seq = $2, history_hash = $3 WHERE id = $1`, [id, keep.seq, keep.hash]);

    // then
    const verdict = await verify(id);
    expect(verdict.valid).toBe(false);
    expect(verdict.problems).toContainEqual(expect.objectContaining({ kind: 'head', seq: keep.seq, reason: expect.stringMatching(/removed and the head moved back/) }));
  });

  it("detects edited submitted data and edited instance variables (the API's view checked against history)", async () => {
    // given
    const { id, taskId } = await completedOnce();
    expect((await t.as('auditor').get(`/api/tasks/${taskId}`)).body.submitted).toEqual({ approved: true });

    // when
    await t.sql.query(`UPDATE user_task SET submitted = '{"approved": false}' WHERE id = $1`, [taskId]);
    await t.sql.query(`UPDATE process_instance SET variables = variables || '{"amount": 1000000}' WHERE id = $1`, [id]);

    // then: the API shows the forged values, and verification names both
    expect((await t.as('auditor').get(`/api/tasks/${taskId}`)).body.submitted).toEqual({ approved: false });
    const verdict = await verify(id);
    expect(verdict.valid).toBe(false);
    expect(verdict.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'variables', reason: expect.stringContaining('"amount"') }),
        expect.objectContaining({ kind: 'task', reason: expect.stringMatching(new RegExp(`data submitted with task ${taskId}.*does not match`)) }),
      ]),
    );
  });

  it('detects a whole instance deleted with all its rows (the sealed instance count), and a full paged run names every forgery', async () => {
    // given
    const { id } = await completedOnce();

    // when
    await t.sql.query(`DELETE FROM history_event WHERE instance_id = $1`, [id]);
    await t.sql.query(`DELETE FROM user_task WHERE instance_id = $1`, [id]);
    await t.sql.query(`DELETE FROM process_instance WHERE id = $1`, [id]);

    // then: the first page reports the count; every forged instance above is named too
    const first = await t.as('auditor').get('/api/history/verify').query({ limit: 2 });
    expect(first.body.anchor).toMatchObject({ sealed: true, instances: first.body.total + 1 });
    expect(first.body.problems).toContainEqual(expect.objectContaining({ kind: 'anchor', reason: expect.stringMatching(/1 instance\(s\) with their whole history are missing/) }));
    const all = await verifyAll(2);
    expect(all.pages).toBeGreaterThanOrEqual(3);
    expect(all.checked).toBe(all.total);
    expect(new Set(all.problems.filter((p) => p.kind !== 'anchor').map((p) => p.instanceId)).size).toBe(4);
    expect(new Set(all.problems.map((p) => p.kind))).toEqual(new Set(['anchor', 'seal', 'head', 'variables', 'task']));
  });

  it('detects the sealed count lowered to hide the deletion, also after later starts (they never seal over it)', async () => {
    // when: the anchor's count is lowered to match the deletion above
    await t.sql.query(`UPDATE history_anchor SET instances = instances - 1`);
    await completedOnce();

    // then
    const first = (await t.as('auditor').get('/api/history/verify').query({ limit: 1 })).body;
    expect(first.problems).toContainEqual(expect.objectContaining({ kind: 'anchor', reason: expect.stringMatching(/count \(\d+\) does not match its seal/) }));
  });

  it('answers administrators and auditors, refuses staff with 403 and bad paging with 400', async () => {
    expect((await t.as('alice').get('/api/history/verify')).status).toBe(403);
    expect((await t.as('admin').get('/api/history/verify').query({ limit: 1 })).status).toBe(200);
    for (const query of [{ after: 'not-a-uuid' }, { limit: 0 }, { limit: 100000 }, { other: 1 }]) {
      const res = await t.as('auditor').get('/api/history/verify').query(query);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
  });
});

describe('hostile: history keys and history written before keyed history (real database)', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('reports legacy (plain SHA-256) chains, seals those that verify once with HISTORY_SEAL_LEGACY, and refuses to start with another key', async () => {
    // given: two instances whose history was written before keyed history (no seals, unsealed anchor), one of them forged
    let t = await createTestApp(db);
    await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(linearTasks('legacy', ['one'])).expect(201);
    const good = (await t.as('alice').post('/api/instances').send({ definitionKey: 'legacy' }).expect(201)).body.instance.id;
    const forged = (await t.as('alice').post('/api/instances').send({ definitionKey: 'legacy' }).expect(201)).body.instance.id;
    await t.sql.query(`UPDATE history_event SET mac = NULL`);
    await t.sql.query(`UPDATE process_instance SET history_mac = NULL`);
    await t.sql.query(`UPDATE history_anchor SET mac = NULL, sealed_at = NULL`);
    await t.sql.query(`UPDATE history_event SET actor = 'mallory' WHERE instance_id = $1 AND seq = 1`, [forged]);

    // then: verification says they are not sealed
    const before = (await t.as('auditor').get(`/api/instances/${good}/history/verify`)).body;
    expect(before.valid).toBe(false);
    expect(before.problems).toContainEqual(expect.objectContaining({ kind: 'seal', reason: expect.stringMatching(/carry no seal/) }));
    const page = (await t.as('auditor').get('/api/history/verify')).body;
    expect(page.problems).toContainEqual(expect.objectContaining({ kind: 'anchor', reason: expect.stringMatching(/not sealed/) }));
    await t.close();

    // when: restarted once with HISTORY_SEAL_LEGACY
    const history = { ...defaultHistoryConfig({ dataDir: db.dataDir }), sealLegacy: true };
    t = await createTestApp(db, { config: { history } });

    // then: the chain that verified is sealed and valid; the forged one stays unsealed and reported
    expect((await t.as('auditor').get(`/api/instances/${good}/history/verify`)).body).toMatchObject({ valid: true, problems: [] });
    const bad = (await t.as('auditor').get(`/api/instances/${forged}/history/verify`)).body;
    expect(bad.valid).toBe(false);
    expect(bad.problems.map((p: Problem) => p.kind)).toEqual(expect.arrayContaining(['chain', 'seal', 'head']));
    const all = (await t.as('auditor').get('/api/history/verify')).body;
    expect(all.anchor).toMatchObject({ sealed: true, instances: 2 });
    expect(all.problems.every((p: Problem) => p.instanceId === forged)).toBe(true);

    // and: new history keeps being sealed; the flag does nothing a second time
    await t.as('alice').post('/api/instances').send({ definitionKey: 'legacy' }).expect(201);
    await t.close();
    t = await createTestApp(db, { config: { history } });
    expect((await t.as('auditor').get('/api/history/verify')).body.anchor).toMatchObject({ sealed: true, instances: 3 });
    await t.close();

    // when: started with another key (a lost key file replaced by a new one)
    const other = { ...defaultHistoryConfig({ dataDir: db.dataDir }), key: 'a different history key of more than 32 bytes' };
    const failed = await startTestApp(db, { config: { history: other } }).then(
      (app) => app.close().then(() => null),
      (error: Error) => error,
    );

    // then: the start stops, naming what to do
    expect(failed?.message).toMatch(/sealed with key [0-9a-f]{16}, which this server does not hold.*HISTORY_PREVIOUS_KEYS/);

    // and: with the old key listed as a previous one, it starts and everything still verifies
    const current = readFileSync(defaultHistoryConfig({ dataDir: db.dataDir }).keyFile, 'utf8').trim();
    t = await createTestApp(db, { config: { history: { ...other, previousKeys: [current] } } });
    await t.as('alice').post('/api/instances').send({ definitionKey: 'legacy' }).expect(201);
    const rotated = (await t.as('auditor').get('/api/history/verify')).body;
    expect(rotated.anchor).toMatchObject({ sealed: true, instances: 4 });
    expect(rotated.problems.every((p: Problem) => p.instanceId === forged)).toBe(true);
    await t.close();
  });
});
