import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Call activities: a child instance knows the instance, call activity and its execution that
 * started it, and the root of its tree. Children are looked up by parent (continue, cancel, API) and
 * trees by root.
 */
export class CallActivities1764100000000 implements MigrationInterface {
  name = 'CallActivities1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE process_instance
        ADD COLUMN parent_instance_id  uuid NULL CONSTRAINT fk_process_instance_parent REFERENCES process_instance (id),
        ADD COLUMN parent_execution_id text NULL,
        ADD COLUMN parent_element_id   text NULL,
        ADD COLUMN root_instance_id    uuid NULL`);
    await q.query(`CREATE INDEX ix_process_instance_parent ON process_instance (parent_instance_id) WHERE parent_instance_id IS NOT NULL`);
    await q.query(`CREATE INDEX ix_process_instance_root ON process_instance (root_instance_id) WHERE root_instance_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_process_instance_root`);
    await q.query(`DROP INDEX ix_process_instance_parent`);
    await q.query(`ALTER TABLE process_instance DROP COLUMN root_instance_id, DROP COLUMN parent_element_id, DROP COLUMN parent_execution_id, DROP COLUMN parent_instance_id`);
  }
}
