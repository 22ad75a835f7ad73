import { Counter, Gauge, Histogram, collectDefaultMetrics, register } from 'prom-client';

/**
 * The Prometheus metric families of the server (prefix `itsm_`), on prom-client's global registry
 * so that cluster workers can be aggregated (api/metrics/metrics-access.ts). Defined once per
 * process; the database behind the gauges is bound per application (api/metrics/gauges.ts).
 */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export const httpRequests = new Counter({
  name: 'itsm_http_requests_total',
  help: 'HTTP requests answered, by method, route pattern and status code',
  labelNames: ['method', 'route', 'status'] as const,
});

export const httpDuration = new Histogram({
  name: 'itsm_http_request_duration_seconds',
  help: 'Time from receiving an HTTP request to the end of its answer, by method, route pattern and status code',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: LATENCY_BUCKETS,
});

export const commands = new Counter({
  name: 'itsm_commands_total',
  help: 'Engine commands (one transaction each, retries included), by command and outcome (ok, rejected, conflict, error)',
  labelNames: ['command', 'outcome'] as const,
});

export const commandDuration = new Histogram({
  name: 'itsm_command_duration_seconds',
  help: 'Wall time of an engine command, retries included, by command and outcome',
  labelNames: ['command', 'outcome'] as const,
  buckets: LATENCY_BUCKETS,
});

export const engineRun = new Histogram({
  name: 'itsm_engine_run_seconds',
  help: 'Time spent running bpmn-engine (start or resume to the next wait states) within one command, by command',
  labelNames: ['command'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
});

export const engineResumes = new Counter({
  name: 'itsm_engine_resumes_total',
  help: 'Engine runs of existing instances, by whether this process still held the instance\'s engine (warm: hit) or recovered it from the snapshot (miss)',
  labelNames: ['warm'] as const,
});

export const affinityForwards = new Counter({
  name: 'itsm_affinity_forwards_total',
  help: 'Commands this cluster worker sent to the worker that owns their instance (api/affinity), by result: answered by the owner, or run here because the owner was unavailable or did not answer in time',
  labelNames: ['result'] as const,
});

export const timerLag = new Histogram({
  name: 'itsm_timer_lag_seconds',
  help: 'How late a timer job was claimed for firing: claim time minus its due time',
  buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600],
});

export const timerJobs = new Counter({
  name: 'itsm_timer_jobs_total',
  help: 'Timer jobs claimed by the poller, by result (fired, skipped, failed)',
  labelNames: ['result'] as const,
});

export const outboxDeliveries = new Counter({
  name: 'itsm_outbox_deliveries_total',
  help: 'Messages and signals thrown inside processes, delivered from the outbox, by result (delivered, started, failed)',
  labelNames: ['result'] as const,
});

export const transactionRetries = new Counter({
  name: 'itsm_transaction_retries_total',
  help: 'Command transactions rolled back on a revision conflict or deadlock and run again',
});

export const transactionConflicts = new Counter({
  name: 'itsm_transaction_conflicts_total',
  help: 'Command transactions rolled back on a revision conflict or deadlock (retried or not)',
});

// Gauges read from the database when scraped (api/metrics/database-gauges.ts). `aggregator: 'max'`
// because every cluster worker reads the same database: the aggregate must not add them up.
export type DatabaseCounts = Record<'openTasks' | 'runningInstances' | 'dueTimers' | 'overdueTimers' | 'failedTimers' | 'openIncidents' | 'outboxBacklog' | 'bufferedMessages', number>;

let readCounts: (() => Promise<DatabaseCounts | null>) | null = null;

/** Where the database gauges read their values; `unset` undoes it if it is still the current one. */
export function setDatabaseCounts(read: () => Promise<DatabaseCounts | null>): () => void {
  readCounts = read;
  return () => {
    if (readCounts === read) readCounts = null;
  };
}

function databaseGauge(key: keyof DatabaseCounts, name: string, help: string): Gauge {
  return new Gauge({
    name,
    help,
    aggregator: 'max',
    async collect() {
      const counts = readCounts ? await readCounts() : null;
      if (counts) this.set(counts[key]);
    },
  });
}

export const databaseGauges = [
  databaseGauge('openTasks', 'itsm_open_tasks', 'User tasks open (status open)'),
  databaseGauge('runningInstances', 'itsm_running_instances', 'Process instances running'),
  databaseGauge('dueTimers', 'itsm_timers_due', 'Timer jobs due now (run time reached) and not yet fired'),
  databaseGauge('overdueTimers', 'itsm_timers_overdue', 'Timer jobs due for more than a minute and not yet fired'),
  databaseGauge('failedTimers', 'itsm_timers_failed', 'Timer jobs that used up their attempts (each has an incident)'),
  databaseGauge('openIncidents', 'itsm_open_incidents', 'Incidents open'),
  databaseGauge('outboxBacklog', 'itsm_outbox_backlog', 'Messages and signals thrown inside processes waiting in the outbox for delivery'),
  databaseGauge('bufferedMessages', 'itsm_buffered_messages', 'Published messages buffered until a process subscribes to them'),
];

export const gaugeErrors = new Counter({ name: 'itsm_metrics_collect_errors_total', help: 'Scrapes whose database gauges could not be read (they keep their previous values)' });

export type PoolState = Record<'total' | 'idle' | 'waiting' | 'max', number>;
let readPool: (() => PoolState | null) | null = null;

/** Where the pool gauge reads the connection counts of this process; answers the undo. */
export function setPoolState(read: () => PoolState | null): () => void {
  readPool = read;
  return () => {
    if (readPool === read) readPool = null;
  };
}

export const dbPool = new Gauge({
  name: 'itsm_db_pool_connections',
  help: 'Database connections of this process by state: total (open), idle, waiting (requests queued for a connection), max (pool size)',
  labelNames: ['state'] as const,
  collect() {
    const state = readPool?.();
    if (state) for (const [label, value] of Object.entries(state)) this.set({ state: label }, value);
  },
});

// The event loop delay histogram samples every 100 ms: prom-client's default of 10 ms wakes every
// process (the cluster primary too) 100 times a second, about 5 ms of CPU per second when idle.
collectDefaultMetrics({ prefix: 'itsm_', eventLoopMonitoringPrecision: 100 });

export { register };
