import { Client } from 'pg';
import { BENCH_USERS, buildBenchData } from '../bench/data';
import { createTestApp, type ApiTestApp } from '../support/test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * `npm run bench:data` at a tiny scale: the generated database migrates, and the server's lists
 * read it for every bench role with the totals its rows give (the read benchmark measures
 * exactly these requests).
 */
describe('bench:data builds a database the lists read', () => {
  let db: TestDatabase;
  let t: ApiTestApp;
  let pg: Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    await buildBenchData({ url: db.databaseUrl, scale: 0.001 });
    t = await createTestApp(db, { users: [] });
    pg = new Client({ connectionString: db.databaseUrl });
    await pg.connect();
  }, 300_000);
  afterAll(async () => {
    await pg?.end();
    await t?.close();
    await db?.drop();
  });

  it('generates instances, open and completed tasks, history and records of several definitions', async () => {
    const { rows } = await pg.query(`SELECT (SELECT count(*)::int FROM process_instance) AS instances,
        (SELECT count(DISTINCT definition_key)::int FROM process_instance) AS keys,
        (SELECT count(*)::int FROM user_task WHERE status = 'open') AS open, (SELECT count(*)::int FROM user_task WHERE status = 'completed') AS completed,
        (SELECT count(*)::int FROM history_event) AS history, (SELECT count(*)::int FROM record) AS records,
        (SELECT count(*)::int FROM process_instance WHERE snapshot IS NOT NULL) AS snapshots`);
    expect(rows[0]).toEqual({ instances: 1100, keys: 5, open: 200, completed: expect.any(Number), history: 10000, records: 1100, snapshots: 100 });
    expect(rows[0].completed).toBeGreaterThan(2000);
  });

  it.each(Object.entries(BENCH_USERS))('%s (%s) reads instances, records, tasks and one history with the totals the rows give', async (_role, username) => {
    const client = await t.user({ username });
    const user = (await pg.query(`SELECT u.roles, COALESCE(array_agg(g.name) FILTER (WHERE g.name IS NOT NULL), '{}') AS groups FROM app_user u
        LEFT JOIN group_member m ON m.user_id = u.id LEFT JOIN app_group g ON g.id = m.group_id WHERE u.username = $1 GROUP BY u.id`, [username])).rows[0];
    const params = [username, user.groups, user.roles.includes('admin') || user.roles.includes('auditor'), user.roles.includes('process-owner')];
    const owns = (key: string) => `($4 AND ${key} IN (SELECT o.definition_key FROM definition_owner o JOIN app_user ou ON ou.id = o.user_id WHERE ou.username = $1))`;
    const involved = (x: string) => `(${x}.assignee = $1 OR ${x}.completed_by = $1 OR ${x}.candidate_users @> ARRAY[$1] OR ${x}.candidate_groups && $2::text[])`;
    const count = async (sql: string) => Math.min(1000, (await pg.query(`SELECT count(*)::int AS n FROM ${sql}`, params)).rows[0].n as number);
    const instances = await count(`process_instance i WHERE $3 OR i.started_by = $1 OR EXISTS (SELECT 1 FROM user_task pt WHERE pt.instance_id = i.id AND ${involved('pt')}) OR ${owns('i.definition_key')}`);
    const openTasks = await count(`user_task t WHERE t.status = 'open' AND ($3 OR ${involved('t')} OR ${owns('t.definition_key')})`);
    expect(instances).toBeGreaterThan(0);

    const list = (await client.get('/api/instances?size=20').expect(200)).body;
    expect({ total: list.total, capped: list.totalCapped, items: list.items.length }).toEqual({ total: instances, capped: instances === 1000, items: Math.min(20, instances) });
    expect((await client.get('/api/records?size=20').expect(200)).body.total).toBe(instances);
    expect((await client.get('/api/tasks?size=20').expect(200)).body.total).toBe(openTasks);
    const history = (await client.get(`/api/instances/${list.items[0].id}/history`).expect(200)).body;
    expect(history.length).toBeGreaterThanOrEqual(9);
  });
});
