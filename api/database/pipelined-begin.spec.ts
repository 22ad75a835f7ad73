import { useProbeTable } from '../../test/support/probe-table';
import { PipelinedTransaction } from './pipelined-begin';
import { prepared } from './prepared';

describe('PipelinedTransaction (BEGIN in the first statement\'s round trip)', () => {
  const probe = useProbeTable('pipelined_probe');

  it('answers the first statement\'s rows and keeps its writes only when committed', async () => {
    // given
    await probe.dataSource.query('DELETE FROM pipelined_probe');
    const rolledBack = new PipelinedTransaction(probe.runner);

    // when: a write, then the transaction rolled back
    const rows = await rolledBack.runner.query(prepared('INSERT INTO pipelined_probe (n) VALUES ($1) RETURNING n'), [7]);
    await rolledBack.runner.query('INSERT INTO pipelined_probe (n) VALUES ($1)', [8]);
    await rolledBack.rollback();

    // then
    expect(rows).toEqual([{ n: 7 }]);
    expect(await probe.count()).toBe(0);

    // when: the same, committed
    const committed = new PipelinedTransaction(probe.runner);
    await committed.runner.query(prepared('INSERT INTO pipelined_probe (n) VALUES ($1) RETURNING n'), [7]);
    await committed.runner.query('INSERT INTO pipelined_probe (n) VALUES ($1)', [8]);
    await committed.commit();

    // then
    expect(await probe.count()).toBe(2);
  });

  it('is one transaction from its first statement on', async () => {
    // given
    const transaction = new PipelinedTransaction(probe.runner);

    // when
    await transaction.runner.query('SELECT n FROM pipelined_probe WHERE n > $1 FOR UPDATE', [0]);
    const [state] = await transaction.runner.query('SELECT now() = statement_timestamp() AS same');

    // then: now() is the transaction's start, not this statement's
    expect(state.same).toBe(false);
    await transaction.rollback();
  });

  it('leaves the connection usable after its first statement failed, a named statement included (its Parse is tried again)', async () => {
    // given: a named statement whose Parse fails
    const bad = prepared('SELECT no_such_column FROM pipelined_probe WHERE n = $1');

    // when: twice on the same connection
    const errors: unknown[] = [];
    for (let i = 0; i < 2; i++) {
      const transaction = new PipelinedTransaction(probe.runner);
      errors.push(await transaction.runner.query(bad, [1]).catch((e: unknown) => e));
      await transaction.rollback();
    }

    // then: the same parse error each time (not "prepared statement does not exist"), and the connection still answers
    expect(errors.map((e) => (e as { code?: string }).code)).toEqual(['42703', '42703']);
    const transaction = new PipelinedTransaction(probe.runner);
    expect(await transaction.runner.query(prepared('SELECT $1::int AS n'), [5])).toEqual([{ n: 5 }]);
    await transaction.commit();
  });

  describe('commitWith (COMMIT in the last statement\'s round trip)', () => {
    it('answers the statement\'s rows and commits the whole transaction, the statement opening it or not', async () => {
      // given
      await probe.dataSource.query('DELETE FROM pipelined_probe');

      // when: a transaction with a statement before its last one
      const transaction = new PipelinedTransaction(probe.runner);
      await transaction.runner.query(prepared('INSERT INTO pipelined_probe (n) VALUES ($1)'), [1]);
      const rows = await transaction.commitWith(prepared('INSERT INTO pipelined_probe (n) VALUES ($1) RETURNING n'), [2]);

      // then: committed (another connection sees both rows), nothing left to commit or roll back
      expect(rows).toEqual([{ n: 2 }]);
      expect(transaction.open).toBe(false);
      expect(await probe.count()).toBe(2);

      // when: the last statement is the only one (BEGIN, the statement and COMMIT in one round trip)
      const alone = new PipelinedTransaction(probe.runner);
      expect(await alone.commitWith('INSERT INTO pipelined_probe (n) VALUES ($1) RETURNING n', [3])).toEqual([{ n: 3 }]);

      // then
      expect(await probe.count()).toBe(3);
      const [state] = await probe.runner.query('SELECT now() = statement_timestamp() AS same');
      expect(state.same).toBe(true); // no transaction left open on the connection
    });

    it('commits nothing when the last statement fails, the transaction\'s earlier writes included, and leaves the connection usable after the rollback', async () => {
      // given
      await probe.dataSource.query('DELETE FROM pipelined_probe');
      const failures: unknown[] = [];
      for (const opened of [true, false]) {
        const transaction = new PipelinedTransaction(probe.runner);
        if (opened) await transaction.runner.query(prepared('INSERT INTO pipelined_probe (n) VALUES ($1)'), [1]);

        // when: the statement fails as it runs (after its row was inserted)
        failures.push(await transaction.commitWith(prepared('INSERT INTO pipelined_probe (n) VALUES ($1) RETURNING 1 / (n - n)'), [2]).catch((e: unknown) => e));
        expect(transaction.open).toBe(true);
        await transaction.rollback();
      }

      // then: division by zero each time, no row, and the connection answers on
      expect(failures.map((e) => (e as { code?: string }).code)).toEqual(['22012', '22012']);
      expect(await probe.count()).toBe(0);
      const next = new PipelinedTransaction(probe.runner);
      expect(await next.commitWith(prepared('INSERT INTO pipelined_probe (n) VALUES ($1) RETURNING n'), [4])).toEqual([{ n: 4 }]);
      expect(await probe.count()).toBe(1);
    });
  });
});
