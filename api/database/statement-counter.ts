import { mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'typeorm';

/**
 * Benchmark diagnostics (config STATEMENT_COUNTER_DIR, off by default): a TypeORM logger that
 * counts every statement this process sends (TypeORM calls `logQuery` for each one, BEGIN and
 * COMMIT included) and writes the running total to `<dir>/<pid>` every 100 ms, so `npm run bench`
 * can read statements per command on PostgreSQL and PGlite alike without pg_stat_statements. Logs
 * nothing. The total is written in place, padded to a fixed width (one small pwrite: a
 * write-and-rename cost a few hundred microseconds of system CPU each time under load, counted in
 * the bench's server CPU); a reader reads until two reads agree.
 */
export function statementCounter(dir: string): Logger {
  mkdirSync(dir, { recursive: true });
  const fd = openSync(join(dir, String(process.pid)), 'w');
  let count = 0;
  let written = -1;
  const flush = () => {
    if (count === written) return;
    written = count;
    writeSync(fd, String(count).padStart(20), 0);
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
