import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who may see a task, in the task list's orders, for the viewers who see a part of the tasks
 * (api/tasks/tasks.query.ts): one row per task and principal — `u:<username>` for its assignee,
 * completer and candidate users, `g:<group>` for its candidate groups (task_principals, as
 * instance_participant), and `k:<definition key>` for the process owners of its key — with a copy
 * of the task's status and list order (priority, due date else the record's SLA target, creation).
 * A viewer's page comes from one ordered index range per principal of theirs, merged, instead of
 * a walk of the whole list-order index that keeps the visible rows (3-5 s for completed tasks when
 * a group's tasks all have another priority than the first ones of the index; test/bench/READS.md).
 *
 * Kept exact by a trigger in the writing command's own transaction (the command's statements are
 * unchanged): a new task adds its rows; a change of its principals, status or order columns
 * removes the principals it lost and updates the copies; deleting the task deletes its rows.
 */
export const TASK_PARTICIPANTS_BACKFILL = `
  INSERT INTO task_participant (principal, task_id, status, priority, due, created_at)
  SELECT p, t.id, t.status, t.priority, COALESCE(t.due_at, t.sla_due_at), t.created_at
    FROM user_task t CROSS JOIN LATERAL unnest(task_list_principals(t)) p`;

export class TaskParticipants1765700000000 implements MigrationInterface {
  name = 'TaskParticipants1765700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE task_participant (
        principal  text        NOT NULL,
        task_id    uuid        NOT NULL CONSTRAINT fk_task_participant_task REFERENCES user_task (id) ON DELETE CASCADE,
        status     text        NOT NULL,
        priority   int         NOT NULL,
        due        timestamptz NULL,
        created_at timestamptz NOT NULL,
        CONSTRAINT pk_task_participant PRIMARY KEY (task_id, principal)
      )`);
    // the task list's orders per principal and status (sort=priority, the default, and sort=due)
    await q.query(`CREATE INDEX ix_task_participant_priority ON task_participant (principal, status, priority DESC, due ASC NULLS LAST, created_at, task_id)`);
    await q.query(`CREATE INDEX ix_task_participant_due ON task_participant (principal, status, due ASC NULLS LAST, priority DESC, created_at, task_id)`);
    await q.query(`
      CREATE FUNCTION task_list_principals(t user_task) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
        SELECT task_principals(t) || ('k:' || t.definition_key)
      $$`);
    await q.query(`
      CREATE FUNCTION task_participant_sync() RETURNS trigger LANGUAGE plpgsql AS $$
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
    await q.query(`CREATE TRIGGER tr_task_participant_insert AFTER INSERT ON user_task FOR EACH ROW EXECUTE FUNCTION task_participant_sync()`);
    await q.query(`
      CREATE TRIGGER tr_task_participant_update
      AFTER UPDATE OF status, priority, due_at, sla_due_at, created_at, definition_key, assignee, completed_by, candidate_users, candidate_groups ON user_task
      FOR EACH ROW
      WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.priority IS DISTINCT FROM NEW.priority OR OLD.due_at IS DISTINCT FROM NEW.due_at
            OR OLD.sla_due_at IS DISTINCT FROM NEW.sla_due_at OR OLD.created_at IS DISTINCT FROM NEW.created_at
            OR OLD.definition_key IS DISTINCT FROM NEW.definition_key OR OLD.assignee IS DISTINCT FROM NEW.assignee
            OR OLD.completed_by IS DISTINCT FROM NEW.completed_by OR OLD.candidate_users IS DISTINCT FROM NEW.candidate_users
            OR OLD.candidate_groups IS DISTINCT FROM NEW.candidate_groups)
      EXECUTE FUNCTION task_participant_sync()`);
    await q.query(TASK_PARTICIPANTS_BACKFILL);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER tr_task_participant_update ON user_task`);
    await q.query(`DROP TRIGGER tr_task_participant_insert ON user_task`);
    await q.query(`DROP FUNCTION task_participant_sync()`);
    await q.query(`DROP FUNCTION task_list_principals(user_task)`);
    await q.query(`DROP TABLE task_participant`);
  }
}
