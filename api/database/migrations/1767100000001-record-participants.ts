import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The record list's capped count for the viewers who see a part of the records, from the index
 * alone (api/records/records.query.ts): instance_participant says, per row, whether the instance
 * has a record of its own (`no_record` false), and a partial index holds each principal's
 * instances with one, newest first. Before, the count looked up the record of up to 1,001
 * instances per principal (28-91 ms at 1 M; test/bench/READS.md).
 *
 * `no_record` is false by default and set, on the rows of existing instances without a record,
 * by this migration; a new row gets it from a BEFORE INSERT trigger (the record of an instance is
 * written in the instance's first statement, whose AFTER triggers add the participants), and a
 * record inserted, deleted or moved to another instance rewrites its instances' rows.
 */
export class RecordParticipants1767100000001 implements MigrationInterface {
  name = 'RecordParticipants1767100000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE instance_participant ADD COLUMN no_record boolean NOT NULL DEFAULT false`);
    await q.query(`
      CREATE FUNCTION instance_participant_no_record() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.no_record := NOT EXISTS (SELECT 1 FROM record r WHERE r.instance_id = NEW.instance_id);
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER tr_instance_participant_no_record BEFORE INSERT ON instance_participant FOR EACH ROW EXECUTE FUNCTION instance_participant_no_record()`);
    await q.query(`
      CREATE FUNCTION record_instance_participants() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'INSERT' THEN
          UPDATE instance_participant SET no_record = true WHERE instance_id = OLD.instance_id AND NOT no_record;
        END IF;
        IF TG_OP <> 'DELETE' THEN
          UPDATE instance_participant SET no_record = false WHERE instance_id = NEW.instance_id AND no_record;
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER tr_record_instance_participants_insert AFTER INSERT ON record FOR EACH ROW EXECUTE FUNCTION record_instance_participants()`);
    await q.query(`CREATE TRIGGER tr_record_instance_participants_delete AFTER DELETE ON record FOR EACH ROW EXECUTE FUNCTION record_instance_participants()`);
    await q.query(`
      CREATE TRIGGER tr_record_instance_participants_update AFTER UPDATE OF instance_id ON record FOR EACH ROW
      WHEN (OLD.instance_id IS DISTINCT FROM NEW.instance_id) EXECUTE FUNCTION record_instance_participants()`);
    // only the rows of instances without a record are written
    await q.query(`UPDATE instance_participant p SET no_record = true WHERE NOT EXISTS (SELECT 1 FROM record r WHERE r.instance_id = p.instance_id)`);
    await q.query(`CREATE INDEX ix_instance_participant_records ON instance_participant (principal, started_at DESC, instance_id) WHERE NOT no_record`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_instance_participant_records`);
    await q.query(`DROP TRIGGER tr_record_instance_participants_update ON record`);
    await q.query(`DROP TRIGGER tr_record_instance_participants_delete ON record`);
    await q.query(`DROP TRIGGER tr_record_instance_participants_insert ON record`);
    await q.query(`DROP FUNCTION record_instance_participants()`);
    await q.query(`DROP TRIGGER tr_instance_participant_no_record ON instance_participant`);
    await q.query(`DROP FUNCTION instance_participant_no_record()`);
    await q.query(`ALTER TABLE instance_participant DROP COLUMN no_record`);
  }
}
