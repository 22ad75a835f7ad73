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
});
