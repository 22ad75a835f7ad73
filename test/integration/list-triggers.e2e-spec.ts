import { Client } from 'pg';
import { bpmn } from '../support/bpmn';
import { createTestApp, type ApiTestApp } from '../support/test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * The rows the list-read triggers keep (migrations 1765100000000 to 1767200000000) equal what the
 * task, instance and record rows say, through called instances (whose tasks take their own
 * instance's record, else their root instance's) and through every kind of change: a called
 * instance written in one statement with its tasks, records inserted, changed, closed and
 * deleted after the tasks, tasks claimed, reassigned, completed, re-offered, reordered and deleted.
 */
const recorded = bpmn(
  'lt-root',
  `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="only"/>
   <bpmn:userTask id="only" name="Only" camunda:candidateGroups="g1"/>
   <bpmn:sequenceFlow id="f2" sourceRef="only" targetRef="end"/><bpmn:endEvent id="end"/>`,
  'itsm:recordType="incident"',
);

describe('list-read triggers through called instances and record changes', () => {
  let db: TestDatabase;
  let t: ApiTestApp;
  let pg: Client;
  let root: string;
  let rootRecord: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db);
    await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(recorded).expect(201);
    root = (await t.as('admin').post('/api/instances').send({ definitionKey: 'lt-root' }).expect(201)).body.instance.id;
    pg = new Client({ connectionString: db.databaseUrl });
    await pg.connect();
    rootRecord = (await pg.query(`SELECT number FROM record WHERE instance_id = $1`, [root])).rows[0].number;
  }, 120_000);
  afterAll(async () => {
    await pg?.end();
    await t?.close();
    await db?.drop();
  });

  /** A called instance of `root` (its row copied from the root's), as a call activity writes it. */
  const calledInstance = (id: string, startedBy: string) =>
    pg.query(
      `INSERT INTO process_instance (id, definition_id, definition_key, definition_version, status, started_by, started_at, parent_instance_id, root_instance_id)
       SELECT $1, definition_id, definition_key, definition_version, 'running', $2, now(), id, id FROM process_instance WHERE id = $3`,
      [id, startedBy, root],
    );
  const task = (instanceId: string, execution: string, groups: string[], users: string[] = []) =>
    pg.query(
      `INSERT INTO user_task (id, instance_id, definition_key, element_id, execution_id, name, candidate_users, candidate_groups, priority, status, created_at)
       VALUES (gen_random_uuid(), $1, 'lt-root', 'only', $2, $2, $3, $4, 50, 'open', now())`,
      [instanceId, execution, users, groups],
    );

  /** Rows that differ from what the trigger-kept rows should be (empty when exact). */
  async function drift() {
    // each task's record: its instance's own, else its root instance's
    const taskRecord = `SELECT t.*, COALESCE(own.number, top.number) AS record_number,
              CASE WHEN own.number IS NOT NULL THEN own.closed_at ELSE top.closed_at END AS r_closed_at,
              CASE WHEN own.number IS NOT NULL THEN own.sla_paused ELSE top.sla_paused END AS r_paused,
              CASE WHEN own.number IS NOT NULL THEN own.acknowledged_at ELSE top.acknowledged_at END AS r_ack,
              CASE WHEN own.number IS NOT NULL THEN own.response_due_at ELSE top.response_due_at END AS r_response_due,
              CASE WHEN own.number IS NOT NULL THEN own.resolved_at ELSE top.resolved_at END AS r_resolved,
              CASE WHEN own.number IS NOT NULL THEN own.resolution_due_at ELSE top.resolution_due_at END AS r_resolution_due
         FROM user_task t JOIN process_instance i ON i.id = t.instance_id
         LEFT JOIN record own ON own.instance_id = t.instance_id LEFT JOIN record top ON top.instance_id = i.root_instance_id`;
    const sla = await pg.query(`
      SELECT execution_id, sla_due_at FROM (${taskRecord}) x
       WHERE sla_due_at IS DISTINCT FROM (CASE WHEN r_closed_at IS NULL AND NOT r_paused
                                               THEN LEAST(CASE WHEN r_ack IS NULL THEN r_response_due END, CASE WHEN r_resolved IS NULL THEN r_resolution_due END) END)
         AND (record_number IS NOT NULL OR sla_due_at IS NOT NULL)`);
    const principals = `
      SELECT x.*, p FROM (${taskRecord}) x CROSS JOIN LATERAL (
        SELECT 'u:' || x.assignee WHERE x.assignee IS NOT NULL UNION SELECT 'u:' || x.completed_by WHERE x.completed_by IS NOT NULL
        UNION SELECT 'u:' || u FROM unnest(x.candidate_users) u UNION SELECT 'g:' || g FROM unnest(x.candidate_groups) g UNION SELECT 'k:' || x.definition_key) q(p)`;
    const columns = `p, id, status, priority, COALESCE(due_at, sla_due_at), created_at, record_number`;
    const participants = await pg.query(`
      (SELECT principal, task_id, status, priority, due, created_at, record_number FROM task_participant EXCEPT SELECT ${columns} FROM (${principals}) y)
      UNION ALL (SELECT ${columns} FROM (${principals}) y EXCEPT SELECT principal, task_id, status, priority, due, created_at, record_number FROM task_participant)`);
    const members = `
      SELECT 'u:' || started_by AS principal, id AS instance_id FROM process_instance WHERE started_by IS NOT NULL
      UNION SELECT 'u:' || assignee, instance_id FROM user_task WHERE assignee IS NOT NULL
      UNION SELECT 'u:' || completed_by, instance_id FROM user_task WHERE completed_by IS NOT NULL
      UNION SELECT 'u:' || u, instance_id FROM user_task, unnest(candidate_users) u
      UNION SELECT 'g:' || g, instance_id FROM user_task, unnest(candidate_groups) g`;
    const instances = await pg.query(`
      (SELECT principal, instance_id FROM instance_participant EXCEPT SELECT principal, instance_id FROM (${members}) m)
      UNION ALL (SELECT principal, instance_id FROM (${members}) m EXCEPT SELECT principal, instance_id FROM instance_participant)
      UNION ALL (SELECT principal, instance_id FROM instance_participant p WHERE p.no_record = EXISTS (SELECT 1 FROM record r WHERE r.instance_id = p.instance_id))`);
    return { sla: sla.rows, participants: participants.rows, instances: instances.rows };
  }
  const exact = { sla: [], participants: [], instances: [] };

  it('copies the root record onto a called instance written in one statement with its tasks, and onto tasks added later', async () => {
    await pg.query(`UPDATE record SET response_due_at = now() + interval '1 hour', resolution_due_at = now() + interval '8 hours' WHERE number = $1`, [rootRecord]);
    await pg.query(`
      WITH i AS (INSERT INTO process_instance (id, definition_id, definition_key, definition_version, status, started_by, started_at, parent_instance_id, root_instance_id)
                 SELECT 'c1000000-0000-4000-8000-000000000001', definition_id, definition_key, definition_version, 'running', 'sam', now(), id, id FROM process_instance WHERE id = $1)
      INSERT INTO user_task (id, instance_id, definition_key, element_id, execution_id, name, candidate_users, candidate_groups, priority, status, created_at)
      SELECT gen_random_uuid(), 'c1000000-0000-4000-8000-000000000001', 'lt-root', 'only', 'c1-' || g, 'c1', ARRAY['carl'], ARRAY['g1', 'g2'], 50, 'open', now()
        FROM generate_series(1, 3) g`,
      [root],
    );
    await calledInstance('c2000000-0000-4000-8000-000000000002', 'rita');
    await task('c2000000-0000-4000-8000-000000000002', 'c2-1', ['g2']);
    await task('c2000000-0000-4000-8000-000000000002', 'c2-2', ['g2', 'g3'], ['carl', 'dave']);
    await calledInstance('c3000000-0000-4000-8000-000000000003', 'sam');
    await task('c3000000-0000-4000-8000-000000000003', 'c3-1', ['g1']);
    expect((await pg.query(`SELECT count(*)::int AS n FROM user_task WHERE sla_due_at IS NOT NULL`)).rows[0].n).toBe(7);
    expect((await pg.query(`SELECT count(*)::int AS n FROM task_participant WHERE record_number = $1`, [rootRecord])).rows[0].n).toBeGreaterThan(15);
    expect(await drift()).toEqual(exact);
  });

  it('follows records inserted, changed and deleted after the tasks, and a called instance with a record of its own', async () => {
    await pg.query(`INSERT INTO record (number, type, seq, instance_id, definition_key, state, opened_at, updated_at, response_due_at)
                    VALUES ('LT-0000003', 'incident', 990003, 'c3000000-0000-4000-8000-000000000003', 'lt-root', 'new', now(), now(), now() + interval '2 hours')`);
    expect(await drift()).toEqual(exact);
    await pg.query(`UPDATE record SET acknowledged_at = now() WHERE number = $1`, [rootRecord]);
    expect(await drift()).toEqual(exact);
    await pg.query(`UPDATE record SET sla_paused = true WHERE number = 'LT-0000003'`);
    expect(await drift()).toEqual(exact);
    await pg.query(`DELETE FROM record WHERE number = 'LT-0000003'`);
    expect((await pg.query(`SELECT DISTINCT record_number FROM task_participant p JOIN user_task t ON t.id = p.task_id WHERE t.execution_id = 'c3-1'`)).rows).toEqual([
      { record_number: rootRecord },
    ]);
    // records go only with their whole instance tree (history retention): a deleted record's SLA
    // copies have no trigger of their own, the root record's next SLA change recomputes them
    expect({ ...(await drift()), sla: [] }).toEqual(exact);
    await pg.query(`UPDATE record SET resolution_due_at = resolution_due_at + interval '1 hour' WHERE number = $1`, [rootRecord]);
    expect(await drift()).toEqual(exact);
  });

  it('follows claims, reassignments, completions, new candidates, order changes and deletes', async () => {
    await pg.query(`UPDATE user_task SET assignee = 'erin' WHERE execution_id = 'c1-1'`);
    await pg.query(`UPDATE user_task SET assignee = 'dave' WHERE execution_id = 'c1-2'`);
    await pg.query(`UPDATE user_task SET assignee = NULL WHERE execution_id = 'c1-2'`);
    await pg.query(`UPDATE user_task SET status = 'completed', completed_at = now(), completed_by = 'rita', assignee = 'rita' WHERE execution_id = 'c2-1'`);
    await pg.query(`UPDATE user_task SET candidate_groups = '{g4}', candidate_users = '{}' WHERE execution_id = 'c2-2'`);
    await pg.query(`UPDATE user_task SET priority = 90, due_at = now() + interval '5 minutes' WHERE execution_id IN ('c1-3', 'c3-1')`);
    await pg.query(`UPDATE user_task SET due_at = NULL WHERE execution_id = 'c3-1'`);
    await pg.query(`DELETE FROM user_task WHERE execution_id = 'c1-1'`);
    expect(await drift()).toEqual(exact);
    // the reassigned and deleted tasks' principals are gone from their instances, the completer stays
    const members = (await pg.query(`SELECT principal FROM instance_participant WHERE instance_id = 'c1000000-0000-4000-8000-000000000001' ORDER BY 1`)).rows;
    expect(members.map((r) => r.principal)).toEqual(['g:g1', 'g:g2', 'u:carl', 'u:sam']);
  });

  it('clears the copies when the root record closes', async () => {
    await pg.query(`UPDATE record SET closed_at = now() WHERE number = $1`, [rootRecord]);
    expect((await pg.query(`SELECT count(*)::int AS n FROM user_task WHERE sla_due_at IS NOT NULL`)).rows[0].n).toBe(0);
    expect(await drift()).toEqual(exact);
  });
});
