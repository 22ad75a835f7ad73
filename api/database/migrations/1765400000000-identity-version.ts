import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A per-user identity version, moved on by the database itself whenever anything that decides
 * the user's access changes: the user row (disabled, roles, password), a group membership added
 * or removed, a group renamed or deleted. Servers cache users and check this one number per
 * request (api/auth/user-cache.ts): a change made through any server process counts at once in
 * every other one.
 */
export class IdentityVersion1765400000000 implements MigrationInterface {
  name = 'IdentityVersion1765400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE app_user ADD COLUMN identity_version bigint NOT NULL DEFAULT 0`);
    await q.query(`
      CREATE FUNCTION app_user_identity_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.identity_version := OLD.identity_version + 1;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER tg_app_user_identity BEFORE UPDATE ON app_user FOR EACH ROW EXECUTE FUNCTION app_user_identity_changed()`);
    await q.query(`
      CREATE FUNCTION group_member_identity_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE app_user SET identity_version = identity_version + 1
         WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.user_id ELSE NEW.user_id END;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER tg_group_member_identity AFTER INSERT OR DELETE ON group_member FOR EACH ROW EXECUTE FUNCTION group_member_identity_changed()`);
    await q.query(`
      CREATE FUNCTION app_group_identity_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE app_user SET identity_version = identity_version + 1
         WHERE id IN (SELECT m.user_id FROM group_member m WHERE m.group_id = NEW.id);
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER tg_app_group_identity AFTER UPDATE OF name ON app_group FOR EACH ROW EXECUTE FUNCTION app_group_identity_changed()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER tg_app_group_identity ON app_group`);
    await q.query(`DROP FUNCTION app_group_identity_changed()`);
    await q.query(`DROP TRIGGER tg_group_member_identity ON group_member`);
    await q.query(`DROP FUNCTION group_member_identity_changed()`);
    await q.query(`DROP TRIGGER tg_app_user_identity ON app_user`);
    await q.query(`DROP FUNCTION app_user_identity_changed()`);
    await q.query(`ALTER TABLE app_user DROP COLUMN identity_version`);
  }
}
