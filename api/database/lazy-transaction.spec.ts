import type { QueryRunner } from 'typeorm';
import { useProbeTable } from '../../test/support/probe-table';
import { LazyTransaction, readsOnly } from './lazy-transaction';
import { PipelinedQuery } from './pipelined-begin';

/** A QueryRunner that records the statements it is asked to run (statements without parameters only). */
function fakeRunner() {
  const log: string[] = [];
  const runner = {
    query: async (text: string) => {
      log.push(text);
      return [];
    },
  };
  return { runner: runner as unknown as QueryRunner, log };
}

describe('LazyTransaction', () => {
  it('runs plain reads outside a transaction and opens it once, at the first statement that needs one', async () => {
    // given
    const { runner, log } = fakeRunner();
    const tx = new LazyTransaction(runner);

    // when
    await tx.runner.query('SELECT * FROM process_instance');
    await tx.runner.query('WITH w0 AS (UPDATE process_instance SET revision = revision + 1) SELECT 1');
    await tx.runner.query('SELECT 1');
    await tx.commit();

    // then
    expect(log).toEqual(['SELECT * FROM process_instance', 'START TRANSACTION', 'WITH w0 AS (UPDATE process_instance SET revision = revision + 1) SELECT 1', 'SELECT 1', 'COMMIT']);
  });

  it('neither commits nor rolls back a command that only read', async () => {
    const { runner, log } = fakeRunner();
    const tx = new LazyTransaction(runner);
    await tx.runner.query('SELECT 1');
    await tx.commit();
    await tx.rollback();
    expect(log).toEqual(['SELECT 1']);
  });

  it('counts row locks, advisory locks, notifications and partition creation as needing the transaction', () => {
    expect(readsOnly('SELECT id FROM timer_job WHERE id = $1')).toBe(true);
    for (const text of [
      'SELECT * FROM timer_job WHERE id = $1 FOR UPDATE',
      'SELECT * FROM process_instance i FOR UPDATE OF i',
      'SELECT id FROM timer_job FOR UPDATE SKIP LOCKED',
      'SELECT * FROM t FOR NO KEY UPDATE',
      'SELECT * FROM t FOR SHARE',
      "SELECT pg_advisory_xact_lock(hashtext('k'))",
      'SELECT pg_try_advisory_xact_lock($1) AS locked',
      'SELECT pg_notify($1, $2)',
      'SELECT history_event_ensure_month($1::timestamp)',
      "SELECT nextval('s')",
      'INSERT INTO record (number) VALUES ($1)',
      'WITH c AS (INSERT INTO record_counter (type) VALUES ($1) RETURNING 1) SELECT 1',
    ]) {
      expect({ text, readsOnly: readsOnly(text) }).toEqual({ text, readsOnly: false });
    }
  });
});

describe('LazyTransaction on the database', () => {
  const probe = useProbeTable('lazy_probe');
  afterEach(() => jest.restoreAllMocks());

  it('sends BEGIN in its first write\'s round trip: a read, the write, one more statement and the commit are four', async () => {
    // given
    await probe.dataSource.query('DELETE FROM lazy_probe');
    const sent = jest.spyOn(probe.runner, 'query');
    const tx = new LazyTransaction(probe.runner);

    // when
    const before = await tx.runner.query('SELECT count(*)::int AS n FROM lazy_probe WHERE n > $1', [0]);
    const written = await tx.runner.query('INSERT INTO lazy_probe (n) VALUES ($1) RETURNING n', [7]);
    const [inside] = await tx.runner.query('SELECT now() = statement_timestamp() AS same');
    await tx.commit();

    // then: the write's answer is its own rows, the statement after it ran in the transaction it opened
    expect(before).toEqual([{ n: 0 }]);
    expect(written).toEqual([{ n: 7 }]);
    expect(inside.same).toBe(false);
    expect(await probe.count()).toBe(1);
    expect(sent).toHaveBeenCalledTimes(4);
    expect(sent.mock.calls[1]![0]).toBeInstanceOf(PipelinedQuery);
  });

  it('keeps nothing of a rolled-back command, and the connection serves the next one', async () => {
    // given
    await probe.dataSource.query('DELETE FROM lazy_probe');

    // when: written, then rolled back
    const rolledBack = new LazyTransaction(probe.runner);
    await rolledBack.runner.query('INSERT INTO lazy_probe (n) VALUES ($1)', [1]);
    await rolledBack.runner.query('INSERT INTO lazy_probe (n) VALUES ($1)', [2]);
    await rolledBack.rollback();

    // then
    expect(await probe.count()).toBe(0);

    // when: a write that fails opens (and aborts) the transaction; it is rolled back
    const failed = new LazyTransaction(probe.runner);
    const error = await failed.runner.query('INSERT INTO lazy_probe (n) VALUES ($1)', [null]).catch((e: unknown) => e);
    await failed.rollback();

    // then: the error is the statement's, and the same connection runs the next command
    expect(String((error as Error).message)).toMatch(/null value/);
    const next = new LazyTransaction(probe.runner);
    await next.runner.query('INSERT INTO lazy_probe (n) VALUES ($1)', [3]);
    await next.commit();
    expect(await probe.dataSource.query('SELECT n FROM lazy_probe')).toEqual([{ n: 3 }]);
  });
});
