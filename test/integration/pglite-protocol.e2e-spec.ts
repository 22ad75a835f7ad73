import { Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * The embedded PGlite has one session for every connection. Its protocol queue keeps each
 * connection's extended-protocol batch (Parse/Bind/Execute/Sync) and each transaction together,
 * so concurrent parameterised queries never bind each other's statements.
 */
describe('concurrent connections on one database session', () => {
  let db: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new Pool({ connectionString: db.databaseUrl, max: 16 });
    // Teardown drops the database WITH (FORCE); an idle connection the pool is still closing may
    // be terminated by it, which pg reports as an 'error' event on the pool (not a test failure).
    pool.on('error', () => undefined);
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('answers 400 concurrent queries of different shapes, each with its own parameters', async () => {
    // when: queries with 1, 2 and 3 parameters, from 16 connections at once, some in transactions
    const answers = await Promise.all(
      Array.from({ length: 400 }, async (_, i) => {
        if (i % 10 === 0) {
          const client = await pool.connect();
          try {
            await client.query('BEGIN');
            const { rows } = await client.query('SELECT $1::int * 2 AS n', [i]);
            await client.query('COMMIT');
            return rows[0].n === i * 2;
          } finally {
            client.release();
          }
        }
        if (i % 3 === 0) return (await pool.query('SELECT $1::int AS n', [i])).rows[0].n === i;
        if (i % 3 === 1) return (await pool.query('SELECT $1::int + $2::int AS n', [i, 1])).rows[0].n === i + 1;
        return (await pool.query('SELECT $1::int + $2::int + $3::int AS n', [i, 1, 2])).rows[0].n === i + 3;
      }),
    );

    // then
    expect(answers.every(Boolean)).toBe(true);
  });
});
