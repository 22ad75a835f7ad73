import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The task list's copied SLA target (user_task.sla_due_at, migration 1765100000000) made exact for
 * called processes. A task's record is its instance's own, else its root instance's; finding the
 * root reads the task's instance row. A command writes a new instance row and its first tasks in
 * ONE statement (api/engine-host/write-batch.ts, data-modifying CTEs), and the parts of one
 * statement do not see each other's rows: the BEFORE INSERT trigger of a called instance's first
 * task found no instance row, hence no root record, and copied NULL while the card showed the
 * root record's target. Nothing corrected it until that record's SLA target changed.
 *
 * An AFTER INSERT trigger on a called instance's row runs at the end of the whole statement, when
 * its tasks are visible, and copies the target onto them. Existing copies of called instances'
 * tasks are recomputed.
 */
export class ListReadsAtScale1765640000000 implements MigrationInterface {
  name = 'ListReadsAtScale1765640000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION called_instance_task_sla_due() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE user_task t SET sla_due_at = task_sla_due(t.instance_id)
         WHERE t.instance_id = NEW.id AND t.sla_due_at IS DISTINCT FROM task_sla_due(t.instance_id);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER tr_process_instance_called_sla_due AFTER INSERT ON process_instance FOR EACH ROW
      WHEN (NEW.root_instance_id IS NOT NULL) EXECUTE FUNCTION called_instance_task_sla_due()`);
    await q.query(`
      UPDATE user_task t SET sla_due_at = task_sla_due(t.instance_id)
       WHERE t.instance_id IN (SELECT i.id FROM process_instance i WHERE i.root_instance_id IS NOT NULL)
         AND t.sla_due_at IS DISTINCT FROM task_sla_due(t.instance_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER tr_process_instance_called_sla_due ON process_instance`);
    await q.query(`DROP FUNCTION called_instance_task_sla_due()`);
  }
}
