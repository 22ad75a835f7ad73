import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * History retention: `history_event` becomes a table partitioned by month on `occurred_at`, so
 * removing old history can drop whole months. A partition key must be part of every unique
 * constraint, so the primary key becomes (instance_id, seq, occurred_at); (instance_id, seq) stays
 * unique in practice because the instance row is locked while its chain grows, and verification
 * reports a duplicated or missing seq. Partitions cover the months that hold history plus three
 * ahead (the retention job keeps creating them ahead); anything outside lands in the default one.
 * Every other index on the old table (e.g. read indexes added by earlier migrations) is recreated
 * on the new one from its definition in pg_indexes.
 */
export class HistoryPartitions1765300000000 implements MigrationInterface {
  name = 'HistoryPartitions1765300000000';

  async up(q: QueryRunner): Promise<void> {
    const indexes = await setAsideIndexes(q);
    await q.query(`ALTER TABLE history_event RENAME TO history_event_unpartitioned`);
    await q.query(`ALTER TABLE history_event_unpartitioned RENAME CONSTRAINT pk_history_event TO pk_history_event_unpartitioned`);
    await q.query(historyEventTable({ partitioned: true }));
    await q.query(`CREATE TABLE history_event_default PARTITION OF history_event DEFAULT`);
    const [range] = await q.query(
      `SELECT date_trunc('month', COALESCE(min(occurred_at), now()) AT TIME ZONE 'UTC') AS first, date_trunc('month', now() AT TIME ZONE 'UTC') + interval '3 months' AS last
         FROM history_event_unpartitioned`,
    );
    await createEnsureFunction(q);
    await q.query(`SELECT history_event_ensure_month(m::timestamp) FROM generate_series($1::timestamp, $2::timestamp, interval '1 month') AS m`, [range.first, range.last]);
    await q.query(`INSERT INTO history_event (${COLUMNS}) SELECT ${COLUMNS} FROM history_event_unpartitioned`);
    await q.query(`DROP TABLE history_event_unpartitioned`);
    await recreateIndexes(q, indexes);
  }

  async down(q: QueryRunner): Promise<void> {
    const indexes = await setAsideIndexes(q);
    await q.query(`ALTER TABLE history_event RENAME TO history_event_partitioned`);
    await q.query(`ALTER TABLE history_event_partitioned RENAME CONSTRAINT pk_history_event TO pk_history_event_partitioned`);
    await q.query(historyEventTable({ partitioned: false }));
    await q.query(`INSERT INTO history_event (${COLUMNS}) SELECT ${COLUMNS} FROM history_event_partitioned`);
    await q.query(`DROP TABLE history_event_partitioned`);
    await q.query(`DROP FUNCTION history_event_ensure_month(timestamp)`);
    await recreateIndexes(q, indexes);
  }
}

const COLUMNS = 'instance_id, seq, type, element_id, element_type, execution_id, actor, payload, occurred_at, prev_hash, hash, mac';

/**
 * The `history_event` table: partitioned by month (the partition key joins the primary key), or
 * as before this migration.
 */
function historyEventTable({ partitioned }: { partitioned: boolean }): string {
  return `
      CREATE TABLE history_event (
        instance_id  uuid        NOT NULL CONSTRAINT ${partitioned ? 'fk_history_event_instance_p' : 'fk_history_event_instance'} REFERENCES process_instance (id) ON DELETE RESTRICT,
        seq          int         NOT NULL,
        type         text        NOT NULL,
        element_id   text,
        element_type text,
        execution_id text,
        actor        text,
        payload      jsonb,
        occurred_at  timestamptz NOT NULL,
        prev_hash    text,
        hash         text        NOT NULL,
        mac          text        NULL,
        CONSTRAINT pk_history_event PRIMARY KEY (instance_id, seq${partitioned ? ', occurred_at' : ''})
      )${partitioned ? ' PARTITION BY RANGE (occurred_at)' : ''}`;
}

interface IndexDefinition {
  indexname: string;
  indexdef: string;
}

/** The indexes of `history_event` but its primary key, renamed out of the way (their names are reused on the new table). */
async function setAsideIndexes(q: QueryRunner): Promise<IndexDefinition[]> {
  const indexes: IndexDefinition[] = await q.query(
    `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'history_event' AND indexname <> 'pk_history_event'`,
  );
  for (const index of indexes) await q.query(`ALTER INDEX ${quoteIdent(index.indexname)} RENAME TO ${quoteIdent(`${index.indexname}_old`.slice(0, 63))}`);
  return indexes;
}

/** Creates `indexes` again, on the new `history_event`. */
async function recreateIndexes(q: QueryRunner, indexes: IndexDefinition[]): Promise<void> {
  for (const index of indexes) await q.query(index.indexdef.replace(/ ON (ONLY )?(\S+\.)?history_event /, ' ON history_event '));
}

/**
 * `history_event_ensure_month(month)`: creates the partition of that month (UTC), named
 * history_event_pYYYYMM, unless it exists. Used by this migration and by the retention job.
 */
async function createEnsureFunction(q: QueryRunner): Promise<void> {
  await q.query(`
    CREATE OR REPLACE FUNCTION history_event_ensure_month(month timestamp) RETURNS text LANGUAGE plpgsql AS $$
    DECLARE
      first timestamp := date_trunc('month', month);
      name text := 'history_event_p' || to_char(first, 'YYYYMM');
    BEGIN
      IF to_regclass(name) IS NULL THEN
        EXECUTE format('CREATE TABLE %I PARTITION OF history_event FOR VALUES FROM (%L) TO (%L)', name,
          to_char(first, 'YYYY-MM-DD') || ' 00:00:00+00', to_char(first + interval '1 month', 'YYYY-MM-DD') || ' 00:00:00+00');
      END IF;
      RETURN name;
    END $$`);
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
