import { Logger } from '@nestjs/common';
import { DataSource, QueryFailedError } from 'typeorm';
import { EmbeddedPostgres } from './embedded-postgres';
import { migrations } from './migrations';
import { statementCounter } from './statement-counter';

/** Arbitrary constant: the advisory lock that serialises migrations across server processes. */
const MIGRATION_LOCK = 720_200_001;

/**
 * How long a pooled connection may stay idle before it is closed (node-pg's default is 10 s): a
 * reconnect costs a TCP and authentication handshake and the session's prepared statements
 * (api/database/prepared.ts) are parsed and planned again, so between bursts of commands the pool
 * keeps its connections rather than churning them.
 */
const IDLE_CONNECTION_MS = 300_000;

/** The application_name of the read pool's sessions (pg_stat_activity on the replica shows them). */
export const READ_APPLICATION_NAME = 'itsm-orchestrator-read';

/**
 * The database connection of one server process, plus the embedded server when it owns one.
 * `dataSource` is the primary: every command and every query not listed below. `readSource` is
 * DATABASE_READ_URL (a streaming replica) when set, else the primary itself: only read-only
 * queries that may lag behind the primary by the replica's replay lag use it (an instance's
 * history, its replay and verification, the KPIs); nothing that decides a command reads from it.
 */
export class Database {
  /** Until when (epoch ms) lagging reads skip the replica after it failed. */
  private replicaDownUntil = 0;
  private replicaStarting: Promise<unknown> | null = null;

  private constructor(
    readonly dataSource: DataSource,
    private readonly embedded: EmbeddedPostgres | null,
    readonly readSource: DataSource = dataSource,
    /** The primary is PGlite (embedded here, or another process's over the wire protocol): one session for every connection. */
    readonly pglite = false,
  ) {}

  /** True when reads that may lag go to a replica (DATABASE_READ_URL). */
  get hasReplica(): boolean {
    return this.readSource !== this.dataSource;
  }

  /**
   * One statement on the primary's pool, outside any transaction (autocommit), answering its rows
   * as `dataSource.query` answers a SELECT; errors are TypeORM's QueryFailedError, as there. For
   * the reads of every request (lists, one instance or record, the caller's check): see
   * {@link poolQuery} for why they do not go through `dataSource.query`.
   */
  query<T = any>(text: string, params?: unknown[]): Promise<T[]> { // eslint-disable-line @typescript-eslint/no-explicit-any -- rows as pg returns them, like DataSource.query
    return poolQuery<T>(this.dataSource, text, params);
  }

  /**
   * A read that may lag behind the primary (history, replay, verification, KPIs): on the replica;
   * on the primary when the replica cannot answer (down, restarting, in conflict with recovery),
   * which is then left alone for {@link REPLICA_RETRY_MS} and logged. A SQL error that the
   * primary would answer the same way is not retried there.
   */
  async lagging<T = any>(text: string, params?: unknown[]): Promise<T[]> { // eslint-disable-line @typescript-eslint/no-explicit-any -- rows as pg returns them, like DataSource.query
    if (!this.hasReplica || Date.now() < this.replicaDownUntil) return poolQuery<T>(this.dataSource, text, params);
    try {
      if (!this.readSource.isInitialized) await (this.replicaStarting ??= this.readSource.initialize().finally(() => (this.replicaStarting = null)));
      return await poolQuery<T>(this.readSource, text, params);
    } catch (error) {
      if (!replicaUnavailable(error)) throw error;
      this.replicaDownUntil = Date.now() + REPLICA_RETRY_MS;
      logger.warn({ msg: 'the read replica (DATABASE_READ_URL) did not answer; reading from the primary', error: error instanceof Error ? error.message : String(error), retryInMs: REPLICA_RETRY_MS });
      return poolQuery<T>(this.dataSource, text, params);
    }
  }

