import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The number of each task's record, set-based (the join of task_record_number): its instance's own
 * record, else its root instance's. For migrations and bulk loads: `n.number` by `n.id` (task id).
 */
export const TASK_RECORD_NUMBERS = `
  SELECT t.id, COALESCE(own.number, root.number) AS number
    FROM user_task t JOIN process_instance ti ON ti.id = t.instance_id
    LEFT JOIN record own ON own.instance_id = t.instance_id
    LEFT JOIN record root ON root.instance_id = ti.root_instance_id`;

/**
 * The task list's two remaining orders (sort=record, sort=created) from task_participant's
 * per-principal indexes, like sort=priority and sort=due (migration 1765700000000), for the viewers
 * who see a part of the tasks; and for everybody, sort=record from the `k:<definition key>` rows
 * (every task has exactly one), merged over the keys, instead of joining and sorting every task.
 *
 * record_number is the number of the task's record: its instance's own, else its root instance's
 * (as the task list joins it, api/tasks/tasks.query.ts). It is copied when a participant row is
 * written (task_participant_sync, AFTER INSERT: a record written in the same statement as the task
 * is visible then) and rewritten on the instance's tasks and its called instances' tasks when a
 * record is inserted, deleted or moved to another instance.
 */
export class TaskListOrders1767100000000 implements MigrationInterface {
  name = 'TaskListOrders1767100000000';

