import { DataSource } from 'typeorm';
import { EmbeddedPostgres } from './embedded-postgres';
import { migrations } from './migrations';
import { statementCounter } from './statement-counter';

/** Arbitrary constant: the advisory lock that serialises migrations across server processes. */
const MIGRATION_LOCK = 720_200_001;

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
  private constructor(
    readonly dataSource: DataSource,
    private readonly embedded: EmbeddedPostgres | null,
    readonly readSource: DataSource = dataSource,
    /** The primary is PGlite (embedded here, or another process's over the wire protocol): one session for every connection. */
    readonly pglite = false,
  ) {}

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
      extra: { max: options.poolSize ?? 10 },
    });
    // A replica only for an external primary: the embedded PGlite has none.
    const readSource = options.readUrl && options.databaseUrl ? readDataSource(options.readUrl, options.poolSize ?? 10) : null;
    let pglite = false;
    try {
      await dataSource.initialize();
      if (options.migrate !== false) await runMigrations(dataSource);
      await readSource?.initialize();
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

/** The pool of DATABASE_READ_URL: no migrations (a hot standby refuses writes), its own application_name. */
function readDataSource(url: string, poolSize: number): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    synchronize: false,
    migrationsRun: false,
    logging: false,
    applicationName: READ_APPLICATION_NAME,
    extra: { max: poolSize },
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
