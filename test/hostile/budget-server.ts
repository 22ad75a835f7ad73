/**
 * The server of the hostile budget suite, in a process of its own (an attack that got through
 * would take the process down, not the test runner): the whole application on the database given
 * as argv[2], with the default execution budget, the timer poller on, and one extra service
 * handler `${echo}` that answers at once (the endless service-task loop). Prints "listening <port>".
 * Run with `node --max-semi-space-size=8 -r ./test/support/ts-register.cjs test/hostile/budget-server.ts <databaseUrl>`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../api/app';
import { applyHeapGrowth, DEFAULT_HEAP_GROWTH_PERCENT } from '../../api/config/v8-memory';
import type { ServiceHandler } from '../../engine';
import { testAuthConfig } from '../support/auth';
import { testConfig } from '../support/test-app';

const echo: ServiceHandler = { name: 'echo', description: 'answers its inputs at once', run: ({ inputs }) => Promise.resolve({ ...inputs }) };

async function main(): Promise<void> {
  const databaseUrl = process.argv[2];
  if (!databaseUrl) throw new Error('usage: budget-server.ts <databaseUrl>');
  // V8's memory settings of a production server process (api/main.ts; the suite passes --max-semi-space-size)
  applyHeapGrowth(DEFAULT_HEAP_GROWTH_PERCENT);
  const config = testConfig(
    { databaseUrl, dataDir: mkdtempSync(join(tmpdir(), 'itsm-budget-')), kind: 'postgresql', drop: async () => undefined },
    { logLevel: process.env.LOG_LEVEL ?? 'warn', timerPollMs: 250, auth: testAuthConfig({ initialAdmin: { username: 'admin', password: 'hostile-admin-pw' } }) },
  );
  const app = await createApp(config, { handlers: [echo] });
  await app.listen(0, '127.0.0.1');
  process.stdout.write(`listening ${(app.getHttpServer().address() as { port: number }).port}\n`);
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
