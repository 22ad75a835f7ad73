import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Durable timers (instance timers and timer start schedules) and incidents for failed jobs. */
export class TimerJobs1763760000000 implements MigrationInterface {
  name = 'TimerJobs1763760000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE timer_job (
        id              uuid PRIMARY KEY,
        kind            text        NOT NULL CONSTRAINT ck_timer_job_kind CHECK (kind IN ('instance', 'start')),
        instance_id     uuid        CONSTRAINT fk_timer_job_instance REFERENCES process_instance (id) ON DELETE CASCADE,
        definition_id   uuid        NOT NULL CONSTRAINT fk_timer_job_definition REFERENCES process_definition (id) ON DELETE CASCADE,
        definition_key  text        NOT NULL,
        element_id      text        NOT NULL,
        element_type    text,
        execution_id    text,
        spec            text,
        remaining       int,
        due_at          timestamptz NOT NULL,
        run_at          timestamptz NOT NULL,
        status          text        NOT NULL DEFAULT 'pending' CONSTRAINT ck_timer_job_status CHECK (status IN ('pending', 'failed')),
        attempts        int         NOT NULL DEFAULT 0,
        last_error      text,
        locked_by       text,
        lock_expires_at timestamptz,
        created_at      timestamptz NOT NULL,
        CONSTRAINT ck_timer_job_owner CHECK ((kind = 'instance') = (instance_id IS NOT NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_timer_job_instance_execution ON timer_job (instance_id, execution_id) WHERE instance_id IS NOT NULL`);
    await q.query(`CREATE INDEX ix_timer_job_due ON timer_job (run_at) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX ix_timer_job_definition ON timer_job (definition_key) WHERE kind = 'start'`);
    await q.query(`
      CREATE TABLE incident (
        id            uuid PRIMARY KEY,
        type          text        NOT NULL,
        status        text        NOT NULL DEFAULT 'open' CONSTRAINT ck_incident_status CHECK (status IN ('open', 'resolved')),
        instance_id   uuid        CONSTRAINT fk_incident_instance REFERENCES process_instance (id) ON DELETE CASCADE,
        definition_id uuid        NOT NULL CONSTRAINT fk_incident_definition REFERENCES process_definition (id) ON DELETE CASCADE,
        job_id        uuid,
        element_id    text,
        message       text        NOT NULL,
        attempts      int         NOT NULL,
        created_at    timestamptz NOT NULL,
        resolved_at   timestamptz,
        resolved_by   text
      )`);
    await q.query(`CREATE INDEX ix_incident_status ON incident (status, created_at DESC)`);
    await q.query(`CREATE INDEX ix_incident_instance ON incident (instance_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE incident`);
    await q.query(`DROP TABLE timer_job`);
  }
}
