import { Client } from 'pg';
import { bpmn } from '../support/bpmn';
import { createTestApp, type ApiTestApp } from '../support/test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * A viewer who sees a part of the tasks (staff, process owners, requesters) gets the task page
 * merged from their principals' ranges of task_participant (migrations 1765700000000 and
 * 1767100000000, kept by triggers), in every order; admins get sort=record merged from the
 * `k:<key>` ranges. The pages and totals must equal what the visibility rules and the list order
 * say, computed here from the task and record rows, also after the tasks and records change.
 */
const plain = bpmn(
  'tp-plain',
  `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="only"/>
   <bpmn:userTask id="only" name="Only" camunda:candidateGroups="g1"/>
   <bpmn:sequenceFlow id="f2" sourceRef="only" targetRef="end"/><bpmn:endEvent id="end"/>`,
  'itsm:recordType="incident"',
);
const other = bpmn(
  'tp-other',
  `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="only"/>
   <bpmn:userTask id="only" name="Only" camunda:candidateGroups="g2"/>
   <bpmn:sequenceFlow id="f2" sourceRef="only" targetRef="end"/><bpmn:endEvent id="end"/>`,
);

const VIEWERS = ['carol', 'erin', 'owner', 'req', 'admin'];
const SORTS = ['priority', 'due', 'record', 'created'] as const;
type Sort = (typeof SORTS)[number];

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
    // three instances of tp-plain, each with its incident record; tp-other has no record
    for (const key of ['tp-plain', 'tp-plain', 'tp-plain', 'tp-other']) await t.as('admin').post('/api/instances').send({ definitionKey: key }).expect(201);
    pg = new Client({ connectionString: db.databaseUrl });
    await pg.connect();
    const instancesOf = async (key: string) => (await pg.query(`SELECT id FROM process_instance WHERE definition_key = $1 ORDER BY started_at, id`, [key])).rows.map((r) => r.id as string);
    const plains = await instancesOf('tp-plain');
    const [b] = await instancesOf('tp-other');
    expect((await pg.query(`SELECT count(*)::int AS n FROM record WHERE instance_id = ANY($1::uuid[])`, [plains])).rows[0].n).toBe(3);
    // 4,000 more tasks, written as a command's batch writes them (the trigger fills task_participant):
    // g1's tasks all have a lower priority than the first ones of the whole list (the shape that
    // made the walk of the list-order index read most of the table), some due, some completed
    await pg.query(`
      INSERT INTO user_task (id, instance_id, definition_key, element_id, execution_id, name, assignee, candidate_users, candidate_groups,
                             due_at, priority, status, created_at, completed_at, completed_by)
      SELECT gen_random_uuid(), CASE WHEN g % 2 = 0 THEN ($1::uuid[])[1 + g % 3] ELSE $2::uuid END, CASE WHEN g % 2 = 0 THEN 'tp-plain' ELSE 'tp-other' END,
             'only', 'x-' || g, 'Task ' || g, CASE WHEN g % 7 = 0 THEN 'carol' END,
             CASE WHEN g % 11 = 0 THEN ARRAY['req'] ELSE '{}' END, CASE WHEN g % 2 = 0 THEN ARRAY['g1'] ELSE ARRAY['g2'] END,
             CASE WHEN g % 3 = 0 THEN now() + interval '1 hour' * (g % 50) END, CASE WHEN g % 2 = 0 THEN 10 + g % 3 ELSE 90 + g % 5 END,
             CASE WHEN g % 4 < 2 THEN 'completed' ELSE 'open' END, now() - interval '1 second' * (g % 500),
             CASE WHEN g % 4 < 2 THEN now() END, CASE WHEN g % 4 < 2 AND g % 5 = 0 THEN 'carol' WHEN g % 4 < 2 THEN 'erin' END
        FROM generate_series(1, 4000) g`,
      [plains, b],
    );
  }, 300_000);
  afterAll(async () => {
    await pg?.end();
    await t?.close();
    await db?.drop();
  });

  async function expected(username: string, status: string, sort: Sort, filter = 'true') {
    const user = (await pg.query(`SELECT u.roles, COALESCE(array_agg(g.name) FILTER (WHERE g.name IS NOT NULL), '{}') AS groups FROM app_user u
        LEFT JOIN group_member m ON m.user_id = u.id LEFT JOIN app_group g ON g.id = m.group_id WHERE u.username = $1 GROUP BY u.id`, [username])).rows[0];
    const owns = `($4 AND t.definition_key IN (SELECT o.definition_key FROM definition_owner o JOIN app_user ou ON ou.id = o.user_id WHERE ou.username = $1))`;
    const due = 'COALESCE(t.due_at, t.sla_due_at) ASC NULLS LAST';
    const order = {
      priority: `t.priority DESC, ${due}, t.created_at, t.id`,
      due: `${due}, t.priority DESC, t.created_at, t.id`,
      record: `r.number ASC NULLS LAST, t.priority DESC, t.created_at, t.id`,
      created: `t.created_at, t.id`,
    }[sort];
    // no call activities here: a task's record is its own instance's
    const { rows } = await pg.query(
      `SELECT t.id FROM user_task t LEFT JOIN record r ON r.instance_id = t.instance_id WHERE t.status = $3 AND ${filter}
          AND ($5 OR t.assignee = $1 OR t.completed_by = $1 OR t.candidate_users @> ARRAY[$1] OR t.candidate_groups && $2::text[] OR ${owns})
        ORDER BY ${order}`,
      [username, user.groups, status, user.roles.includes('process-owner'), user.roles.includes('admin')],
    );
    return rows.map((r: { id: string }) => r.id);
  }

  async function check() {
    for (const username of VIEWERS) {
      for (const status of ['open', 'completed']) {
        for (const sort of SORTS) {
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

  it('applies filters to the merged ranges, in every order', async () => {
    // with a filter the count comes first: above the cap the ranges are merged with the filter on each row
    // (carol: more than the cap, merged; owner: fewer, fetched and sorted)
    for (const username of ['carol', 'owner']) {
      for (const sort of SORTS) {
        const want = await expected(username, 'completed', sort, `lower(t.name) LIKE '%task%'`);
        expect(want.length > 1000).toBe(username === 'carol');
        for (const page of [1, 3]) {
          const res = await t.as(username).get(`/api/tasks?status=completed&q=Task&sort=${sort}&size=50&page=${page}`).expect(200);
          expect({ username, sort, page, got: res.body.items.map((i: { id: string }) => i.id) }).toEqual({ username, sort, page, got: want.slice((page - 1) * 50, page * 50) });
          expect(res.body.total).toBe(Math.min(1000, want.length));
        }
      }
    }
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
    // records written after their tasks: tp-other's instance gets one, a tp-plain instance loses its own
    const [b] = (await pg.query(`SELECT id FROM process_instance WHERE definition_key = 'tp-other'`)).rows;
    await pg.query(`INSERT INTO record (number, type, seq, instance_id, definition_key, state, opened_at, updated_at)
                    VALUES ('AAA-0000001', 'incident', 999001, $1, 'tp-other', 'new', now(), now())`, [b.id]);
    const [c] = (await pg.query(`SELECT r.number FROM record r JOIN process_instance i ON i.id = r.instance_id WHERE i.definition_key = 'tp-plain' ORDER BY r.number LIMIT 1`)).rows;
    await pg.query(`DELETE FROM record WHERE number = $1`, [c.number]);
    const diff = await pg.query(`
      (SELECT principal, task_id, status, priority, due, created_at, record_number FROM task_participant
       EXCEPT SELECT p, t.id, t.status, t.priority, COALESCE(t.due_at, t.sla_due_at), t.created_at, r.number
                FROM user_task t LEFT JOIN record r ON r.instance_id = t.instance_id, unnest(task_list_principals(t)) p)
      UNION ALL
      (SELECT p, t.id, t.status, t.priority, COALESCE(t.due_at, t.sla_due_at), t.created_at, r.number
         FROM user_task t LEFT JOIN record r ON r.instance_id = t.instance_id, unnest(task_list_principals(t)) p
       EXCEPT SELECT principal, task_id, status, priority, due, created_at, record_number FROM task_participant)`);
    expect(diff.rows).toEqual([]);
    expect((await pg.query(`SELECT count(*)::int AS n FROM task_participant WHERE record_number = 'AAA-0000001'`)).rows[0].n).toBeGreaterThan(1000);
    await check();
  }, 300_000);
});
