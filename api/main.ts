// First: tracing (when OTEL_EXPORTER_OTLP_ENDPOINT is set) must patch http, express and pg before they load.
import './tracing/preload';
import cluster from 'node:cluster';
import { join } from 'node:path';
import { loadConfig } from './config/config';
import { Database } from './database/database';
import { EmbeddedPostgres } from './database/embedded-postgres';
import { createApp } from './app';
import { startClusterMetricsServer } from './metrics/metrics-access';
import { superviseCluster } from './affinity/cluster-primary';
import { applyHeapGrowth, workerExecArgv, workerMemoryEnv } from './config/v8-memory';
import { cpuClocks } from '../engine';

/**
 * Starts the server. With WORKERS > 1 the primary forks that many identical server processes
 * sharing the port (Node cluster); all coordination is in PostgreSQL, and each instance's commands
 * are run by the worker that owns it (api/affinity), where its engine stays warm. Without DATABASE_URL the
 * primary owns the embedded PGlite and the workers connect to it over the wire protocol.
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env, join(__dirname, '..', '..', 'modeler', 'dist'));
  // Before the server allocates: how far V8 lets the heap grow past what is live (README "Memory").
  applyHeapGrowth(config.v8Memory?.heapGrowthPercent ?? 0);
  if (config.workers > 1 && cluster.isPrimary) {
    let databaseUrl = config.databaseUrl;
    const embedded = databaseUrl ? null : await EmbeddedPostgres.start(config.dataDir);
    databaseUrl ??= embedded!.url;
    // Migrate once, before the workers start: on PGlite every connection shares one session, so the
    // migration advisory lock cannot keep two workers from migrating at the same time.
    await (await Database.open({ databaseUrl, dataDir: config.dataDir, poolSize: 2 })).close();
    // METRICS_PORT: the primary serves the workers' metrics, aggregated (api/metrics/metrics-access.ts).
    if (config.metrics?.port) await startClusterMetricsServer(config.metrics.port, config.host);
    // Each worker owns the instances of its slots and the others send it their commands (api/affinity); an exited worker is replaced.
    const supervisor = superviseCluster(
      config.workers,
      { ...process.env, ...workerMemoryEnv(config.v8Memory?.mallocArenaMax ?? 0), DATABASE_URL: databaseUrl, WORKERS: '1', EMBEDDED_PRIMARY: embedded ? '1' : '' },
      workerExecArgv(process.execArgv, process.env.NODE_OPTIONS, config.v8Memory?.semiSpaceMb ?? 0),
    );
    const stop = async () => {
      supervisor.stop();
      await new Promise((r) => setTimeout(r, 500));
      await embedded?.stop();
      process.exit(0);
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    return;
  }
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  console.log(
    JSON.stringify({
      level: 30,
      msg: `listening on http://localhost:${config.port}`,
      database: config.databaseUrl ? 'postgresql' : `embedded PGlite in ${config.dataDir}`,
      pid: process.pid,
      // How the execution budget measures CPU time here (README "Execution budget"): 'wall' means a loaded machine inflates it.
      cpuClock: cpuClocks(),
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
