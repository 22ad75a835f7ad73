import type { Server } from 'node:http';
import { SchedulerRegistry } from '@nestjs/schedule';
import { ManualClock, type ServiceHandler } from '../../engine';
import { createTestApp, type ApiTestApp } from '../support/test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { ConformanceDriver, selectCases, type ConformanceCase } from './harness';

/**
 * One jest file = one app and one database; one `it` per case (see harness.ts). The timer poller
 * runs (every 50 ms) so deliveries the server makes after a command commits (the message outbox,
 * signal broadcasts) happen as in production; `advance` steps still fire due timers explicitly.
 */
export function conformanceSuite(title: string, cases: ConformanceCase[], handlers: ServiceHandler[] = []): void {
  const selected = selectCases(cases);
  // CONFORMANCE_ONLY naming none of this file's cases leaves it empty: run the file that holds them.
  if (!selected.length) return;
  describe(title, () => {
    let db: TestDatabase;
    let t: ApiTestApp;
    let driver: ConformanceDriver;
    const clock = new ManualClock();

    beforeAll(async () => {
      db = await createTestDatabase();
      t = await createTestApp(db, { clock, handlers, config: { timerPollMs: 50 } });
      driver = new ConformanceDriver(t, clock);
    });
    afterAll(async () => {
      // A case that hung the server (a bug it reports) must not also hang the file: give the app
      // 10 s to close, then drop the database anyway (WITH (FORCE) ends its connections).
      const closed = await Promise.race([t?.close().then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 10_000).unref())]);
      if (!closed) {
        // the app is stuck in the hung command: stop its poller so the jest process can exit
        const scheduler = t.app.get(SchedulerRegistry);
        for (const name of scheduler.getIntervals()) scheduler.deleteInterval(name);
        // ... and drop the HTTP request that never got its answer (supertest's ephemeral listener)
        const server = t.app.getHttpServer() as Server;
        server.closeAllConnections();
        server.close();
      }
      await db?.drop();
    }, 30_000);

    // A known deviation runs to its expectation and must fail (harness.ts `knownDeviation`).
    for (const c of selected) (c.knownDeviation ? it.failing : it)(c.knownDeviation ? `${c.name} [known deviation: ${c.knownDeviation}]` : c.name, () => driver.run(c));
  });
}
