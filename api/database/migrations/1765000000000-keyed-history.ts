import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Keyed history (engine/history/seal.ts): a seal (HMAC with the server's history key) on every
 * event and on every instance's chain head, and one anchor row sealing how many instances exist.
 * Rows written before this migration carry no seal until an administrator seals them once
 * (HISTORY_SEAL_LEGACY=true, see README); the anchor starts unsealed with the current count.
 */
export class KeyedHistory1765000000000 implements MigrationInterface {
  name = 'KeyedHistory1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE history_event ADD COLUMN mac text NULL`);
    await q.query(`ALTER TABLE process_instance ADD COLUMN history_mac text NULL`);
    await q.query(`
      CREATE TABLE history_anchor (
        id         int         PRIMARY KEY CHECK (id = 1),
        instances  bigint      NOT NULL,
        mac        text        NULL,
        sealed_at  timestamptz NULL
      )`);
    await q.query(`INSERT INTO history_anchor (id, instances) SELECT 1, count(*) FROM process_instance`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE history_anchor`);
    await q.query(`ALTER TABLE process_instance DROP COLUMN history_mac`);
    await q.query(`ALTER TABLE history_event DROP COLUMN mac`);
  }
}
