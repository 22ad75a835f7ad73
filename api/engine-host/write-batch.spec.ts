import type { QueryRunner } from 'typeorm';
import { HistoryKeyring, anchorMessage } from '../../engine';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database';
import { Database } from '../database/database';
import { PipelinedTransaction } from '../database/pipelined-begin';
import { ANCHOR_WINDOW, WRITE_CHECK_FAILED, WriteBatch, anchorSeals, type AnchorCache } from './write-batch';

/**
 * The history anchor counted by a start's batched write (real database, migrated): from whatever
 * count the row holds when the write gets it, within a window past the count the process knew.
 */
describe('WriteBatch: the windowed history anchor update', () => {
  const ring = new HistoryKeyring('a test history key of at least 32 bytes');
  const seal = (count: number) => ring.sign('anchor', anchorMessage(count));
  let db: TestDatabase;
  let database: Database;
  const runners: QueryRunner[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    database = await Database.open({ databaseUrl: db.databaseUrl, dataDir: db.dataDir, poolSize: 4 });
  }, 120_000);
  afterEach(async () => {
    for (const runner of runners.splice(0)) await runner.release();
  });
  afterAll(async () => {
    await database?.close();
    await db?.drop();
  });

  const connected = async () => {
    const runner = database.dataSource.createQueryRunner();
    await runner.connect();
    runners.push(runner);
    return runner;
  };
  const setAnchor = (instances: number, mac: string | null) => database.dataSource.query(`UPDATE history_anchor SET instances = $1, mac = $2 WHERE id = 1`, [instances, mac]);
  const anchor = async () => {
    const [row] = await database.dataSource.query(`SELECT instances, mac FROM history_anchor WHERE id = 1`);
    return { instances: Number(row.instances), mac: row.mac as string | null };
  };
  /** A batch that only counts `started` instances on from `known`, in a transaction of its own. */
  const counting = async (known: number, started = 1, cache: AnchorCache = { value: null }) => {
    const transaction = new PipelinedTransaction(await connected());
    const batch = new WriteBatch(transaction.runner, ring, (text) => text, (text, params, options) => transaction.send(text, params, options));
    const k = { instances: known, mac: seal(known) };
    batch.setAnchor(k, anchorSeals(ring, cache, k, started), started);
    return { transaction, batch };
  };

  it('counts on from the count the anchor holds when other starts counted since the process last knew it', async () => {
    // given: the process knew 10; three starts elsewhere committed since
    await setAnchor(13, seal(13));
    const { transaction, batch } = await counting(10);

    // when
    const counted = await batch.flush();
    await transaction.commit();

    // then: 14, sealed with the current key, and the batch says what it left
    expect(counted).toBe(true);
    expect(await anchor()).toEqual({ instances: 14, mac: seal(14) });
    expect(batch.anchorAfter).toEqual({ instances: 14, mac: seal(14) });
  });

  it('misses an anchor in its window whose seal is not the expected one (another key, tampered with, none): the caller checks it with every key', async () => {
    for (const mac of [new HistoryKeyring('another history key of at least 32 bytes').sign('anchor', anchorMessage(12)), seal(99), null]) {
      // given
      await setAnchor(12, mac);
      const { transaction, batch } = await counting(10);

      // when
      const counted = await batch.flush();
      await transaction.commit();

      // then
      expect(counted).toBe(false);
      expect(batch.anchorAfter).toBeNull();
      expect(await anchor()).toEqual({ instances: 12, mac });
    }
  });

  it('misses an anchor past its window: the flush answers false, and sent with the COMMIT it is a write check failure that commits nothing', async () => {
    // given: more starts committed elsewhere than the window covers
    await setAnchor(10 + ANCHOR_WINDOW, seal(10 + ANCHOR_WINDOW));

    // when: flushed
    const first = await counting(10);
    const counted = await first.batch.flush();
    await first.transaction.commit();

    // then
    expect(counted).toBe(false);
    expect(await anchor()).toEqual({ instances: 10 + ANCHOR_WINDOW, mac: seal(10 + ANCHOR_WINDOW) });

    // when: sent with the COMMIT
    const second = await counting(10);
    const error = await second.batch.flushAndCommit().catch((e: unknown) => e);
    await second.transaction.rollback();

    // then
    expect((error as { code?: string }).code).toBe(WRITE_CHECK_FAILED);
    expect(await anchor()).toEqual({ instances: 10 + ANCHOR_WINDOW, mac: seal(10 + ANCHOR_WINDOW) });
  });

  it('signs each count of the window once per process (the seals are kept), and none below the known count', () => {
    // given
    const cache: AnchorCache = { value: null };
    const signing = jest.spyOn(ring, 'sign');

    // when: two starts, the second knowing one count more
    const first = anchorSeals(ring, cache, { instances: 10, mac: seal(10) }, 1);
    const known = { instances: 11, mac: seal(11) };
    signing.mockClear();
    const second = anchorSeals(ring, cache, known, 1);
    const signed = signing.mock.calls.length;

    // then: the window's seals, index 0 the known one
    expect(first).toHaveLength(ANCHOR_WINDOW + 1);
    expect(first.slice(0, 3)).toEqual([seal(10), seal(11), seal(12)]);
    expect(second.slice(0, 2)).toEqual([seal(11), seal(12)]);
    expect(signed).toBe(1); // only the count that entered the window
    expect([...cache.seals!.keys()].every((count) => count > 11)).toBe(true);
    signing.mockRestore();
  });

  // PGlite serves every connection from one session: no second transaction to wait for.
  (process.env.DATABASE_URL ? it : it.skip)('waits for a start that holds the anchor and counts on from what it committed', async () => {
    // given: the anchor at 10; another start counted on to 11 and has not committed yet
    await setAnchor(10, seal(10));
    const other = new PipelinedTransaction(await connected());
    await other.runner.query(`UPDATE history_anchor SET instances = 11, mac = $1 WHERE id = 1`, [seal(11)]);

    // when: this one (knowing 10) writes, and the other commits a moment later
    const { transaction, batch } = await counting(10);
    const flushed = batch.flushAndCommit();
    await new Promise((r) => setTimeout(r, 300));
    const before = await anchor();
    await other.commit();
    await flushed;

    // then: it waited, then counted on from 11
    expect(before).toEqual({ instances: 10, mac: seal(10) });
    expect(await anchor()).toEqual({ instances: 12, mac: seal(12) });
    expect(batch.anchorAfter).toEqual({ instances: 12, mac: seal(12) });
    expect(transaction.open).toBe(false);
  });
});
