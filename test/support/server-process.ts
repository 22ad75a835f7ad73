/**
 * Server processes for the tests that need a real one (its logs, its environment, several of them):
 * started from source with test/support/ts-register.cjs, awaited until they serve, stopped with
 * SIGTERM (SIGKILL after 10 s).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');

export interface ServerProcess {
  /** `http://127.0.0.1:<port>` */
  base: string;
  port: number;
  child: ChildProcess;
  /** Everything the process wrote so far (stdout and stderr). */
  log(): string;
  stop(): Promise<void>;
}

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Stops `child` (SIGTERM, then SIGKILL after 10 s); resolves once it has exited or was killed. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 10_000)))]);
  clearTimeout(timer);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/**
 * Runs `node -r ts-register <preload...> <script> <args...>` in the repository root with `env`, and
 * resolves once its output matches `ready` (the capture group 1, if any, is the port it listens
 * on; else `port` must be given). Rejects with the output when the process exits first.
 */
export async function startServerProcess(options: {
  script: string;
  args?: string[];
  preload?: string[];
  env: NodeJS.ProcessEnv;
  ready: RegExp;
  port?: number;
}): Promise<ServerProcess> {
  const preload = (options.preload ?? []).flatMap((p) => ['-r', join(ROOT, p)]);
  const child = spawn(process.execPath, ['-r', join(ROOT, 'test/support/ts-register.cjs'), ...preload, join(ROOT, options.script), ...(options.args ?? [])], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: options.env,
  });
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = options.ready.exec(output);
      if (match) resolve(match[1] ? Number(match[1]) : options.port!);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
  }).catch(async (error: unknown) => {
    await stopProcess(child);
    throw error;
  });
  return { base: `http://127.0.0.1:${port}`, port, child, log: () => output, stop: () => stopProcess(child) };
}

/**
 * The server as a deployment starts it (api/main.ts, configured only by the environment:
 * NODE_ENV=production, one process, no reference processes seeded unless `env` says so), on a port
 * of its own; nothing is inherited from the test run but PATH and HOME.
 */
export async function startMainProcess(env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  return startServerProcess({
    script: 'api/main.ts',
    port,
    ready: /listening on http:\/\//,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      WORKERS: '1',
      SEED_PROCESSES: 'false',
      ...env,
    },
  });
}

/** test/support/http-server.ts (the application on a free port, logging per LOG_LEVEL) on `databaseUrl`. */
export function startHttpServer(databaseUrl: string, env: NodeJS.ProcessEnv, preload: string[] = []): Promise<ServerProcess> {
  return startServerProcess({ script: 'test/support/http-server.ts', args: [databaseUrl], preload, env, ready: /listening (\d+)/ });
}
