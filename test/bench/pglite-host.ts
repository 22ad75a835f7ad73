/**
 * Embedded PGlite for `npm run bench` in a process of its own, so its CPU time is measured apart
 * from the bench's clients (it plays the part PostgreSQL's backends play on a server). Sends
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
