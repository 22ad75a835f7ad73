import { useProbeTable } from '../../test/support/probe-table';
import { PipelinedTransaction } from './pipelined-begin';
import { prepared } from './prepared';

describe('PipelinedTransaction (BEGIN in the first statement\'s round trip)', () => {
  const probe = useProbeTable('pipelined_probe');

  /** Two failures by division by zero left no row, and the connection (and its named statement) still commits a send. */
  async function expectFailedTwiceThenAnswersOn(failures: unknown[]): Promise<void> {
    expect(failures.map((e) => (e as { code?: string }).code)).toEqual(['22012', '22012']);
    expect(await probe.count()).toBe(0);
    const next = new PipelinedTransaction(probe.runner);
    expect(await next.send(prepared('INSERT INTO pipelined_probe (n) VALUES ($1) RETURNING n'), [3], { commit: true })).toEqual([{ n: 3 }]);
    expect(await probe.count()).toBe(1);
  }

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

  describe('send with commit (COMMIT in the last statement\'s round trip)', () => {
    it('answers the statement\'s rows and commits the whole transaction, the statement opening it or not', async () => {
      // given
      await probe.dataSource.query('DELETE FROM pipelined_probe');

      // when: a transaction with a statement before its last one
      const transaction = new PipelinedTransaction(probe.runner);
      await transaction.runner.query(prepared('INSERT INTO pipelined_probe (n) VALUES ($1)'), [1]);
      const rows = await transaction.send(prepared('INSERT INTO pipelined_probe (n) VALUES ($1) RETURNING n'), [2], { commit: true });

      // then: committed (another connection sees both rows), nothing left to commit or roll back
      expect(rows).toEqual([{ n: 2 }]);
      expect(transaction.open).toBe(false);
      expect(await probe.count()).toBe(2);

      // when: the last statement is the only one (BEGIN, the statement and COMMIT in one round trip)
      const alone = new PipelinedTransaction(probe.runner);
      expect(await alone.send('INSERT INTO pipelined_probe (n) VALUES ($1) RETURNING n', [3], { commit: true })).toEqual([{ n: 3 }]);

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
        failures.push(await transaction.send(prepared('INSERT INTO pipelined_probe (n) VALUES ($1) RETURNING 1 / (n - n)'), [2], { commit: true }).catch((e: unknown) => e));
        expect(transaction.open).toBe(true);
        await transaction.rollback();
      }

      // then: division by zero each time, no row, and the connection answers on
      await expectFailedTwiceThenAnswersOn(failures);
    });
  });
  describe('send with preludes (statements run ahead of one, in its round trip)', () => {
    it('runs the preludes first and answers the statement\'s rows alone', async () => {
      // given
      await probe.dataSource.query('DELETE FROM pipelined_probe');
      const transaction = new PipelinedTransaction(probe.runner);

      // when: a prelude sets a transaction-local value that the statement reads, and the COMMIT goes with them
      const rows = await transaction.send(
        prepared(`INSERT INTO pipelined_probe (n) VALUES (current_setting('itsm.probe')::int + $1) RETURNING n`),
        [1],
        { before: [{ text: `SELECT set_config('itsm.probe', $1, true)`, values: ['41'] }], commit: true },
      );

      // then: the prelude ran before (42), its row is not in the answer, and the transaction committed
      expect(rows).toEqual([{ n: 42 }]);
      expect(transaction.open).toBe(false);
      expect(await probe.count()).toBe(1);
    });

    it('does not run the statement when a prelude fails, commits nothing, and the connection answers on', async () => {
      // given
      await probe.dataSource.query('DELETE FROM pipelined_probe');
      const failures: unknown[] = [];
      for (let i = 0; i < 2; i++) {
        const transaction = new PipelinedTransaction(probe.runner);
        await transaction.runner.query(prepared('INSERT INTO pipelined_probe (n) VALUES ($1)'), [1]);

        // when: the prelude fails as it runs
        failures.push(
          await transaction
            .send(prepared('INSERT INTO pipelined_probe (n) VALUES ($1) RETURNING n'), [2], { before: [{ text: 'SELECT $1::int / 0', values: ['1'] }], commit: true })
            .catch((e: unknown) => e),
        );
        await transaction.rollback();
      }

      // then: division by zero each time, no row (neither the earlier one nor the statement's), and the named statement still works
      await expectFailedTwiceThenAnswersOn(failures);
    });

    // PGlite serves every connection from one session: a lock its other connection holds is its own.
    (process.env.DATABASE_URL ? it : it.skip)('waits in PostgreSQL for the lock a prelude asks for, then runs the statement and commits, all in the one round trip', async () => {
      // given: another transaction holds the lock
      await probe.dataSource.query('DELETE FROM pipelined_probe');
      const holder = probe.dataSource.createQueryRunner();
      await holder.connect();
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock(4242)');
      const transaction = new PipelinedTransaction(probe.runner);

      // when
      let answered = false;
      const sent = transaction
        .send(prepared('INSERT INTO pipelined_probe (n) VALUES ($1) RETURNING n'), [5], { before: [{ text: 'SELECT pg_advisory_xact_lock($1::bigint)', values: ['4242'] }], commit: true })
        .then((rows) => ((answered = true), rows));
      await new Promise((r) => setTimeout(r, 300));
      const waiting = { answered, rows: await probe.count() };
      await holder.query('COMMIT');
      await holder.release();

      // then: nothing ran while the lock was held; once it was released, the row was written and committed
      expect(waiting).toEqual({ answered: false, rows: 0 });
      expect(await sent).toEqual([{ n: 5 }]);
      expect(transaction.open).toBe(false);
      expect(await probe.count()).toBe(1);
    });
  });
});
