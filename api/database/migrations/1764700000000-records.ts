import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * ITSM records (engine/records): one row per instance of a process carrying `itsm:recordType`,
 * with a human number allocated without gaps from a counter row per type (locked by the start
 * command, rolled back with it), queryable columns for lists and KPIs, and links between records.
 */
export class Records1764700000000 implements MigrationInterface {
  name = 'Records1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE record_counter (
        type        text   PRIMARY KEY,
        last_value  bigint NOT NULL DEFAULT 0
      )`);
    await q.query(`
      CREATE TABLE record (
        number               text        PRIMARY KEY,
        type                 text        NOT NULL,
        seq                  bigint      NOT NULL,
        instance_id          uuid        NOT NULL UNIQUE REFERENCES process_instance (id),
        definition_key       text        NOT NULL,
        state                text        NOT NULL,
        title                text        NULL,
        priority             text        NULL,
        assignee             text        NULL,
        opened_by            text        NULL,
        opened_at            timestamptz NOT NULL,
        acknowledged_at      timestamptz NULL,
        resolved_at          timestamptz NULL,
        closed_at            timestamptz NULL,
        response_due_at      timestamptz NULL,
        response_met         boolean     NULL,
        response_elapsed_ms  bigint      NULL,
        resolution_due_at    timestamptz NULL,
        resolution_met       boolean     NULL,
        resolution_elapsed_ms bigint     NULL,
        sla_paused           boolean     NOT NULL DEFAULT false,
        fields               jsonb       NOT NULL DEFAULT '{}'::jsonb,
        updated_at           timestamptz NOT NULL,
        CONSTRAINT uq_record_type_seq UNIQUE (type, seq)
      )`);
    await q.query(`CREATE INDEX ix_record_type_opened ON record (type, opened_at)`);
    await q.query(`CREATE INDEX ix_record_type_state ON record (type, state)`);
    await q.query(`CREATE INDEX ix_record_definition_opened ON record (definition_key, opened_at)`);
    await q.query(`CREATE INDEX ix_record_type_closed ON record (type, closed_at)`);
    await q.query(`CREATE INDEX ix_record_open_backlog ON record (type, opened_at) WHERE closed_at IS NULL`);
    // KPI fields are user-typed variables: read them with casts that answer NULL instead of failing.
    await q.query(`
      CREATE FUNCTION record_ts(value text) RETURNS timestamptz LANGUAGE plpgsql STABLE AS $$
      BEGIN RETURN value::timestamptz; EXCEPTION WHEN others THEN RETURN NULL; END $$`);
    await q.query(`
      CREATE FUNCTION record_num(value jsonb) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
        SELECT CASE WHEN jsonb_typeof(value) = 'number' THEN value::text::numeric END $$`);
    await q.query(`
      CREATE TABLE record_link (
        from_number  text        NOT NULL REFERENCES record (number),
        to_number    text        NOT NULL REFERENCES record (number),
        kind         text        NOT NULL,
        created_at   timestamptz NOT NULL,
        created_by   text        NULL,
        PRIMARY KEY (from_number, to_number, kind)
      )`);
    await q.query(`CREATE INDEX ix_record_link_to ON record_link (to_number)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE record_link`);
    await q.query(`DROP TABLE record`);
    await q.query(`DROP TABLE record_counter`);
    await q.query(`DROP FUNCTION record_num(jsonb)`);
    await q.query(`DROP FUNCTION record_ts(text)`);
  }
}
