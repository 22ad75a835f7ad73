// Embedded PGlite served over the PostgreSQL wire protocol, in its own process, for the test
// suites (jest's module sandbox cannot host PGlite's dynamic imports). Prints the URL, then serves
// until stdin closes or it gets SIGTERM. Usage: node pglite-server.cjs <dataDir>
require('./ts-register.cjs');
const { PGlite } = require('@electric-sql/pglite');
// the server's own protocol server (the same as `npm start` uses): batches and transactions stay together
const { PgliteProtocolServer } = require('../../api/database/pglite-queue.ts');

async function main() {
  const dataDir = process.argv[2];
  if (!dataDir) throw new Error('usage: pglite-server.cjs <dataDir>');
  const db = await PGlite.create(dataDir);
  const server = new PgliteProtocolServer(db, { maxConnections: 64 });
  const port = await server.listen('127.0.0.1', 0);
  const stop = async () => {
    await server.close().catch(() => undefined);
    await db.close().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.stdin.on('end', stop);
  process.stdin.resume();
  process.stdout.write(`postgres://postgres:postgres@127.0.0.1:${port}/postgres\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
