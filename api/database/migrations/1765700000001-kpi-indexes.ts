import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The KPI report for a quarter (api/records/kpis.query.ts) from the indexes alone: the incident
 * statement read every record of the window from the table (69 k rows a quarter at a million
 * records, their jsonb `fields` included, for the reopened count): 455-547 ms a report.
 *
 * - ix_record_kpi_opened covers the incident and request statements (type, opened_at, and the SLA
 *   columns they aggregate): an index-only scan.
 * - ix_record_kpi_reopened holds only the resolved records reopened at least once; the reopened
 *   count is its own statement, whose WHERE is the index's predicate, so it is an index-only scan
 *   of those few entries instead of reading `fields` of every record.
 */
export class KpiIndexes1765700000001 implements MigrationInterface {
  name = 'KpiIndexes1765700000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE INDEX ix_record_kpi_opened ON record (type, opened_at)
        INCLUDE (priority, acknowledged_at, resolved_at, response_elapsed_ms, resolution_elapsed_ms, response_met, resolution_met)`);
    await q.query(`
      CREATE INDEX ix_record_kpi_reopened ON record (type, opened_at)
        WHERE resolved_at IS NOT NULL AND COALESCE(record_num(fields -> 'reopenCount'), 0) > 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_record_kpi_reopened`);
    await q.query(`DROP INDEX ix_record_kpi_opened`);
  }
}
