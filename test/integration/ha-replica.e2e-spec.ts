import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { AuthService } from '../../api/auth';
import { loadConfig } from '../../api/config/config';
import { Database, READ_APPLICATION_NAME } from '../../api/database/database';
import { UsersService } from '../../api/users/users.service';
import { linearTasks } from '../support/bpmn';
import { freePort, startMainProcess, type ServerProcess } from '../support/server-process';
import { createTestApp, type ApiTestApp } from '../support/test-app';

const run = promisify(execFile);

/** The binaries of Debian's postgresql packages (PG_BIN overrides): the newest version installed. */
function postgresBin(): string | null {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

const BIN = postgresBin();
/** PostgreSQL refuses to run as root: then the clusters belong to the postgres OS user. */
const AS_ROOT = process.getuid?.() === 0;

/** Runs a PostgreSQL binary (as the postgres OS user when this process is root). */
async function pg(binary: string, args: string[]): Promise<string> {
  const file = join(BIN!, binary);
  const { stdout } = AS_ROOT ? await run('runuser', ['-u', 'postgres', '--', file, ...args], { cwd: '/' }) : await run(file, args);
  return stdout;
}

async function sql<T = Record<string, unknown>>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const describeWithBinaries = BIN ? describe : describe.skip;

describe('DATABASE_READ_URL', () => {
  const primary = 'postgres://app@db-primary:5432/itsm';
  it('is read beside DATABASE_URL; without it the reads go to the primary', () => {
    expect(loadConfig({ DATABASE_URL: primary, DATABASE_READ_URL: 'postgres://app@db-replica:5432/itsm' }).databaseReadUrl).toBe('postgres://app@db-replica:5432/itsm');
    expect(loadConfig({ DATABASE_URL: primary }).databaseReadUrl).toBeNull();
    expect(loadConfig({ DATABASE_URL: primary, DATABASE_READ_URL: '' }).databaseReadUrl).toBeNull();
  });

  it('refuses a value that is no PostgreSQL URL, or a replica without a primary, naming the variable', () => {
    expect(() => loadConfig({ DATABASE_URL: primary, DATABASE_READ_URL: 'mysql://db-replica/itsm' })).toThrow(/DATABASE_READ_URL: must be a postgres:\/\/ or postgresql:\/\/ URL/);
    expect(() => loadConfig({ DATABASE_READ_URL: 'postgres://app@db-replica:5432/itsm' })).toThrow(/DATABASE_READ_URL: needs DATABASE_URL/);
  });
});

/**
 * README "Running in production": a primary and a hot standby fed by streaming replication, both
 * started here from the PostgreSQL binaries, and the server with DATABASE_URL = primary and
 * DATABASE_READ_URL = standby. Commands write on the primary; history, replay, verification and
 * KPIs are read from the standby (shown by pausing its replay: the reads lag, the commands do not).
 */
describeWithBinaries('high availability: reads from a streaming replica, writes on the primary', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  let primaryUrl = '';
  let replicaUrl = '';
  let t: ApiTestApp;
  let dataDir = '';
  let replicaDir = '';

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'itsm-ha-'));
    dataDir = dir;
    cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
    if (AS_ROOT) {
      const [uid, gid] = (await run('id', ['-u', 'postgres'])).stdout.trim().concat(' ', (await run('id', ['-g', 'postgres'])).stdout.trim()).split(' ').map(Number);
      chownSync(dir, uid!, gid!);
    }
    const primaryDir = join(dir, 'primary');
    replicaDir = join(dir, 'replica');
    const sockets = join(dir, 'sockets');
    mkdirSync(sockets);
    if (AS_ROOT) await run('chown', ['postgres:postgres', sockets]);
    const [primaryPort, replicaPort] = [await freePort(), await freePort()];
    const options = (port: number) => `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${sockets} -c wal_level=replica -c max_wal_senders=4 -c hot_standby=on -c fsync=off`;

    // initdb -A trust writes pg_hba entries for local connections and replication from 127.0.0.1.
    await pg('initdb', ['-D', primaryDir, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    await pg('pg_ctl', ['-D', primaryDir, '-l', join(dir, 'primary.log'), '-o', options(primaryPort), '-w', 'start']);
    cleanup.push(() => pg('pg_ctl', ['-D', primaryDir, '-m', 'immediate', 'stop']));
    primaryUrl = `postgres://postgres@127.0.0.1:${primaryPort}/postgres`;

    await pg('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', '-D', replicaDir, '-R', '-X', 'stream', '--no-sync']);
    await pg('pg_ctl', ['-D', replicaDir, '-l', join(dir, 'replica.log'), '-o', options(replicaPort), '-w', 'start']);
    // (the last test stops it itself)
    cleanup.push(async () => existsSync(join(replicaDir, 'postmaster.pid')) && pg('pg_ctl', ['-D', replicaDir, '-m', 'immediate', 'stop']));
    replicaUrl = `postgres://postgres@127.0.0.1:${replicaPort}/postgres`;
    await until('the standby to stream', async () => (await sql(primaryUrl, `SELECT 1 FROM pg_stat_replication WHERE state = 'streaming'`)).length === 1);

    t = await createTestApp({ databaseUrl: primaryUrl, dataDir: dir, kind: 'postgresql', drop: async () => undefined }, { config: { databaseReadUrl: replicaUrl } });
    cleanup.push(() => t.close());
  }, 90_000);

  afterAll(async () => {
    for (const step of cleanup.reverse()) await step().catch((error: unknown) => console.error('ha-replica cleanup:', error));
  }, 60_000);

  /** Waits until the standby has replayed everything the primary wrote so far; answers how long that took. */
  async function caughtUp(): Promise<number> {
    const started = Date.now();
    const [{ lsn }] = await sql<{ lsn: string }>(primaryUrl, 'SELECT pg_current_wal_lsn()::text AS lsn');
    await until('the standby to replay', async () => (await sql<{ ok: boolean }>(replicaUrl, 'SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok', [lsn]))[0]!.ok);
    return Date.now() - started;
  }

  async function historyLength(url: string, instanceId: string): Promise<number> {
    return (await sql<{ n: number }>(url, 'SELECT count(*)::int AS n FROM history_event WHERE instance_id = $1', [instanceId]))[0]!.n;
  }

  it('serves history, replay, verification and KPIs from the replica while commands commit on the primary', async () => {
    const db = t.app.get(Database);
    expect(db.readSource).not.toBe(db.dataSource);

    // Commands: on the primary.
    const deployed = await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(linearTasks('ha-flow', ['triage', 'resolve']));
    expect(deployed.status).toBe(201);
    const started = await t.as('alice').post('/api/instances').send({ definitionKey: 'ha-flow', variables: { impact: 'high' } });
    expect(started.status).toBe(201);
    const instanceId: string = started.body.instance.id;
    const lagAfterStart = await caughtUp();

    const history = await t.as('alice').get(`/api/instances/${instanceId}/history`);
    expect(history.status).toBe(200);
    expect(history.body.length).toBe(await historyLength(primaryUrl, instanceId));

    // The standby stops replaying: a command still commits (on the primary), the reads do not see it yet.
    await sql(replicaUrl, 'SELECT pg_wal_replay_pause()');
    const completed = await t.as('alice').post(`/api/tasks/${started.body.tasks[0].id}/complete`).send({ variables: { triaged: true } });
    expect(completed.status).toBe(200);
    const onPrimary = await historyLength(primaryUrl, instanceId);
    expect(onPrimary).toBeGreaterThan(history.body.length);
    const stale = await t.as('alice').get(`/api/instances/${instanceId}/history`);
    expect(stale.body.length).toBe(history.body.length);
    // An instance started within the lag is not on the replica yet: its history comes from the primary (not a 404).
    const newer = await t.as('alice').post('/api/instances').send({ definitionKey: 'ha-flow' });
    expect(newer.status).toBe(201);
    const newerHistory = await t.as('alice').get(`/api/instances/${newer.body.instance.id}/history`);
    expect(newerHistory.status).toBe(200);
    expect(newerHistory.body.length).toBe(await historyLength(primaryUrl, newer.body.instance.id));
    expect((await t.as('alice').get(`/api/instances/${newer.body.instance.id}/replay`)).status).toBe(200);
    expect((await t.as('auditor').get(`/api/instances/${newer.body.instance.id}/history/verify`)).body).toMatchObject({ valid: true });
    const staleReplay = await t.as('alice').get(`/api/instances/${instanceId}/replay`);
    expect(staleReplay.status).toBe(200);
    expect(staleReplay.body.steps.length).toBe(history.body.length);
    expect(staleReplay.body.steps.at(-1).variables?.triaged).toBeUndefined();

    // Replay resumes: the same reads now show the command.
    await sql(replicaUrl, 'SELECT pg_wal_replay_resume()');
    const lagAfterComplete = await caughtUp();
    const fresh = await t.as('alice').get(`/api/instances/${instanceId}/history`);
    expect(fresh.body.length).toBe(onPrimary);
    const replay = await t.as('alice').get(`/api/instances/${instanceId}/replay`);
    expect(replay.body).toMatchObject({ consistent: true, instance: { id: instanceId, variables: { triaged: true } } });
    const verdict = await t.as('auditor').get(`/api/instances/${instanceId}/history/verify`);
    expect(verdict.body).toMatchObject({ valid: true, checked: onPrimary });
    const all = await t.as('auditor').get('/api/history/verify');
    expect(all.body).toMatchObject({ valid: true, total: 2 });
    const kpis = await t.as('admin').get('/api/kpis');
    expect(kpis.status).toBe(200);

    // The read pool's sessions are on the standby, and only there; the standby refuses writes.
    const readers = await sql<{ query: string }>(replicaUrl, 'SELECT query FROM pg_stat_activity WHERE application_name = $1', [READ_APPLICATION_NAME]);
    expect(readers.length).toBeGreaterThan(0);
    expect(readers.some((r) => /history_event|process_instance|record/.test(r.query))).toBe(true);
    expect(await sql(primaryUrl, 'SELECT 1 FROM pg_stat_activity WHERE application_name = $1', [READ_APPLICATION_NAME])).toEqual([]);
    await expect(sql(replicaUrl, `UPDATE app_setting SET value = value`)).rejects.toThrow(/read-only transaction/);
    expect((await sql<{ r: boolean }>(replicaUrl, 'SELECT pg_is_in_recovery() AS r'))[0]!.r).toBe(true);

    // Figures for README "Running in production" (noisy: a shared machine; not asserted).
    const historySql = 'SELECT * FROM history_event WHERE instance_id = $1 ORDER BY seq';
    const timed = async (source: typeof db.dataSource): Promise<number> => {
      const rounds = 50;
      const begin = process.hrtime.bigint();
      for (let i = 0; i < rounds; i++) await source.query(historySql, [instanceId]);
      return Number(process.hrtime.bigint() - begin) / 1e6 / rounds;
    };
    await timed(db.readSource);
    const [replicaMs, primaryMs] = [await timed(db.readSource), await timed(db.dataSource)];
    const [lag] = await sql<{ replay_lag: string | null }>(primaryUrl, 'SELECT replay_lag::text FROM pg_stat_replication');
    console.log(
      `ha-replica figures: standby caught up ${lagAfterStart} ms after a start, ${lagAfterComplete} ms after resuming replay; ` +
        `pg_stat_replication.replay_lag ${lag?.replay_lag ?? 'null (idle)'}; history query ${replicaMs.toFixed(2)} ms on the replica, ${primaryMs.toFixed(2)} ms on the primary (mean of 50)`,
    );
  }, 90_000);

  /** `npm start` as a deployment runs it (api/main.ts, production), on the same primary, replica and history key. */
  async function startServer(): Promise<ServerProcess> {
    const server = await startMainProcess({ DATABASE_URL: primaryUrl, DATABASE_READ_URL: replicaUrl, DATA_DIR: dataDir });
    cleanup.push(() => server.stop());
    return server;
  }

  it('a production server process started with DATABASE_READ_URL answers history verification from the replica', async () => {
    const { base } = await startServer();
    // The access-token key is kept in the database: a token of the other process is good here too.
    const admin = await t.app.get(UsersService).findByUsername('admin');
    const headers = { authorization: `Bearer ${(await t.app.get(AuthService).issueTokens(admin!)).accessToken}`, 'content-type': 'application/json' };
    const verifyAll = async () => (await (await fetch(`${base}/api/history/verify`, { headers })).json()) as { valid: boolean; total: number };
    const before = (await verifyAll()).total;
    expect(before).toBeGreaterThan(0);

    await sql(replicaUrl, 'SELECT pg_wal_replay_pause()');
    const started = await fetch(`${base}/api/instances`, { method: 'POST', headers, body: JSON.stringify({ definitionKey: 'ha-flow' }) });
    expect(started.status).toBe(201);
    expect((await sql<{ n: number }>(primaryUrl, 'SELECT count(*)::int AS n FROM process_instance'))[0]!.n).toBe(before + 1);
    expect((await verifyAll()).total).toBe(before);

    await sql(replicaUrl, 'SELECT pg_wal_replay_resume()');
    await caughtUp();
    expect(await verifyAll()).toMatchObject({ valid: true, total: before + 1 });
  }, 90_000);

  it('with the replica down, history, replay, verification and KPIs are answered from the primary', async () => {
    const [{ id }] = await sql<{ id: string }>(primaryUrl, 'SELECT id FROM process_instance ORDER BY started_at LIMIT 1');
    await pg('pg_ctl', ['-D', replicaDir, '-m', 'fast', '-w', 'stop']);
    for (const path of [`/api/instances/${id}/history`, `/api/instances/${id}/replay`, `/api/instances/${id}/history/verify`, '/api/history/verify', '/api/kpis']) {
      const res = await t.as('auditor').get(path);
      expect([path, res.status]).toEqual([path, 200]);
    }
    expect((await t.as('auditor').get(`/api/instances/${id}/history/verify`)).body).toMatchObject({ valid: true });
  }, 60_000);
});
