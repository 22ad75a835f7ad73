import { Client } from 'pg';
import { bpmn, startSlaTask } from '../support/bpmn';
import { createTestApp, type ApiTestApp } from '../support/test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * The task, instance and record lists read visibility from instance_participant and order tasks
 * by the SLA target copied onto them (migration 1765100000000), both kept by triggers. Every role's
 * pages must equal what the visibility rules (api/auth/access.ts) say, computed here straight
 * from the instance and task rows, after claims, unclaims, reassignments and completions.
 */
const recorded = bpmn(
  'vis-rec',
  `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="resp"/>
   ${startSlaTask('resp', 'response', 'PT1H', '24x7')}
   <bpmn:sequenceFlow id="f2" sourceRef="resp" targetRef="first"/>
   <bpmn:userTask id="first" name="First" camunda:candidateGroups="g1"/>
   <bpmn:sequenceFlow id="f3" sourceRef="first" targetRef="second"/>
   <bpmn:userTask id="second" name="Second" camunda:candidateGroups="g2" camunda:candidateUsers="req" camunda:priority="70"/>
   <bpmn:sequenceFlow id="f4" sourceRef="second" targetRef="end"/><bpmn:endEvent id="end"/>`,
  'itsm:recordType="incident"',
);
const plain = bpmn(
  'vis-plain',
  `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="only"/>
   <bpmn:userTask id="only" name="Only" camunda:candidateGroups="g2"/>
   <bpmn:sequenceFlow id="f2" sourceRef="only" targetRef="end"/><bpmn:endEvent id="end"/>`,
);

const ROLES = ['admin', 'auditor', 'owner', 'alice', 'bob', 'carol', 'dave', 'req'];

