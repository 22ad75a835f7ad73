import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Process owners of a definition key: users holding the process-owner role who are named here
 * see every instance and task of the key and may cancel its instances.
 */
export class DefinitionOwners1763900000000 implements MigrationInterface {
  name = 'DefinitionOwners1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE definition_owner (
        definition_key text        NOT NULL,
        user_id        uuid        NOT NULL CONSTRAINT fk_definition_owner_user REFERENCES app_user (id) ON DELETE CASCADE,
        added_at       timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_definition_owner PRIMARY KEY (definition_key, user_id)
      )`);
    await q.query(`CREATE INDEX ix_definition_owner_user ON definition_owner (user_id)`);
    // Visibility predicates look tasks up by their instance (participation) and by who did them.
    await q.query(`CREATE INDEX ix_user_task_completed_by ON user_task (completed_by) WHERE completed_by IS NOT NULL`);
    await q.query(`CREATE INDEX ix_process_instance_started_by ON process_instance (started_by)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_process_instance_started_by`);
    await q.query(`DROP INDEX ix_user_task_completed_by`);
    await q.query(`DROP TABLE definition_owner`);
  }
}
