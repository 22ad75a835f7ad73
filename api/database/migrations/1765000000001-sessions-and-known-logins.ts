import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sessions (api/auth): an access token names its session (the refresh token family), checked on
 * every request through a partial index of the live tokens. Known sign-in addresses and devices
 * per username: a user signing in from one of them is not slowed by failures from elsewhere.
 */
export class SessionsAndKnownLogins1765000000001 implements MigrationInterface {
  name = 'SessionsAndKnownLogins1765000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX ix_refresh_token_family_live ON refresh_token (family_id) WHERE revoked_at IS NULL`);
    await q.query(`
      CREATE TABLE login_known (
        username  text        NOT NULL,
        kind      text        NOT NULL CHECK (kind IN ('address', 'device')),
        value     text        NOT NULL,
        last_at   timestamptz NOT NULL,
        PRIMARY KEY (username, kind, value)
      )`);
    await q.query(`CREATE INDEX ix_login_attempt_user_failed ON login_attempt (username, at DESC) WHERE NOT success`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_login_attempt_user_failed`);
    await q.query(`DROP TABLE login_known`);
    await q.query(`DROP INDEX ix_refresh_token_family_live`);
  }
}
