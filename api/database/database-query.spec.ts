import { QueryFailedError } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database';
import { Database } from './database';

describe('Database.query', () => {
  let testDb: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = await Database.open({ databaseUrl: testDb.databaseUrl, dataDir: testDb.dataDir, migrate: true });
  });

  afterAll(async () => {
    await db.close();
    await testDb.drop();
  });

  it('answers the rows of a statement as dataSource.query does, parameters bound and types parsed', async () => {
    // given
    const text = `SELECT $1::int AS n, $2::text AS s, '2026-01-02T03:04:05Z'::timestamptz AS t, ARRAY['a','b'] AS a FROM generate_series(1, 2) g`;
    const params = [7, 'x'];

    // when
    const rows = await db.query(text, params);

    // then
    expect(rows).toEqual(await db.dataSource.query(text, params));
    expect(rows).toEqual([
      { n: 7, s: 'x', t: new Date('2026-01-02T03:04:05Z'), a: ['a', 'b'] },
      { n: 7, s: 'x', t: new Date('2026-01-02T03:04:05Z'), a: ['a', 'b'] },
    ]);
  });

  it('fails with the QueryFailedError dataSource.query gives, SQLSTATE kept (the problem filter maps it)', async () => {
    // when
    const failure = await db.query('SELECT 1 / $1::int AS n', [0]).catch((error: unknown) => error);

    // then
    expect(failure).toBeInstanceOf(QueryFailedError);
    expect(failure).toMatchObject({ code: '22012', query: 'SELECT 1 / $1::int AS n', parameters: [0] });
  });

  it('tells the TypeORM logger of every statement, as dataSource.query does (the bench counts statements there)', async () => {
    // given
    const logQuery = jest.spyOn(db.dataSource.logger, 'logQuery');

    // when
    await db.query('SELECT 1 AS one');
    await db.lagging('SELECT 2 AS two');

    // then
    expect(logQuery.mock.calls.map(([text]) => text)).toEqual(['SELECT 1 AS one', 'SELECT 2 AS two']);
    logQuery.mockRestore();
  });
});