describe('lists per role stay what the visibility rules say (participants and SLA order kept by triggers)', () => {
  let db: TestDatabase;
  let t: ApiTestApp;
  let pg: Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db);
    await t.user({ username: 'carol', roles: ['staff'], groups: ['g1'] });
    await t.user({ username: 'dave', roles: ['staff'] });
    await t.user({ username: 'req' });
    await t.user({ username: 'erin', roles: ['staff'], groups: ['g1', 'g2'] });
    for (const xml of [recorded, plain]) await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(xml).expect(201);
    await t.as('admin').put('/api/definitions/key/vis-plain/owners').send({ usernames: ['owner'] }).expect(200);
    pg = new Client({ connectionString: db.databaseUrl });
    await pg.connect();

    const starters = ['alice', 'bob', 'erin', 'admin', 'owner'];
    for (let i = 0; i < 10; i++) {
      await t.as(starters[i % starters.length]!).post('/api/instances').send({ definitionKey: i % 3 === 2 ? 'vis-plain' : 'vis-rec' }).expect(201);
    }
    const open = async () => (await pg.query(`SELECT id, element_id, instance_id FROM user_task WHERE status = 'open' ORDER BY created_at, id`)).rows as { id: string; element_id: string }[];
    const first = (await open()).filter((x) => x.element_id === 'first');
    // carol claims and completes two (she did them: she keeps seeing those instances)
    for (const task of first.slice(0, 2)) {
      await t.as('carol').post(`/api/tasks/${task.id}/claim`).expect(200);
      await t.as('carol').post(`/api/tasks/${task.id}/complete`).send({}).expect(200);
    }
    // dave is given one, then it is taken from him again: he must lose the instance
    await t.as('admin').post(`/api/tasks/${first[2]!.id}/assign`).send({ assignee: 'dave' }).expect(200);
    await t.as('admin').post(`/api/tasks/${first[2]!.id}/assign`).send({ assignee: 'erin' }).expect(200);
    // dave keeps this one
    await t.as('admin').post(`/api/tasks/${first[3]!.id}/assign`).send({ assignee: 'dave' }).expect(200);
    // a claim undone
    await t.as('erin').post(`/api/tasks/${first[4]!.id}/claim`).expect(200);
    await t.as('erin').post(`/api/tasks/${first[4]!.id}/unclaim`).expect(200);
    // the second task of a completed first one: erin completes it (the instance ends)
    const second = (await open()).filter((x) => x.element_id === 'second');
    await t.as('erin').post(`/api/tasks/${second[0]!.id}/claim`).expect(200);
    await t.as('erin').post(`/api/tasks/${second[0]!.id}/complete`).send({}).expect(200);
  }, 300_000);
  afterAll(async () => {
    await pg?.end();
    await t?.close();
    await db?.drop();
  });

  /** What the visibility rules say `username` sees, from the base rows (the rules of api/auth/access.ts, written out). */
  async function expected(username: string) {
    const user = (await pg.query(`SELECT u.roles, COALESCE(array_agg(g.name) FILTER (WHERE g.name IS NOT NULL), '{}') AS groups FROM app_user u
        LEFT JOIN group_member m ON m.user_id = u.id LEFT JOIN app_group g ON g.id = m.group_id WHERE u.username = $1 GROUP BY u.id`, [username])).rows[0];
    const seesAll = user.roles.includes('admin') || user.roles.includes('auditor');
    const owner = user.roles.includes('process-owner');
    const params = [username, user.groups, seesAll, owner];
    const owns = (key: string) => `($4 AND ${key} IN (SELECT o.definition_key FROM definition_owner o JOIN app_user ou ON ou.id = o.user_id WHERE ou.username = $1))`;
    const involved = (x: string) => `(${x}.assignee = $1 OR ${x}.completed_by = $1 OR ${x}.candidate_users @> ARRAY[$1] OR ${x}.candidate_groups && $2::text[])`;
    const instanceVisible = (i: string) => `($3 OR ${i}.started_by = $1 OR EXISTS (SELECT 1 FROM user_task pt WHERE pt.instance_id = ${i}.id AND ${involved('pt')}) OR ${owns(`${i}.definition_key`)})`;
    const ids = async (sql: string) => (await pg.query(sql, params)).rows.map((r: { id: string }) => r.id);
    const slaDue = `(CASE WHEN r.closed_at IS NULL AND NOT r.sla_paused THEN LEAST(CASE WHEN r.acknowledged_at IS NULL THEN r.response_due_at END, CASE WHEN r.resolved_at IS NULL THEN r.resolution_due_at END) END)`;
    const tasks = (status: string) =>
      ids(`SELECT t.id FROM user_task t JOIN process_instance ti ON ti.id = t.instance_id
             LEFT JOIN LATERAL (SELECT * FROM record rr WHERE rr.instance_id = t.instance_id OR rr.instance_id = ti.root_instance_id ORDER BY (rr.instance_id = t.instance_id) DESC LIMIT 1) r ON true
            WHERE t.status = '${status}' AND ($3 OR ${involved('t')} OR ${owns('t.definition_key')})
            ORDER BY t.priority DESC, COALESCE(t.due_at, ${slaDue}) ASC NULLS LAST, t.created_at, t.id`);
    return {
      instances: await ids(`SELECT i.id FROM process_instance i WHERE ${instanceVisible('i')} ORDER BY i.started_at DESC, i.id`),
      records: await ids(`SELECT r.number AS id FROM record r JOIN process_instance i ON i.id = r.instance_id WHERE ${instanceVisible('i')} ORDER BY r.opened_at DESC, r.number DESC`),
      open: await tasks('open'),
      completed: await tasks('completed'),
    };
  }

  /** Every page of a list, 3 items a page: the ids in order and the total each page reported. */
  async function pages(username: string, path: string, idOf: (item: Record<string, string>) => string) {
    const all: string[] = [];
    const totals = new Set<number>();
    for (let page = 1; page < 20; page++) {
      const res = await t.as(username).get(`${path}${path.includes('?') ? '&' : '?'}size=3&page=${page}`).expect(200);
      expect(res.body.totalCapped).toBe(false);
      totals.add(res.body.total);
      all.push(...res.body.items.map(idOf));
      if (res.body.items.length < 3) break;
    }
    return { ids: all, totals: [...totals] };
  }

  it.each(ROLES)('%s sees exactly the instances, records, open and completed tasks the rules give, page by page, in list order', async (username) => {
    const want = await expected(username);
    const cases: [string, string, string[], (i: Record<string, string>) => string][] = [
      ['instances', '/api/instances', want.instances, (i) => i.id!],
      ['records', '/api/records', want.records, (i) => i.number!],
      ['open tasks', '/api/tasks', want.open, (i) => i.id!],
      ['completed tasks', '/api/tasks?status=completed', want.completed, (i) => i.id!],
    ];
    for (const [what, path, ids, idOf] of cases) {
      const got = await pages(username, path, idOf);
      expect({ what, ids: got.ids }).toEqual({ what, ids });
      expect({ what, totals: got.totals }).toEqual({ what, totals: [ids.length] });
    }
  });

  it('keeps the participant rows equal to what the instances and tasks say, and the tasks\' SLA targets equal to their records\'', async () => {
    const participants = await pg.query(`
      SELECT principal, instance_id FROM instance_participant
      EXCEPT SELECT 'u:' || started_by, id FROM process_instance WHERE started_by IS NOT NULL
      EXCEPT SELECT 'u:' || assignee, instance_id FROM user_task WHERE assignee IS NOT NULL
      EXCEPT SELECT 'u:' || completed_by, instance_id FROM user_task WHERE completed_by IS NOT NULL
      EXCEPT SELECT 'u:' || u, instance_id FROM user_task, unnest(candidate_users) u
      EXCEPT SELECT 'g:' || g, instance_id FROM user_task, unnest(candidate_groups) g`);
    expect(participants.rows).toEqual([]);
    const missing = await pg.query(`
      SELECT x.principal, x.instance_id FROM (
        SELECT 'u:' || started_by AS principal, id AS instance_id FROM process_instance WHERE started_by IS NOT NULL
        UNION SELECT 'u:' || assignee, instance_id FROM user_task WHERE assignee IS NOT NULL
        UNION SELECT 'u:' || completed_by, instance_id FROM user_task WHERE completed_by IS NOT NULL
        UNION SELECT 'g:' || g, instance_id FROM user_task, unnest(candidate_groups) g) x
      EXCEPT SELECT principal, instance_id FROM instance_participant`);
    expect(missing.rows).toEqual([]);
    const dave = await pg.query(`SELECT count(*)::int AS n FROM instance_participant WHERE principal = 'u:dave'`);
    expect(dave.rows[0].n).toBe(1);
    const sla = await pg.query(`
      SELECT t.id FROM user_task t JOIN record r ON r.instance_id = t.instance_id
       WHERE t.sla_due_at IS DISTINCT FROM (CASE WHEN r.closed_at IS NULL AND NOT r.sla_paused THEN LEAST(CASE WHEN r.acknowledged_at IS NULL THEN r.response_due_at END,
                                                                                                     CASE WHEN r.resolved_at IS NULL THEN r.resolution_due_at END) END)`);
    expect(sla.rows).toEqual([]);
    expect((await pg.query(`SELECT count(*)::int AS n FROM user_task WHERE sla_due_at IS NOT NULL`)).rows[0].n).toBeGreaterThan(0);
  });

  it('keeps instance_participant.no_record equal to whether the instance has a record, when records come and go, and the record totals with it', async () => {
    const flags = async () =>
      (await pg.query(`SELECT p.principal, p.instance_id FROM instance_participant p WHERE p.no_record = EXISTS (SELECT 1 FROM record r WHERE r.instance_id = p.instance_id)`)).rows;
    expect(await flags()).toEqual([]);
    expect((await pg.query(`SELECT count(*)::int AS n FROM instance_participant WHERE no_record`)).rows[0].n).toBeGreaterThan(0);
    // a record written after the instance's participants (vis-plain has none of its own), then removed
    const [plainInstance] = (await pg.query(`SELECT id FROM process_instance WHERE definition_key = 'vis-plain' AND started_by = 'erin' ORDER BY started_at LIMIT 1`)).rows;
    await pg.query(`INSERT INTO record (number, type, seq, instance_id, definition_key, state, opened_at, updated_at)
                    SELECT 'ZZZ-0000001', 'incident', 999001, id, definition_key, 'new', started_at, started_at FROM process_instance WHERE id = $1`, [plainInstance.id]);
    expect(await flags()).toEqual([]);
    for (const username of ['erin', 'carol', 'owner', 'req']) {
      const res = await t.as(username).get('/api/records?size=50').expect(200);
      expect({ username, total: res.body.total }).toEqual({ username, total: (await expected(username)).records.length });
    }
    await pg.query(`DELETE FROM record WHERE number = 'ZZZ-0000001'`);
    expect(await flags()).toEqual([]);
    const res = await t.as('erin').get('/api/records?size=50').expect(200);
    expect(res.body.total).toBe((await expected('erin')).records.length);
  });
});
