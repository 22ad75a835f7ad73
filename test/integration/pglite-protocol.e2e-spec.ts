import { Client, Pool } from 'pg';
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

  it('rolls back what a connection that went away left open, and serves the others', async () => {
    // given: a table and a connection that dies inside a transaction it wrote in
    await pool.query('CREATE TABLE IF NOT EXISTS protocol_gone (id int PRIMARY KEY)');
    const doomed = new Client({ connectionString: db.databaseUrl });
    doomed.on('error', () => undefined);
    await doomed.connect();
    await doomed.query('BEGIN');
    await doomed.query('INSERT INTO protocol_gone (id) VALUES ($1)', [1]);

    // when: its socket closes without COMMIT, and another connection queries meanwhile
    const other = pool.query('SELECT count(*)::int AS n FROM protocol_gone');
    (doomed as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();

    // then: the other connection is answered, and the insert did not commit
    expect((await other).rows[0].n).toBe(0);
    expect((await pool.query('SELECT count(*)::int AS n FROM protocol_gone')).rows[0].n).toBe(0);
  });

  it('answers a failing statement with its error and the next statement of every connection normally', async () => {
    // when: statements that fail while binding or running interleave with ones that succeed
    const answers = await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        if (i % 3 === 0) return pool.query('SELECT $1::int AS n', ['not a number']).then(() => 'answered', (e: { code?: string }) => e.code);
        if (i % 3 === 1) return pool.query('SELECT 1 / ($1::int - $1::int) AS n', [i]).then(() => 'answered', (e: { code?: string }) => e.code);
        return (await pool.query('SELECT $1::int AS n', [i])).rows[0].n === i ? 'right' : 'wrong';
      }),
    );

    // then: each failure is its own (invalid text, division by zero), every other answer is right
    expect(answers.filter((a, i) => i % 3 === 0).every((a) => a === '22P02')).toBe(true);
    expect(answers.filter((a, i) => i % 3 === 1).every((a) => a === '22012')).toBe(true);
    expect(answers.filter((a, i) => i % 3 === 2).every((a) => a === 'right')).toBe(true);
  });

  it('keeps the prepared statements of each connection its own, even under the same name', async () => {
    // when: every connection prepares statements named q0..q2 whose texts differ by connection
    const clients = await Promise.all(Array.from({ length: 6 }, () => pool.connect()));
    try {
      const answers = await Promise.all(
        clients.flatMap((client, c) =>
          Array.from({ length: 9 }, async (_, i) => {
            const { rows } = await client.query({ name: `q${i % 3}`, text: `SELECT $1::int + ${c * 10 + (i % 3)} AS n`, values: [i] });
            return rows[0].n === i + c * 10 + (i % 3);
          }),
        ),
      );

      // then: no name collides and every statement answers with its own connection's text
      expect(answers.every(Boolean)).toBe(true);
    } finally {
      // destroyed rather than reused: the pool's next user must not find these names prepared
      clients.forEach((client) => client.release(true));
    }
  });
});
