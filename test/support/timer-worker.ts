/**
 * A separate server process for multi-process tests: the whole application (poller included)
 * on the database given as argv[2], until SIGTERM. Prints "ready" once it polls.
 * Run with `node -r ./test/support/ts-register.cjs test/support/timer-worker.ts <databaseUrl>`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../api/app';
import { defaultHistoryConfig } from '../../api/config/config';
import { testConfig } from './test-app';

async function main(): Promise<void> {
  const databaseUrl = process.argv[2];
  if (!databaseUrl) throw new Error('usage: timer-worker.ts <databaseUrl>');
  const dataDir = mkdtempSync(join(tmpdir(), 'itsm-worker-'));
  const config = testConfig({ databaseUrl, dataDir, kind: 'postgresql', drop: async () => undefined }, {
    timerPollMs: Number(process.env.POLL_MS ?? 20),
    // Every process on one database seals history with the same key (HISTORY_KEY from the test).
    history: { ...defaultHistoryConfig({ dataDir }), key: process.env.HISTORY_KEY ?? null },
  });
  const app = await createApp(config);
  await app.init();
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => {
    void app.close().then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
