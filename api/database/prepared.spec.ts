import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database';
import { prepared } from './prepared';

describe('prepared', () => {
  let db: TestDatabase;
  let client: Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    client = new Client({ connectionString: db.databaseUrl });
    await client.connect();
  });

  afterAll(async () => {
    await client.end();
    await db.drop();
  });

  it('reads as its text to string operations (the query wrappers route statements by it)', () => {
    // given
    const text = 'SELECT $1::int AS n FROM process_instance';

    // when
    const statement = prepared(text);

    // then
    expect(String(statement)).toBe(text);
    expect(/\bprocess_instance\b/.test(statement)).toBe(true);
    expect([...statement.matchAll(/\b(SELECT)\b/g)]).toHaveLength(1);
    expect(statement.startsWith('SELECT')).toBe(true);
    expect(`${statement}`).toBe(text);
  });

  it('carries only its name and text (node-pg copies a query config on every query: no property per character)', () => {
    // when
    const statement = prepared('SELECT 1 AS one FROM process_definition');

    // then
    expect(Object.keys(statement)).toEqual(['name', 'text']);
    expect(Object.getOwnPropertyNames(statement).length).toBeLessThan(10);
  });

  it('is prepared once by the session under one name and answers like the plain statement', async () => {
    // given
    const text = 'SELECT $1::int + 1 AS n';

    // when
    const first = await client.query(prepared(text) as never, [1]);
    const second = await client.query(prepared(text) as never, [41]);
    const plain = await client.query(text, [41]);

    // then
    expect(first.rows).toEqual([{ n: 2 }]);
    expect(second.rows).toEqual(plain.rows);
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement = $1`, [text]);
    expect(rows[0].n).toBe(1);
  });
});
