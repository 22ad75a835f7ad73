import { DataSource } from 'typeorm';
import { EmbeddedPostgres } from './embedded-postgres';
import { migrations } from './migrations';
import { statementCounter } from './statement-counter';

/** Arbitrary constant: the advisory lock that serialises migrations across server processes. */
const MIGRATION_LOCK = 720_200_001;

/** The database connection of one server process, plus the embedded server when it owns one. */
export class Database {
  private constructor(
    readonly dataSource: DataSource,
    private readonly embedded: EmbeddedPostgres | null,
  ) {}

  /**
   * Connects to `databaseUrl`, or starts embedded PGlite in `dataDir` when there is none, and
   * brings the schema up to date with the migrations (never `synchronize`).
   */
  static async open(options: { databaseUrl: string | null; dataDir: string; poolSize?: number; migrate?: boolean; statementCounterDir?: string | null }): Promise<Database> {
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
    try {
      await dataSource.initialize();
      if (options.migrate !== false) await runMigrations(dataSource);
    } catch (error) {
      if (dataSource.isInitialized) await dataSource.destroy();
      await embedded?.stop();
      throw error;
    }
    return new Database(dataSource, embedded);
  }

  async close(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    await this.embedded?.stop();
  }
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
