import type { QueryRunner } from 'typeorm';
import { LazyTransaction, readsOnly } from './lazy-transaction';

/** A QueryRunner that records what it is asked to do. */
function fakeRunner() {
  const log: string[] = [];
  let active = false;
  const runner = {
    get isTransactionActive() {
      return active;
    },
    startTransaction: async () => {
      log.push('BEGIN');
      active = true;
    },
    commitTransaction: async () => {
      log.push('COMMIT');
      active = false;
    },
    rollbackTransaction: async () => {
      log.push('ROLLBACK');
      active = false;
    },
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
    await tx.runner.query('SELECT * FROM process_instance WHERE id = $1');
    await tx.runner.query('WITH w0 AS (UPDATE process_instance SET revision = revision + 1) SELECT 1');
    await tx.runner.query('SELECT 1');
    await tx.commit();

    // then
    expect(log).toEqual(['SELECT * FROM process_instance WHERE id = $1', 'BEGIN', 'WITH w0 AS (UPDATE process_instance SET revision = revision + 1) SELECT 1', 'SELECT 1', 'COMMIT']);
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
