import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../api/config/config';
import { testAuthConfig } from '../support/auth';
import { bpmn } from '../support/bpmn';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { createTestApp, type ApiTestApp } from '../support/test-app';
import { ReferenceProcessSeeder } from '../../api/seed/reference-process-seeder';

const catalogue = JSON.parse(readFileSync(join(__dirname, '../../processes/catalogue.json'), 'utf8')) as {
  deployments: { folder: string; bpmn: string[]; demo?: string[] }[];
  groups: { name: string }[];
};
const catalogueKeys = catalogue.deployments.flatMap((d) => d.bpmn.map((f) => f.replace(/\.bpmn$/, '')));
const demoUsers = testAuthConfig({ seedDemoUsers: true });
const DEFAULT_COORDINATION = { leaseMs: 60_000, pollMs: 100, maxWaitMs: 60_000 };

describe('first start: reference flows and demo data', () => {
  let db: TestDatabase;
  let t: ApiTestApp | undefined;

  beforeEach(async () => {
    db = await createTestDatabase();
  });

  afterEach(async () => {
    await t?.close();
    t = undefined;
    await db.drop();
  });

  const definitions = async (app: ApiTestApp) =>
    (await app.sql.query(`SELECT key, version, warnings, deployed_by FROM process_definition ORDER BY key, version`)) as { key: string; version: number; warnings: unknown[]; deployed_by: string }[];

  it('deploys every catalogue flow as version 1 without warnings, creates the groups, and a restart deploys nothing again', async () => {
    // given an empty database
    t = await createTestApp(db, { config: { seedProcesses: true, demoData: false } });

    // then every catalogue key is there once, version 1, without warnings
    const rows = await definitions(t);
    expect(rows.map((r) => r.key).sort()).toEqual([...catalogueKeys].sort());
    for (const r of rows) expect({ key: r.key, version: r.version, warnings: r.warnings }).toEqual({ key: r.key, version: 1, warnings: [] });
    // with their forms and decision tables
    const forms = await t.sql.query(`SELECT DISTINCT form_id FROM form_definition`);
    expect(forms.length).toBeGreaterThan(10);
    const decisions = (await t.sql.query(`SELECT key, version FROM decision_definition ORDER BY key`)) as { key: string; version: number }[];
    expect(decisions.map((d) => d.key)).toEqual(expect.arrayContaining(['incident-priority', 'change-authority']));
    for (const d of decisions) expect(d.version).toBe(1);
    // the groups the lanes need, with descriptions
    const groups = (await t.as('admin').get('/api/groups').expect(200)).body;
    const list = (Array.isArray(groups) ? groups : groups.items) as { name: string; description: string | null }[];
    for (const g of catalogue.groups) expect(list.find((x) => x.name === g.name)?.description).toEqual(expect.any(String));
    // every candidate group a deployed flow names exists
    const candidates = new Set<string>();
    for (const d of catalogue.deployments) {
      for (const f of d.bpmn) {
        const xml = readFileSync(join(__dirname, '../../processes', d.folder, f), 'utf8');
        for (const m of xml.matchAll(/candidateGroups="([^"$]+)"/g)) for (const g of m[1].split(',')) candidates.add(g.trim());
      }
    }
    for (const g of candidates) expect(list.map((x) => x.name)).toContain(g);
    // no demo data
    expect(await t.sql.query(`SELECT 1 FROM process_instance`)).toHaveLength(0);

    // when the server restarts on the same database
    await t.close();
    t = await createTestApp(db, { config: { seedProcesses: true, demoData: false } });

    // then nothing is deployed again
    expect(await definitions(t)).toEqual(rows);
  });

  const marker = async (app: ApiTestApp) => {
    const [row] = (await app.sql.query(`SELECT value FROM app_setting WHERE key = 'seed.reference-processes'`)) as { value: string }[];
    return row ? (JSON.parse(row.value) as { state: string; owner?: string; phase?: string }) : null;
  };
  const expectFullSeed = async (app: ApiTestApp) => {
    const rows = await definitions(app);
    expect(rows.map((r) => r.key).sort()).toEqual([...catalogueKeys].sort()); // each key once
    for (const r of rows) expect({ key: r.key, version: r.version, warnings: r.warnings }).toEqual({ key: r.key, version: 1, warnings: [] });
    const groups = (await app.sql.query(`SELECT name FROM app_group`)) as { name: string }[];
    for (const g of catalogue.groups) expect(groups.map((x) => x.name)).toContain(g.name);
  };

  it('two seeders racing on one database: one deploys, the other waits until the seed is done, every key is version 1 once', async () => {
    // given two server processes on one empty database (each with its own connection pool)
    t = await createTestApp(db, { config: { seedProcesses: false } });
    const other = await createTestApp(db, { config: { seedProcesses: false } });
    try {
      const fast = { leaseMs: 60_000, pollMs: 50, maxWaitMs: 120_000 };
      const done: string[] = [];
      // when both seed at the same time
      const race = [t, other].map(async (app, i) => {
        const result = await app.app.get(ReferenceProcessSeeder).seed(fast);
        // a waiter answers only once the seed is complete
        expect((await definitions(app)).length).toBe(catalogueKeys.length);
        done.push(`${i}:${result}`);
        return result;
      });
      const results = await Promise.all(race);
      // then exactly one seeded, the other skipped after waiting
      expect(results.sort()).toEqual(['seeded', 'skipped']);
      await expectFullSeed(t);
      expect(await marker(t)).toMatchObject({ state: 'done' });
      const deploys = (await t.sql.query(`SELECT count(*)::int AS n FROM process_definition WHERE deployed_by = 'system:seed'`))[0].n;
      expect(deploys).toBe(catalogueKeys.length);
    } finally {
      await other.close();
    }
  }, 180_000);

  it('a seed that fails half-way leaves no "done" marker; the next start resumes it and completes every key as version 1', async () => {
    t = await createTestApp(db, { config: { seedProcesses: false } });
    // when the seed dies after the third deployment
    const crash = t.app.get(ReferenceProcessSeeder).seed({ ...DEFAULT_COORDINATION, afterDeploy: (i) => {
      if (i === 2) throw new Error('simulated crash');
    } });
    await expect(crash).rejects.toThrow('simulated crash');
    // then three flows are there, the marker still says running (not done), its claim given back
    expect((await definitions(t)).length).toBe(3);
    expect(await marker(t)).toMatchObject({ state: 'running', phase: 'flows' });
    await t.close();

    // when the server starts again with SEED_PROCESSES (the database is no longer empty)
    t = await createTestApp(db, { config: { seedProcesses: true, demoData: false } });

    // then the seed was resumed and completed: every key version 1, the first three not deployed twice
    await expectFullSeed(t);
    expect(await marker(t)).toMatchObject({ state: 'done' });
  }, 180_000);

  it('a seed whose process died (claim not refreshed) is taken over once its lease expired; a live claim is waited for', async () => {
    t = await createTestApp(db, { config: { seedProcesses: false } });
    // given a claim by a process that died right after claiming (its row is not refreshed any more)
    await t.sql.query(`INSERT INTO app_setting (key, value, updated_at) VALUES ('seed.reference-processes', $1, now())`, [JSON.stringify({ state: 'running', owner: 'dead-process', phase: 'flows' })]);
    const started = Date.now();
    // when another process starts seeding with a 1.5 s lease
    const result = await t.app.get(ReferenceProcessSeeder).seed({ leaseMs: 1500, pollMs: 100, maxWaitMs: 60_000 });
    // then it waited for the lease, took over and completed the seed
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(result).toBe('seeded');
    await expectFullSeed(t);
    expect(await marker(t)).toMatchObject({ state: 'done' });
  }, 180_000);

  it('does not deploy on a database that already holds definitions, nor when SEED_PROCESSES is false', async () => {
    // given a server without seeding, where an administrator deployed a flow
    t = await createTestApp(db, { config: { seedProcesses: false } });
    expect(await definitions(t)).toEqual([]);
    await t.as('admin').post('/api/definitions').attach('file', Buffer.from(bpmn('own_flow', '<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="e"/><bpmn:endEvent id="e"/>')), 'own.bpmn').expect(201);
    await t.close();

    // when it restarts with SEED_PROCESSES
    t = await createTestApp(db, { config: { seedProcesses: true } });

    // then the existing installation is left alone
    expect((await definitions(t)).map((d) => d.key)).toEqual(['own_flow']);
  });

  it('creates a small demo data set through the real commands: records, KPIs and open tasks for a demo user', async () => {
    // given the embedded default (demo users) with a small demo data set
    const started = Date.now();
    t = await createTestApp(db, { config: { seedProcesses: true, demoData: true, demoRecords: Number(process.env.DEMO_RECORDS_TEST ?? 16), auth: demoUsers }, users: [{ username: 'admin', roles: ['admin'] }] });
    const took = Date.now() - started;
    const staff = await t.user({ username: 'staff', roles: ['staff'] });

    // then records exist over the last 60 days, in several states
    const records = (await t.as('admin').get('/api/records?size=100').expect(200)).body as { items: { number: string; state: string; openedAt?: string }[] };
    expect(records.items.length).toBeGreaterThanOrEqual(12);
    const opened = (await t.sql.query(`SELECT min(opened_at) AS first, max(opened_at) AS last, count(DISTINCT state) AS states FROM record`))[0];
    expect(Date.now() - new Date(opened.first).getTime()).toBeGreaterThan(30 * 24 * 3600_000);
    expect(new Date(opened.last).getTime()).toBeLessThanOrEqual(Date.now());
    expect(Number(opened.states)).toBeGreaterThan(1);
    // the KPIs have content
    const kpis = (await t.as('admin').get('/api/kpis').expect(200)).body;
    expect(JSON.stringify(kpis)).toMatch(/[1-9]/);
    // the demo user has something in the task list
    const tasks = (await staff.get('/api/tasks').expect(200)).body;
    expect((Array.isArray(tasks) ? tasks : tasks.items).length).toBeGreaterThan(0);
    // and the demo users are in the lanes' groups
    const [member] = await t.sql.query(`SELECT count(*)::int AS n FROM group_member m JOIN app_user u ON u.id = m.user_id WHERE u.username = 'staff'`);
    expect(member.n).toBeGreaterThan(3);
    expect(took).toBeLessThan(60_000);
  }, 120_000);

  it('DEMO_DATA=false creates no demo data', async () => {
    t = await createTestApp(db, { config: { seedProcesses: true, demoData: false, demoRecords: 16, auth: demoUsers }, users: [{ username: 'admin', roles: ['admin'] }] });
    expect(await t.sql.query(`SELECT 1 FROM process_instance`)).toHaveLength(0);
    expect((await definitions(t)).length).toBe(catalogueKeys.length);
  });

  it('production mode creates no demo data', async () => {
    t = await createTestApp(db, { config: { production: true, seedProcesses: true, demoData: true, demoRecords: 16, auth: testAuthConfig({ seedDemoUsers: false }) }, users: [{ username: 'admin', roles: ['admin'] }] });
    expect(await t.sql.query(`SELECT 1 FROM process_instance`)).toHaveLength(0);
    expect((await definitions(t)).length).toBe(catalogueKeys.length);
  });
});

describe('first start configuration (environment)', () => {
  it('seeds the flows by default and demo data only on the embedded default, never in production', () => {
    expect(loadConfig({})).toMatchObject({ seedProcesses: true, demoData: true, demoRecords: 200 });
    expect(loadConfig({ SEED_PROCESSES: 'false' })).toMatchObject({ seedProcesses: false, demoData: false });
    expect(loadConfig({ DEMO_DATA: 'false' })).toMatchObject({ seedProcesses: true, demoData: false });
    expect(loadConfig({ DATABASE_URL: 'postgres://db/app' })).toMatchObject({ seedProcesses: true, demoData: false });
    expect(loadConfig({ DATABASE_URL: 'postgres://db/app', DEMO_DATA: 'true', DEMO_RECORDS: '40' })).toMatchObject({ demoData: true, demoRecords: 40 });
    expect(loadConfig({ NODE_ENV: 'production' })).toMatchObject({ seedProcesses: true, demoData: false });
    expect(() => loadConfig({ NODE_ENV: 'production', DEMO_DATA: 'true' })).toThrow(/DEMO_DATA: demo data is never created in production/);
    expect(() => loadConfig({ SEED_PROCESSES: 'yes' })).toThrow(/SEED_PROCESSES/);
  });
});
