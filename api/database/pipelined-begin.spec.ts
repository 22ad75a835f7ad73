import { DataSource, type QueryRunner } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database';
import { PipelinedTransaction } from './pipelined-begin';
import { prepared } from './prepared';

describe('PipelinedTransaction (BEGIN in the first statement\'s round trip)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let runner: QueryRunner;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = new DataSource({ type: 'postgres', url: db.databaseUrl, extra: { max: 3 } });
    await dataSource.initialize();
    await dataSource.query('CREATE TABLE pipelined_probe (n int NOT NULL)');
  });
  beforeEach(async () => {
    runner = dataSource.createQueryRunner();
    await runner.connect();
  });
  afterEach(async () => {
    await runner.release();
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  const count = async () => Number((await dataSource.query('SELECT count(*) AS n FROM pipelined_probe'))[0].n);

  it('answers the first statement\'s rows and keeps its writes only when committed', async () => {
    // given
    await dataSource.query('DELETE FROM pipelined_probe');
    const rolledBack = new PipelinedTransaction(runner);

    // when: a write, then the transaction rolled back
    const rows = await rolledBack.runner.query(prepared('INSERT INTO pipelined_probe (n) VALUES ($1) RETURNING n'), [7]);
    await rolledBack.runner.query('INSERT INTO pipelined_probe (n) VALUES ($1)', [8]);
    await rolledBack.rollback();

    // then
    expect(rows).toEqual([{ n: 7 }]);
    expect(await count()).toBe(0);

    // when: the same, committed
    const committed = new PipelinedTransaction(runner);
    await committed.runner.query(prepared('INSERT INTO pipelined_probe (n) VALUES ($1) RETURNING n'), [7]);
    await committed.runner.query('INSERT INTO pipelined_probe (n) VALUES ($1)', [8]);
    await committed.commit();

    // then
    expect(await count()).toBe(2);
  });

  it('is one transaction from its first statement on', async () => {
    // given
    const transaction = new PipelinedTransaction(runner);

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
      const transaction = new PipelinedTransaction(runner);
      errors.push(await transaction.runner.query(bad, [1]).catch((e: unknown) => e));
      await transaction.rollback();
    }

    // then: the same parse error each time (not "prepared statement does not exist"), and the connection still answers
    expect(errors.map((e) => (e as { code?: string }).code)).toEqual(['42703', '42703']);
    const transaction = new PipelinedTransaction(runner);
    expect(await transaction.runner.query(prepared('SELECT $1::int AS n'), [5])).toEqual([{ n: 5 }]);
    await transaction.commit();
  });
});
