/**
 * The whole application listening on a free port in a process of its own, logging at the level in
 * LOG_LEVEL (default trace) to stdout, on the database given as argv[2]; the first administrator
 * comes from ADMIN_USERNAME / ADMIN_PASSWORD; every process of one database seals history with
 * HISTORY_KEY when the test sets it. Prints "listening <port>" once it serves, and stops on
 * SIGTERM. For tests that read the server's logs or run several server processes.
 * Run with `node -r ./test/support/ts-register.cjs test/support/http-server.ts <databaseUrl>`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../api/app';
import { defaultHistoryConfig } from '../../api/config/config';
import { testAuthConfig } from './auth';
import { testConfig } from './test-app';

async function main(): Promise<void> {
  const databaseUrl = process.argv[2];
  if (!databaseUrl) throw new Error('usage: http-server.ts <databaseUrl>');
  const dataDir = mkdtempSync(join(tmpdir(), 'itsm-http-'));
  const admin = process.env.ADMIN_USERNAME && process.env.ADMIN_PASSWORD ? { username: process.env.ADMIN_USERNAME, password: process.env.ADMIN_PASSWORD } : null;
  const config = testConfig(
    { databaseUrl, dataDir, kind: 'postgresql', drop: async () => undefined },
    {
      logLevel: process.env.LOG_LEVEL ?? 'trace',
      auth: testAuthConfig({ initialAdmin: admin, accessTokenTtlSeconds: 3600 }),
      ...(process.env.HISTORY_KEY ? { history: { ...defaultHistoryConfig({ dataDir }), key: process.env.HISTORY_KEY } } : {}),
    },
  );
  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  process.stdout.write(`listening ${address.port}\n`);
  process.once('SIGTERM', () => {
    void app.close().then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