  async up(q: QueryRunner): Promise<void> {
    // The copy is added by rebuilding the table (one sequential write, then one sort per index)
    // instead of updating every row in place, which at a million instances (6.8 M rows, three
    // indexes updated per row) ran for more than ten minutes without finishing.
    await q.query(`
      CREATE TABLE task_participant_next (
        principal     text        NOT NULL,
        task_id       uuid        NOT NULL,
        status        text        NOT NULL,
        priority      int         NOT NULL,
        due           timestamptz NULL,
        created_at    timestamptz NOT NULL,
        record_number text        NULL
      )`);
    await q.query(`
      INSERT INTO task_participant_next (principal, task_id, status, priority, due, created_at, record_number)
      SELECT p.principal, p.task_id, p.status, p.priority, p.due, p.created_at, n.number
        FROM task_participant p LEFT JOIN (${TASK_RECORD_NUMBERS}) n ON n.id = p.task_id`);
    await q.query(`DROP TABLE task_participant`);
    await q.query(`ALTER TABLE task_participant_next RENAME TO task_participant`);
    await q.query(`ALTER TABLE task_participant ADD CONSTRAINT pk_task_participant PRIMARY KEY (task_id, principal)`);
    await q.query(`ALTER TABLE task_participant ADD CONSTRAINT fk_task_participant_task FOREIGN KEY (task_id) REFERENCES user_task (id) ON DELETE CASCADE`);
    // the orders of migration 1765700000000, and sort=record (ties: priority, creation) and sort=created
    await q.query(`CREATE INDEX ix_task_participant_priority ON task_participant (principal, status, priority DESC, due ASC NULLS LAST, created_at, task_id)`);
    await q.query(`CREATE INDEX ix_task_participant_due ON task_participant (principal, status, due ASC NULLS LAST, priority DESC, created_at, task_id)`);
    await q.query(`CREATE INDEX ix_task_participant_record ON task_participant (principal, status, record_number ASC NULLS LAST, priority DESC, created_at, task_id)`);
    await q.query(`CREATE INDEX ix_task_participant_created ON task_participant (principal, status, created_at, task_id)`);
    await q.query(`
      CREATE FUNCTION task_record_number(iid uuid) RETURNS text LANGUAGE sql STABLE AS $$
        SELECT r.number FROM record r
         WHERE r.instance_id = iid OR r.instance_id = (SELECT ti.root_instance_id FROM process_instance ti WHERE ti.id = iid)
         ORDER BY (r.instance_id = iid) DESC LIMIT 1
      $$`);
    // as migration 1765700000000's, plus the record number of new rows (an update keeps the
    // task's other rows' number: the record triggers below keep it current)
    await q.query(`
      CREATE OR REPLACE FUNCTION task_participant_sync() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        principals text[] := task_list_principals(NEW);
        rn text;
      BEGIN
        IF TG_OP = 'UPDATE' THEN
          DELETE FROM task_participant p WHERE p.task_id = NEW.id AND p.principal <> ALL (principals);
          SELECT p.record_number INTO rn FROM task_participant p WHERE p.task_id = NEW.id LIMIT 1;
          IF NOT FOUND THEN rn := task_record_number(NEW.instance_id); END IF;
        ELSE
          rn := task_record_number(NEW.instance_id);
        END IF;
        INSERT INTO task_participant AS p (principal, task_id, status, priority, due, created_at, record_number)
        SELECT x, NEW.id, NEW.status, NEW.priority, COALESCE(NEW.due_at, NEW.sla_due_at), NEW.created_at, rn FROM unnest(principals) x
        ON CONFLICT (task_id, principal) DO UPDATE
          SET status = EXCLUDED.status, priority = EXCLUDED.priority, due = EXCLUDED.due, created_at = EXCLUDED.created_at
          WHERE (p.status, p.priority, p.due, p.created_at) IS DISTINCT FROM (EXCLUDED.status, EXCLUDED.priority, EXCLUDED.due, EXCLUDED.created_at);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE FUNCTION record_task_participants() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        affected uuid[] := ARRAY[]::uuid[];
      BEGIN
        IF TG_OP <> 'DELETE' THEN affected := affected || NEW.instance_id; END IF;
        IF TG_OP <> 'INSERT' THEN affected := affected || OLD.instance_id; END IF;
        UPDATE task_participant p SET record_number = task_record_number(t.instance_id)
          FROM user_task t
         WHERE p.task_id = t.id
           AND t.instance_id IN (SELECT unnest(affected) UNION ALL SELECT c.id FROM process_instance c WHERE c.root_instance_id = ANY (affected))
           AND p.record_number IS DISTINCT FROM task_record_number(t.instance_id);
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER tr_record_task_participants_insert AFTER INSERT ON record FOR EACH ROW EXECUTE FUNCTION record_task_participants()`);
    await q.query(`CREATE TRIGGER tr_record_task_participants_delete AFTER DELETE ON record FOR EACH ROW EXECUTE FUNCTION record_task_participants()`);
    await q.query(`
      CREATE TRIGGER tr_record_task_participants_update AFTER UPDATE OF number, instance_id ON record FOR EACH ROW
      WHEN (OLD.number IS DISTINCT FROM NEW.number OR OLD.instance_id IS DISTINCT FROM NEW.instance_id)
      EXECUTE FUNCTION record_task_participants()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_task_participant_created`);
    await q.query(`DROP INDEX ix_task_participant_record`);
    await q.query(`DROP TRIGGER tr_record_task_participants_update ON record`);
    await q.query(`DROP TRIGGER tr_record_task_participants_delete ON record`);
    await q.query(`DROP TRIGGER tr_record_task_participants_insert ON record`);
    await q.query(`DROP FUNCTION record_task_participants()`);
    await q.query(`
      CREATE OR REPLACE FUNCTION task_participant_sync() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        principals text[] := task_list_principals(NEW);
      BEGIN
        IF TG_OP = 'UPDATE' THEN
          DELETE FROM task_participant p WHERE p.task_id = NEW.id AND p.principal <> ALL (principals);
        END IF;
        INSERT INTO task_participant AS p (principal, task_id, status, priority, due, created_at)
        SELECT x, NEW.id, NEW.status, NEW.priority, COALESCE(NEW.due_at, NEW.sla_due_at), NEW.created_at FROM unnest(principals) x
        ON CONFLICT (task_id, principal) DO UPDATE
          SET status = EXCLUDED.status, priority = EXCLUDED.priority, due = EXCLUDED.due, created_at = EXCLUDED.created_at
          WHERE (p.status, p.priority, p.due, p.created_at) IS DISTINCT FROM (EXCLUDED.status, EXCLUDED.priority, EXCLUDED.due, EXCLUDED.created_at);
        RETURN NULL;
      END $$`);
    await q.query(`DROP FUNCTION task_record_number(uuid)`);
    await q.query(`ALTER TABLE task_participant DROP COLUMN record_number`);
  }
}
