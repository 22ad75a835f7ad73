import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * External tasks (engine/external-tasks): one row per activity execution waiting for a worker,
 * written in the command's transaction and removed when the task completes, throws a BPMN error
 * or is cancelled (history keeps every step). Workers lock rows with `FOR UPDATE SKIP LOCKED`.
 * The role `worker` may fetch and complete them (a service account for external workers).
 */
export class ExternalTasks1765200000000 implements MigrationInterface {
  name = 'ExternalTasks1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE external_task (
        id                 uuid PRIMARY KEY,
        instance_id        uuid        NOT NULL CONSTRAINT fk_external_task_instance REFERENCES process_instance (id) ON DELETE CASCADE,
        definition_id      uuid        NOT NULL CONSTRAINT fk_external_task_definition REFERENCES process_definition (id) ON DELETE CASCADE,
        definition_key     text        NOT NULL,
        definition_version int         NOT NULL,
        business_key       text,
        element_id         text        NOT NULL,
        element_type       text        NOT NULL,
        execution_id       text        NOT NULL,
        topic              text        NOT NULL,
        priority           bigint      NOT NULL DEFAULT 0,
        locals             jsonb       NOT NULL DEFAULT '{}',
        worker_id          text,
        lock_expires_at    timestamptz,
        retries            int,
        error_message      text,
        error_details      text,
        retry_at           timestamptz,
        incident_id        uuid,
        created_at         timestamptz NOT NULL
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_external_task_execution ON external_task (instance_id, execution_id)`);
    await q.query(`CREATE INDEX ix_external_task_fetch ON external_task (topic, priority DESC, created_at) WHERE incident_id IS NULL`);
    await q.query(`ALTER TABLE app_user DROP CONSTRAINT ck_app_user_roles`);
    await q.query(`ALTER TABLE app_user ADD CONSTRAINT ck_app_user_roles CHECK (roles <@ ARRAY['admin', 'process-owner', 'staff', 'auditor', 'worker']::text[])`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE app_user SET roles = array_remove(roles, 'worker')`);
    await q.query(`ALTER TABLE app_user DROP CONSTRAINT ck_app_user_roles`);
    await q.query(`ALTER TABLE app_user ADD CONSTRAINT ck_app_user_roles CHECK (roles <@ ARRAY['admin', 'process-owner', 'staff', 'auditor']::text[])`);
    await q.query(`DROP TABLE external_task`);
  }
}
