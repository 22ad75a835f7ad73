import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Messages and signals: the subscriptions waiting instances (and message/signal start events of
 * the latest active versions) hold, messages buffered with a time to live, and the outbox of
 * messages and signals thrown inside processes (delivered after their command committed).
 */
export class Messaging1764000000000 implements MigrationInterface {
  name = 'Messaging1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE event_subscription (
        id              uuid PRIMARY KEY,
        kind            text        NOT NULL CONSTRAINT ck_event_subscription_kind CHECK (kind IN ('message', 'signal')),
        name            text        NOT NULL,
        correlation_key text,
        instance_id     uuid        CONSTRAINT fk_event_subscription_instance REFERENCES process_instance (id) ON DELETE CASCADE,
        definition_id   uuid        NOT NULL CONSTRAINT fk_event_subscription_definition REFERENCES process_definition (id) ON DELETE CASCADE,
        definition_key  text        NOT NULL,
        element_id      text        NOT NULL,
        element_type    text        NOT NULL,
        execution_id    text,
        created_at      timestamptz NOT NULL,
        CONSTRAINT ck_event_subscription_owner CHECK ((instance_id IS NULL) = (execution_id IS NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_event_subscription_execution ON event_subscription (instance_id, execution_id) WHERE instance_id IS NOT NULL`);
    await q.query(`CREATE INDEX ix_event_subscription_lookup ON event_subscription (kind, name, correlation_key)`);
    await q.query(`CREATE INDEX ix_event_subscription_start ON event_subscription (definition_key) WHERE instance_id IS NULL`);
    await q.query(`
      CREATE TABLE buffered_message (
        id              uuid PRIMARY KEY,
        name            text        NOT NULL,
        correlation_key text,
        message_id      text,
        variables       jsonb       NOT NULL,
        sent_by         text,
        created_at      timestamptz NOT NULL,
        expires_at      timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX ix_buffered_message_lookup ON buffered_message (name, correlation_key, created_at)`);
    await q.query(`CREATE INDEX ix_buffered_message_expiry ON buffered_message (expires_at)`);
    await q.query(`
      CREATE TABLE message_outbox (
        id                   uuid PRIMARY KEY,
        kind                 text        NOT NULL CONSTRAINT ck_message_outbox_kind CHECK (kind IN ('message', 'signal', 'signal-delivery')),
        name                 text        NOT NULL,
        correlation_key      text,
        variables            jsonb       NOT NULL,
        source_instance_id   uuid,
        source_element_id    text,
        target_instance_id   uuid,
        target_definition_id uuid,
        target_subscriptions uuid[],
        created_at           timestamptz NOT NULL,
        run_at               timestamptz NOT NULL,
        status               text        NOT NULL DEFAULT 'pending' CONSTRAINT ck_message_outbox_status CHECK (status IN ('pending', 'failed')),
        attempts             int         NOT NULL DEFAULT 0,
        last_error           text,
        locked_by            text,
        lock_expires_at      timestamptz
      )`);
    await q.query(`CREATE INDEX ix_message_outbox_due ON message_outbox (run_at) WHERE status = 'pending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE message_outbox`);
    await q.query(`DROP TABLE buffered_message`);
    await q.query(`DROP TABLE event_subscription`);
  }
}
