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
  (selected.length ? describe : describe.skip)(title, () => {
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
      await Promise.race([t?.close(), new Promise((r) => setTimeout(r, 10_000).unref())]);
      await db?.drop();
    }, 30_000);

    for (const c of selected) it(c.name, () => driver.run(c));
  });
}
