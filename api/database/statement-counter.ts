import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'typeorm';

/**
 * Benchmark diagnostics (config STATEMENT_COUNTER_DIR, off by default): a TypeORM logger that
 * counts every statement this process sends (TypeORM calls `logQuery` for each one, BEGIN and
 * COMMIT included) and writes the running total to `<dir>/<pid>` every 100 ms (atomically), so
 * `npm run bench` can read statements per command on PostgreSQL and PGlite alike without
 * pg_stat_statements. Logs nothing.
 */
export function statementCounter(dir: string): Logger {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, String(process.pid));
  let count = 0;
  let written = -1;
  const flush = () => {
    if (count === written) return;
    written = count;
    // write then rename: a reader never sees a half-written file
    writeFileSync(`${file}.tmp`, String(count));
    renameSync(`${file}.tmp`, file);
  };
  flush();
  setInterval(flush, 100).unref();
  const none = () => undefined;
  return {
    logQuery: () => {
      count++;
    },
    logQueryError: none,
    logQuerySlow: none,
    logSchemaBuild: none,
    logMigration: none,
    log: none,
  };
}
