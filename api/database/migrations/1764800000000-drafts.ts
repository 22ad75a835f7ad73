import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Drafts and governed deployment (api/drafts):
 *  - `process_draft`: a working copy of one process key; every save appends an immutable
 *    `process_draft_revision` (BPMN, forms, decision tables, author, time, comment);
 *  - `deploy_request`: a process owner's request to deploy one draft revision and the
 *    administrator's decision on it (approved with the version it deployed, or rejected with a
 *    reason), or an administrator's direct deployment of a draft (`kind = 'direct'`).
 */
export class Drafts1764800000000 implements MigrationInterface {
  name = 'Drafts1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE process_draft (
        id                 uuid        PRIMARY KEY,
        definition_key     text        NOT NULL,
        name               text,
        base_definition_id uuid        CONSTRAINT fk_process_draft_base REFERENCES process_definition (id) ON DELETE SET NULL,
        revision           int         NOT NULL CONSTRAINT ck_process_draft_revision CHECK (revision >= 1),
        created_by         text        NOT NULL,
        created_at         timestamptz NOT NULL,
        updated_by         text        NOT NULL,
        updated_at         timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX ix_process_draft_key ON process_draft (definition_key, updated_at DESC)`);
    await q.query(`
      CREATE TABLE process_draft_revision (
        draft_id  uuid        NOT NULL CONSTRAINT fk_process_draft_revision_draft REFERENCES process_draft (id) ON DELETE CASCADE,
        revision  int         NOT NULL,
        bpmn      text        NOT NULL,
        forms     jsonb       NOT NULL DEFAULT '[]',
        decisions jsonb       NOT NULL DEFAULT '[]',
        comment   text        NOT NULL,
        author    text        NOT NULL,
        saved_at  timestamptz NOT NULL,
        sha256    text        NOT NULL,
        CONSTRAINT pk_process_draft_revision PRIMARY KEY (draft_id, revision)
      )`);
    await q.query(`
      CREATE TABLE deploy_request (
        id                 uuid        PRIMARY KEY,
        draft_id           uuid        NOT NULL,
        draft_revision     int         NOT NULL,
        definition_key     text        NOT NULL,
        kind               text        NOT NULL CONSTRAINT ck_deploy_request_kind CHECK (kind IN ('request', 'direct')),
        state              text        NOT NULL CONSTRAINT ck_deploy_request_state CHECK (state IN ('pending', 'approved', 'rejected', 'withdrawn')),
        comment            text        NOT NULL,
        submitted_by       text        NOT NULL,
        submitted_at       timestamptz NOT NULL,
        decided_by         text,
        decided_at         timestamptz,
        reason             text,
        definition_id      uuid        CONSTRAINT fk_deploy_request_definition REFERENCES process_definition (id) ON DELETE RESTRICT,
        definition_version int,
        created            boolean,
        CONSTRAINT fk_deploy_request_revision FOREIGN KEY (draft_id, draft_revision) REFERENCES process_draft_revision (draft_id, revision) ON DELETE RESTRICT,
        CONSTRAINT ck_deploy_request_decided CHECK ((state = 'pending') = (decided_at IS NULL))
      )`);
    // At most one open request per key: two pending requests would race each other's versions.
    await q.query(`CREATE UNIQUE INDEX ux_deploy_request_pending_key ON deploy_request (definition_key) WHERE state = 'pending'`);
    await q.query(`CREATE INDEX ix_deploy_request_submitted ON deploy_request (submitted_at DESC)`);
    await q.query(`CREATE INDEX ix_deploy_request_draft ON deploy_request (draft_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE deploy_request`);
    await q.query(`DROP TABLE process_draft_revision`);
    await q.query(`DROP TABLE process_draft`);
  }
}