  /**
   * Connects to `databaseUrl`, or starts embedded PGlite in `dataDir` when there is none, and
   * brings the schema up to date with the migrations (never `synchronize`).
   */
  static async open(options: { databaseUrl: string | null; dataDir: string; poolSize?: number; migrate?: boolean; statementCounterDir?: string | null; readUrl?: string | null }): Promise<Database> {
    const embedded = options.databaseUrl ? null : await EmbeddedPostgres.start(options.dataDir);
    const dataSource = new DataSource({
      type: 'postgres',
      url: options.databaseUrl ?? embedded!.url,
      migrations,
      migrationsTableName: 'schema_migration',
      synchronize: false,
      migrationsRun: false,
      logging: false,
      ...(options.statementCounterDir ? { logger: statementCounter(options.statementCounterDir) } : {}),
      extra: { max: options.poolSize ?? 10, idleTimeoutMillis: IDLE_CONNECTION_MS },
    });
    // A replica only for an external primary: the embedded PGlite has none.
    const readSource = options.readUrl && options.databaseUrl ? readDataSource(options.readUrl, options.poolSize ?? 10) : null;
    let pglite = false;
    try {
      await dataSource.initialize();
      if (options.migrate !== false) await runMigrations(dataSource);
      // A replica that is down at start does not keep the server from serving: reads fall back (lagging()).
      await readSource?.initialize().catch((error: unknown) => logger.warn({ msg: 'the read replica (DATABASE_READ_URL) is not reachable at start; reading from the primary until it is', error: error instanceof Error ? error.message : String(error) }));
      // PGlite answers version() with "PostgreSQL 18.x (PGlite 0.x) on wasm32-unknown-emscripten ..."
      const [{ version }] = (await dataSource.query('SELECT version() AS version')) as { version: string }[];
      pglite = /\bPGlite\b/.test(version);
    } catch (error) {
      if (readSource?.isInitialized) await readSource.destroy();
      if (dataSource.isInitialized) await dataSource.destroy();
      await embedded?.stop();
      throw error;
    }
    return new Database(dataSource, embedded, readSource ?? dataSource, pglite);
  }

  async close(): Promise<void> {
    if (this.readSource !== this.dataSource && this.readSource.isInitialized) await this.readSource.destroy();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    await this.embedded?.stop();
  }
}

const logger = new Logger('database');

/** What {@link poolQuery} uses of node-pg's pool (TypeORM's `driver.master`). */
interface PgPool {
  query(text: string, values: unknown[], callback: (error: Error | null, result: { rows: unknown[] }) => void): void;
}

/**
 * One statement through node-pg's pool in callback form (`pool.query`), not TypeORM's
 * `DataSource.query`: that one runs node-pg's promise form of `client.query`, whose settled
 * queries are still referenced from older objects when the young generation is collected, so
 * every request's rows and answer survived two scavenges and were promoted to the old generation
 * (measured on the task list: 2.3 MB promoted per scavenge, 99 % of what the previous one kept;
 * a loop of DataSource.query 1.7 MB and 13-18 ms per scavenge, the same loop through pool.query
 * 0.01-0.08 MB and 2-3 ms). Those pauses, and the full collections the promoted garbage brings
 * every few seconds, made the slowest requests of the read side (test/bench/READS.md). Counted
 * by the TypeORM logger like every statement (the bench's statement counter).
 */
function poolQuery<T>(source: DataSource, text: string, params?: unknown[]): Promise<T[]> {
  const pool = (source.driver as unknown as { master?: PgPool }).master;
  if (!pool) return source.query(text, params);
  source.logger.logQuery(text, params);
  return new Promise<T[]>((resolve, reject) =>
    pool.query(text, params ?? [], (error, result) => {
      if (error) {
        source.logger.logQueryError(error, text, params);
        reject(new QueryFailedError(text, params, error));
      } else resolve(result.rows as T[]);
    }),
  );
}
/** How long lagging reads stay on the primary after the replica failed, ms. */
export const REPLICA_RETRY_MS = 5000;

/**
 * True for failures of the replica itself rather than of the statement: connection errors
 * (no SQLSTATE, or class 08), the server shutting down or starting (57), out of resources (53),
 * and a standby cancelling the query for a conflict with recovery (40001).
 */
function replicaUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code) || code.startsWith('E')) return true;
  return /^(08|57|53)/.test(code) || code === '40001';
}

/** The pool of DATABASE_READ_URL: no migrations (a hot standby refuses writes), its own application_name. */
function readDataSource(url: string, poolSize: number): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    synchronize: false,
    migrationsRun: false,
    logging: false,
    applicationName: READ_APPLICATION_NAME,
    extra: { max: poolSize, idleTimeoutMillis: IDLE_CONNECTION_MS },
  });
}

/** Runs pending migrations under an advisory lock, so several processes may start at once. */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
}
