// Embedded PGlite served over the PostgreSQL wire protocol, in its own process, for the test
// suites (jest's module sandbox cannot host PGlite's dynamic imports). Prints the URL, then serves
// until stdin closes or it gets SIGTERM. Usage: node pglite-server.cjs <dataDir>
require('./ts-register.cjs');
const { PGlite } = require('@electric-sql/pglite');
const { PGLiteSocketServer } = require('@electric-sql/pglite-socket');
// the server's own protocol queue (the same as `npm start` uses): batches and transactions stay together
const { withProtocolQueue } = require('../../api/database/pglite-queue.ts');

async function main() {
  const dataDir = process.argv[2];
  if (!dataDir) throw new Error('usage: pglite-server.cjs <dataDir>');
  const db = await PGlite.create(dataDir);
  const server = withProtocolQueue(new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 64 }), db);
  await server.start();
  const stop = async () => {
    await server.stop().catch(() => undefined);
    await db.close().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.stdin.on('end', stop);
  process.stdin.resume();
  process.stdout.write(`postgres://postgres:postgres@127.0.0.1:${server.port}/postgres\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
