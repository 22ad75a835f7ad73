import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `write_check(ok, message)`: raises SQLSTATE `IT409` with `message` unless `ok` is true. The
 * command's batched write (api/engine-host/write-batch.ts) checks its compare-and-sets with it in
 * the statement itself when COMMIT travels in the same round trip: a check that fails aborts the
 * statement, PostgreSQL then skips the COMMIT, and the server answers a retryable conflict as
 * before. A PL/pgSQL function (VOLATILE) so the planner never evaluates it ahead of the rows, as
 * it may a constant expression in a CASE.
 */
export class WriteChecks1767300000000 implements MigrationInterface {
  name = 'WriteChecks1767300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION write_check(ok boolean, message text) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
      BEGIN
        IF ok IS NOT TRUE THEN
          RAISE EXCEPTION USING ERRCODE = 'IT409', MESSAGE = message;
        END IF;
        RETURN true;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS write_check(boolean, text)`);
  }
}
