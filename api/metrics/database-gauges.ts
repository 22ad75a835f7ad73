import type { DataSource } from 'typeorm';
import type { Clock } from '../../engine';
import { gaugeErrors, setDatabaseCounts, setPoolState, type DatabaseCounts, type PoolState } from './metrics';

/** How long one reading of the database gauges serves scrapes. */
export const GAUGE_CACHE_MS = 5_000;

/**
 * Due is judged by the database clock, like the timer claim (shifted only by a test clock's
 * offset). One statement, each count served by an index (partial indexes on the open / pending rows):
 * cheap enough for a scrape every few seconds, and cached for GAUGE_CACHE_MS in any case.
 */
const COUNTS_SQL = `
  SELECT
    (SELECT count(*) FROM user_task WHERE status = 'open')::int AS "openTasks",
    (SELECT count(*) FROM process_instance WHERE status = 'running')::int AS "runningInstances",
    (SELECT count(*) FROM timer_job WHERE status = 'pending' AND run_at <= now.at)::int AS "dueTimers",
    (SELECT count(*) FROM timer_job WHERE status = 'pending' AND run_at <= now.at - interval '1 minute')::int AS "overdueTimers",
    (SELECT count(*) FROM timer_job WHERE status = 'failed')::int AS "failedTimers",
    (SELECT count(*) FROM incident WHERE status = 'open')::int AS "openIncidents",
    (SELECT count(*) FROM message_outbox WHERE status = 'pending')::int AS "outboxBacklog",
    (SELECT count(*) FROM buffered_message)::int AS "bufferedMessages"
  FROM (SELECT clock_timestamp() + make_interval(secs => $1::double precision / 1000) AS at) AS now`;

interface PgPool {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  options?: { max?: number };
}

/**
 * Points the database gauges and the pool gauge at this application's database; answers the
 * function that unbinds them (on shutdown). A failed reading keeps the previous values and counts
 * in itsm_metrics_collect_errors_total: a scrape never fails because the database is slow or down.
 */
export function bindDatabaseGauges(dataSource: DataSource, clock: Pick<Clock, 'offsetMs'>, onError: (error: unknown) => void, cacheMs = GAUGE_CACHE_MS): () => void {
  let cached: { at: number; value: Promise<DatabaseCounts | null> } | null = null;
  const read = (): Promise<DatabaseCounts | null> => {
    if (cached && Date.now() - cached.at < cacheMs) return cached.value;
    const value = dataSource.isInitialized
      ? dataSource.query(COUNTS_SQL, [clock.offsetMs()]).then(
          (rows: DatabaseCounts[]) => rows[0] ?? null,
          (error: unknown) => {
            gaugeErrors.inc();
            onError(error);
            cached = null;
            return null;
          },
        )
      : Promise.resolve(null);
    cached = { at: Date.now(), value };
    return value;
  };
  const pool = (): PoolState | null => {
    const master = (dataSource.driver as unknown as { master?: PgPool }).master;
    if (!master || typeof master.totalCount !== 'number') return null;
    return { total: master.totalCount, idle: master.idleCount, waiting: master.waitingCount, max: master.options?.max ?? 0 };
  };
  const unsetCounts = setDatabaseCounts(read);
  const unsetPool = setPoolState(pool);
  return () => {
    unsetCounts();
    unsetPool();
  };
}
