import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

/**
 * The database a test file runs against. With DATABASE_URL (CI, PostgreSQL) every test file gets
 * a database of its own on that server, dropped afterwards. Without it, an embedded PGlite in a
 * fresh temporary directory, served over the wire protocol from a child process (jest's module
 * sandbox cannot host PGlite itself), so the app runs the same driver and SQL as `npm start`.
 */
export interface TestDatabase {
  databaseUrl: string;
  dataDir: string;
  kind: 'postgresql' | 'pglite';
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'itsm-test-'));
  const server = process.env.DATABASE_URL;
  if (!server) {
    const { url, child } = await startPglite(join(dataDir, 'pglite'));
    return {
      databaseUrl: url,
      dataDir,
      kind: 'pglite',
      drop: async () => {
        await stopChild(child);
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const name = `itsm_test_${process.pid}_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  await admin(server, `CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    databaseUrl: url.toString(),
    dataDir,
    kind: 'postgresql',
    drop: async () => {
      await admin(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** PGlite on `dataDir`, served over the wire protocol by a child process (see createTestDatabase). */
export function startPglite(dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(__dirname, 'pglite-server.cjs'), dataDir], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve({ url: line.trim(), child });
    });
    child.once('exit', (code) => reject(new Error(`PGlite server exited with ${code}`)));
    child.once('error', reject);
  });
}

/** Stops a child process (SIGTERM, then SIGKILL after 5 s); PGlite closes its data directory cleanly on SIGTERM. */
export async function stopChild(child: ChildProcess): Promise<void> {
  child.stdin?.destroy();
  child.stdout?.destroy();
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 5000)))]);
  clearTimeout(timer);
  if (child.exitCode === null) child.kill('SIGKILL');
}

async function admin(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
