import { DataSource, type QueryRunner } from 'typeorm';
import { createTestDatabase, type TestDatabase } from './test-database';

/** What {@link useProbeTable} hands a suite: a connected runner per test, the table's row count, the data source. */
export interface ProbeTable {
  readonly dataSource: DataSource;
  readonly runner: QueryRunner;
  count(): Promise<number>;
}

/**
 * Registers the suite's hooks for transaction tests on a real database: a test database with one
 * table `name (n int NOT NULL)`, a pool of 3, and a fresh connected QueryRunner for each test.
 */
export function useProbeTable(name: string): ProbeTable {
  let db: TestDatabase;
  let dataSource: DataSource;
  let runner: QueryRunner;
  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = new DataSource({ type: 'postgres', url: db.databaseUrl, extra: { max: 3 } });
    await dataSource.initialize();
    await dataSource.query(`CREATE TABLE ${name} (n int NOT NULL)`);
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
  return {
    get dataSource() {
      return dataSource;
    },
    get runner() {
      return runner;
    },
    count: async () => Number((await dataSource.query(`SELECT count(*) AS n FROM ${name}`))[0].n),
  };
}
