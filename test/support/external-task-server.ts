/**
 * A separate server process serving HTTP for multi-process tests: the whole application on the
 * database given as argv[2], listening on a free port, until SIGTERM. Prints "listening <port>".
 * Every process of one database seals history with HISTORY_KEY (from the test).
 * Run with `node -r ./test/support/ts-register.cjs test/support/external-task-server.ts <databaseUrl>`.
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
  if (!databaseUrl) throw new Error('usage: external-task-server.ts <databaseUrl>');
  const dataDir = mkdtempSync(join(tmpdir(), 'itsm-ext-server-'));
  const config = testConfig({ databaseUrl, dataDir, kind: 'postgresql', drop: async () => undefined }, {
    history: { ...defaultHistoryConfig({ dataDir }), key: process.env.HISTORY_KEY ?? null },
    auth: testAuthConfig({ accessTokenTtlSeconds: 3600 }),
  });
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
