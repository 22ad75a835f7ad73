/**
 * Embedded PGlite for `npm run bench` in a process of its own, so its CPU time is measured apart
 * from the bench's clients (it plays the part PostgreSQL's backends play on a server). The
 * arrangement is that of `WORKERS=2 npm start` without DATABASE_URL: the primary hosts PGlite
 * (EmbeddedPostgres, the same protocol server) and does little else, the workers connect to it
 * over loopback. Plain `npm start` (WORKERS=1) runs PGlite, HTTP and the engine on one thread of
 * one process, which this arrangement does not measure (PGlite gets a core of its own here). Sends
 * `{ url }` over IPC once listening; stops on SIGTERM or when the IPC channel closes.
 * Usage: fork(dist/test/bench/pglite-host.js, [dataDir]).
 */
import { EmbeddedPostgres } from '../../api/database/embedded-postgres';

async function main(): Promise<void> {
  const dataDir = process.argv[2];
  if (!dataDir) throw new Error('usage: pglite-host.js <dataDir>');
  const embedded = await EmbeddedPostgres.start(dataDir);
  const stop = () => {
    void embedded.stop().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
  process.send?.({ url: embedded.url });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
