import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Identity: users (roles, argon2id password hashes), groups and memberships (what diagrams'
 * candidateGroups name), rotating refresh tokens, login attempts for the rate limit, and
 * server settings (the generated token signing secret).
 */
export class Identity1763800000000 implements MigrationInterface {
  name = 'Identity1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE app_user (
        id                  uuid PRIMARY KEY,
        username            text        NOT NULL CONSTRAINT ck_app_user_username CHECK (username ~ '^[A-Za-z0-9._@+-]{1,128}$'),
        display_name        text,
        email               text,
        password_hash       text,
        roles               text[]      NOT NULL DEFAULT '{}' CONSTRAINT ck_app_user_roles CHECK (roles <@ ARRAY['admin', 'process-owner', 'staff', 'auditor']::text[]),
        disabled            boolean     NOT NULL DEFAULT false,
        created_at          timestamptz NOT NULL DEFAULT now(),
        updated_at          timestamptz NOT NULL DEFAULT now(),
        password_changed_at timestamptz
      )`);
    // Usernames are unique whatever their case ("Alice" and "alice" are one user).
    await q.query(`CREATE UNIQUE INDEX uq_app_user_username ON app_user (lower(username))`);
    await q.query(`
      CREATE TABLE app_group (
        id          uuid PRIMARY KEY,
        name        text        NOT NULL CONSTRAINT ck_app_group_name CHECK (name ~ '^[A-Za-z0-9._@+-]{1,128}$'),
        description text,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_app_group_name ON app_group (lower(name))`);
    await q.query(`
      CREATE TABLE group_member (
        group_id uuid        NOT NULL CONSTRAINT fk_group_member_group REFERENCES app_group (id) ON DELETE CASCADE,
        user_id  uuid        NOT NULL CONSTRAINT fk_group_member_user REFERENCES app_user (id) ON DELETE CASCADE,
        added_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_group_member PRIMARY KEY (group_id, user_id)
      )`);
    await q.query(`CREATE INDEX ix_group_member_user ON group_member (user_id)`);
    await q.query(`
      CREATE TABLE refresh_token (
        id            uuid PRIMARY KEY,
        user_id       uuid        NOT NULL CONSTRAINT fk_refresh_token_user REFERENCES app_user (id) ON DELETE CASCADE,
        family_id     uuid        NOT NULL,
        token_hash    text        NOT NULL,
        created_at    timestamptz NOT NULL,
        expires_at    timestamptz NOT NULL,
        revoked_at    timestamptz,
        revoke_reason text,
        replaced_by   uuid
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_refresh_token_hash ON refresh_token (token_hash)`);
    await q.query(`CREATE INDEX ix_refresh_token_family ON refresh_token (family_id)`);
    await q.query(`CREATE INDEX ix_refresh_token_user_live ON refresh_token (user_id) WHERE revoked_at IS NULL`);
    await q.query(`CREATE INDEX ix_refresh_token_expires ON refresh_token (expires_at)`);
    await q.query(`
      CREATE TABLE login_attempt (
        id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        username text        NOT NULL,
        ip       text,
        at       timestamptz NOT NULL,
        success  boolean     NOT NULL
      )`);
    await q.query(`CREATE INDEX ix_login_attempt_username ON login_attempt (username, at DESC)`);
    await q.query(`CREATE INDEX ix_login_attempt_ip_failed ON login_attempt (ip, at DESC) WHERE NOT success`);
    await q.query(`CREATE INDEX ix_login_attempt_at ON login_attempt (at)`);
    await q.query(`
      CREATE TABLE app_setting (
        key        text PRIMARY KEY,
        value      text        NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE app_setting`);
    await q.query(`DROP TABLE login_attempt`);
    await q.query(`DROP TABLE refresh_token`);
    await q.query(`DROP TABLE group_member`);
    await q.query(`DROP TABLE app_group`);
    await q.query(`DROP TABLE app_user`);
  }
}
