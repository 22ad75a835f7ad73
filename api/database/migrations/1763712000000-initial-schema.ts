import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Definitions, instances (snapshot + revision), user tasks, hash-chained history, idempotency keys. */
export class InitialSchema1763712000000 implements MigrationInterface {
  name = 'InitialSchema1763712000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE process_definition (
        id           uuid PRIMARY KEY,
        key          text        NOT NULL,
        version      int         NOT NULL,
        version_tag  text,
        name         text,
        xml          text        NOT NULL,
        serialized   text        NOT NULL,
        sha256       text        NOT NULL,
        state        text        NOT NULL DEFAULT 'active' CONSTRAINT ck_process_definition_state CHECK (state IN ('active', 'suspended')),
        warnings     jsonb       NOT NULL DEFAULT '[]',
        deployed_by  text,
        deployed_at  timestamptz NOT NULL,
        CONSTRAINT uq_process_definition_key_version UNIQUE (key, version)
      )`);
    await q.query(`
      CREATE TABLE process_instance (
        id                 uuid PRIMARY KEY,
        definition_id      uuid        NOT NULL CONSTRAINT fk_process_instance_definition REFERENCES process_definition (id) ON DELETE RESTRICT,
        definition_key     text        NOT NULL,
        definition_version int         NOT NULL,
        business_key       text,
        status             text        NOT NULL CONSTRAINT ck_process_instance_status CHECK (status IN ('running', 'completed', 'cancelled', 'failed')),
        snapshot           jsonb,
        variables          jsonb       NOT NULL DEFAULT '{}',
        active_element_ids text[]      NOT NULL DEFAULT '{}',
        revision           int         NOT NULL DEFAULT 0,
        started_by         text,
        started_at         timestamptz NOT NULL,
        ended_at           timestamptz,
        end_reason         text,
        history_seq        int         NOT NULL DEFAULT 0,
        history_hash       text
      )`);
    await q.query(`CREATE INDEX ix_process_instance_key_status ON process_instance (definition_key, status, started_at DESC)`);
    await q.query(`CREATE INDEX ix_process_instance_status_started ON process_instance (status, started_at DESC)`);
    await q.query(`CREATE INDEX ix_process_instance_business_key ON process_instance (business_key) WHERE business_key IS NOT NULL`);
    await q.query(`
      CREATE TABLE user_task (
        id               uuid PRIMARY KEY,
        instance_id      uuid        NOT NULL CONSTRAINT fk_user_task_instance REFERENCES process_instance (id) ON DELETE CASCADE,
        definition_key   text        NOT NULL,
        element_id       text        NOT NULL,
        execution_id     text        NOT NULL,
        name             text,
        assignee         text,
        candidate_users  text[]      NOT NULL DEFAULT '{}',
        candidate_groups text[]      NOT NULL DEFAULT '{}',
        due_at           timestamptz,
        follow_up_at     timestamptz,
        priority         int         NOT NULL DEFAULT 50,
        form_key         text,
        status           text        NOT NULL CONSTRAINT ck_user_task_status CHECK (status IN ('open', 'completed', 'cancelled')),
        created_at       timestamptz NOT NULL,
        completed_at     timestamptz,
        completed_by     text,
        submitted        jsonb,
        CONSTRAINT uq_user_task_execution UNIQUE (instance_id, execution_id)
      )`);
    await q.query(`CREATE INDEX ix_user_task_open_order ON user_task (priority DESC, due_at ASC NULLS LAST, created_at) WHERE status = 'open'`);
    await q.query(`CREATE INDEX ix_user_task_assignee ON user_task (assignee, status)`);
    await q.query(`CREATE INDEX ix_user_task_candidate_groups ON user_task USING gin (candidate_groups)`);
    await q.query(`CREATE INDEX ix_user_task_candidate_users ON user_task USING gin (candidate_users)`);
    await q.query(`
      CREATE TABLE history_event (
        instance_id  uuid        NOT NULL CONSTRAINT fk_history_event_instance REFERENCES process_instance (id) ON DELETE RESTRICT,
        seq          int         NOT NULL,
        type         text        NOT NULL,
        element_id   text,
        element_type text,
        execution_id text,
        actor        text,
        payload      jsonb,
        occurred_at  timestamptz NOT NULL,
        prev_hash    text,
        hash         text        NOT NULL,
        CONSTRAINT pk_history_event PRIMARY KEY (instance_id, seq)
      )`);
    await q.query(`
      CREATE TABLE idempotency_key (
        scope        text        NOT NULL,
        key          text        NOT NULL,
        request_hash text        NOT NULL,
        result       jsonb       NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_idempotency_key PRIMARY KEY (scope, key)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE idempotency_key`);
    await q.query(`DROP TABLE history_event`);
    await q.query(`DROP TABLE user_task`);
    await q.query(`DROP TABLE process_instance`);
    await q.query(`DROP TABLE process_definition`);
  }
}
