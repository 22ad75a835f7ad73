import { Client } from 'pg';
import { bpmn } from '../support/bpmn';
import { createTestApp, type ApiTestApp } from '../support/test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * With more than 1,000 visible tasks, a viewer who sees a part of them (staff, process owners,
 * requesters) gets the task page merged from their principals' ranges of task_participant
 * (migration 1765700000000, kept by a trigger). The pages must equal what the visibility rules
 * and the list order say, computed here from the task rows, also after the tasks change.
 */
const plain = bpmn(
  'tp-plain',
  `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="only"/>
   <bpmn:userTask id="only" name="Only" camunda:candidateGroups="g1"/>
   <bpmn:sequenceFlow id="f2" sourceRef="only" targetRef="end"/><bpmn:endEvent id="end"/>`,
);
const other = bpmn(
  'tp-other',
  `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="only"/>
   <bpmn:userTask id="only" name="Only" camunda:candidateGroups="g2"/>
   <bpmn:sequenceFlow id="f2" sourceRef="only" targetRef="end"/><bpmn:endEvent id="end"/>`,
);

const VIEWERS = ['carol', 'erin', 'owner', 'req'];

describe('task pages merged from task_participant equal the visibility rules in list order', () => {
  let db: TestDatabase;
  let t: ApiTestApp;
  let pg: Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db);
    await t.user({ username: 'carol', roles: ['staff'], groups: ['g1'] });
    await t.user({ username: 'erin', roles: ['staff'], groups: ['g2'] });
    await t.user({ username: 'req' });
    for (const xml of [plain, other]) await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(xml).expect(201);
    await t.as('admin').put('/api/definitions/key/tp-other/owners').send({ usernames: ['owner'] }).expect(200);
    for (const key of ['tp-plain', 'tp-other']) await t.as('admin').post('/api/instances').send({ definitionKey: key }).expect(201);
    pg = new Client({ connectionString: db.databaseUrl });
    await pg.connect();
    const instanceOf = async (key: string) => (await pg.query(`SELECT id FROM process_instance WHERE definition_key = $1`, [key])).rows[0].id as string;
    const [a, b] = [await instanceOf('tp-plain'), await instanceOf('tp-other')];
    // 4,000 more tasks, written as a command's batch writes them (the trigger fills task_participant):
    // g1's tasks all have a lower priority than the first ones of the whole list (the shape that
    // made the walk of the list-order index read most of the table), some due, some completed
    await pg.query(`
      INSERT INTO user_task (id, instance_id, definition_key, element_id, execution_id, name, assignee, candidate_users, candidate_groups,
                             due_at, priority, status, created_at, completed_at, completed_by)
      SELECT gen_random_uuid(), CASE WHEN g % 2 = 0 THEN $1::uuid ELSE $2::uuid END, CASE WHEN g % 2 = 0 THEN 'tp-plain' ELSE 'tp-other' END,
             'only', 'x-' || g, 'Task ' || g, CASE WHEN g % 7 = 0 THEN 'carol' END,
             CASE WHEN g % 11 = 0 THEN ARRAY['req'] ELSE '{}' END, CASE WHEN g % 2 = 0 THEN ARRAY['g1'] ELSE ARRAY['g2'] END,
             CASE WHEN g % 3 = 0 THEN now() + interval '1 hour' * (g % 50) END, CASE WHEN g % 2 = 0 THEN 10 + g % 3 ELSE 90 + g % 5 END,
             CASE WHEN g % 4 < 2 THEN 'completed' ELSE 'open' END, now() - interval '1 second' * (g % 500),
             CASE WHEN g % 4 < 2 THEN now() END, CASE WHEN g % 4 < 2 AND g % 5 = 0 THEN 'carol' WHEN g % 4 < 2 THEN 'erin' END
        FROM generate_series(1, 4000) g`,
      [a, b],
    );
  }, 300_000);
  afterAll(async () => {
    await pg?.end();
    await t?.close();
    await db?.drop();
  });

  async function expected(username: string, status: string, sort: 'priority' | 'due') {
    const user = (await pg.query(`SELECT u.roles, COALESCE(array_agg(g.name) FILTER (WHERE g.name IS NOT NULL), '{}') AS groups FROM app_user u
        LEFT JOIN group_member m ON m.user_id = u.id LEFT JOIN app_group g ON g.id = m.group_id WHERE u.username = $1 GROUP BY u.id`, [username])).rows[0];
    const owns = `($4 AND t.definition_key IN (SELECT o.definition_key FROM definition_owner o JOIN app_user ou ON ou.id = o.user_id WHERE ou.username = $1))`;
    const due = 'COALESCE(t.due_at, t.sla_due_at) ASC NULLS LAST';
    const order = sort === 'priority' ? `t.priority DESC, ${due}, t.created_at, t.id` : `${due}, t.priority DESC, t.created_at, t.id`;
    const { rows } = await pg.query(
      `SELECT t.id FROM user_task t WHERE t.status = $3
          AND (t.assignee = $1 OR t.completed_by = $1 OR t.candidate_users @> ARRAY[$1] OR t.candidate_groups && $2::text[] OR ${owns})
        ORDER BY ${order}`,
      [username, user.groups, status, user.roles.includes('process-owner')],
    );
    return rows.map((r: { id: string }) => r.id);
  }

  async function check() {
    for (const username of VIEWERS) {
      for (const status of ['open', 'completed']) {
        for (const sort of ['priority', 'due'] as const) {
          const want = await expected(username, status, sort);
          for (const page of [1, 2, 9]) {
            const res = await t.as(username).get(`/api/tasks?status=${status}&sort=${sort}&size=50&page=${page}`).expect(200);
            const got = res.body.items.map((i: { id: string }) => i.id);
            expect({ username, status, sort, page, got }).toEqual({ username, status, sort, page, got: want.slice((page - 1) * 50, page * 50) });
            expect({ username, status, total: res.body.total, capped: res.body.totalCapped }).toEqual({
              username, status, total: Math.min(1000, want.length), capped: want.length > 1000,
            });
          }
        }
      }
    }
  }

  it('gives every viewer the pages the rules and the order give, with the lists above the count cap', async () => {
    // the merged path is the one taken: someone sees more than the cap
    expect((await expected('carol', 'completed', 'priority')).length).toBeGreaterThan(1000);
    expect((await expected('owner', 'open', 'due')).length).toBeGreaterThan(1000);
    await check();
  }, 300_000);

  it('keeps task_participant exact through claims, reassignments, completions, order changes and deletes', async () => {
    const open = (await pg.query(`SELECT id FROM user_task WHERE status = 'open' AND assignee IS NULL AND candidate_groups @> '{g1}' ORDER BY created_at, id LIMIT 3`)).rows;
    await t.as('admin').post(`/api/tasks/${open[1].id}/assign`).send({ assignee: 'erin' }).expect(200);
    await t.as('carol').post(`/api/tasks/${open[2].id}/claim`).expect(200);
    await t.as('carol').post(`/api/tasks/${open[2].id}/unclaim`).expect(200);
    await pg.query(`UPDATE user_task SET priority = 99, due_at = now() + interval '5 minutes' WHERE execution_id IN ('x-2', 'x-4', 'x-6')`);
    await pg.query(`UPDATE user_task SET candidate_groups = '{g2}' WHERE execution_id IN ('x-8', 'x-10')`);
    await pg.query(`DELETE FROM user_task WHERE execution_id IN ('x-12', 'x-13')`);
    // the engine's own task of tp-other (the others have no execution to complete): its instance
    // ends, and the engine closes the instance's other open tasks
    const own = (await pg.query(`SELECT id FROM user_task WHERE definition_key = 'tp-other' AND execution_id NOT LIKE 'x-%'`)).rows[0].id;
    await t.as('erin').post(`/api/tasks/${own}/claim`).expect(200);
    await t.as('erin').post(`/api/tasks/${own}/complete`).send({}).expect(200);
    const diff = await pg.query(`
      (SELECT principal, task_id, status, priority, due, created_at FROM task_participant
       EXCEPT SELECT p, t.id, t.status, t.priority, COALESCE(t.due_at, t.sla_due_at), t.created_at FROM user_task t, unnest(task_list_principals(t)) p)
      UNION ALL
      (SELECT p, t.id, t.status, t.priority, COALESCE(t.due_at, t.sla_due_at), t.created_at FROM user_task t, unnest(task_list_principals(t)) p
       EXCEPT SELECT principal, task_id, status, priority, due, created_at FROM task_participant)`);
    expect(diff.rows).toEqual([]);
    await check();
  }, 300_000);
});
