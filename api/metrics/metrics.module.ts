import cluster from 'node:cluster';
import type { Server } from 'node:http';
import { Inject, Injectable, Logger, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { AppConfig } from '../config/config';
import { Database } from '../database/database';
import { APP_CONFIG, CLOCK } from '../engine-host/tokens';
import type { Clock } from '../../engine';
import { stopTracing } from '../tracing/tracing-state';
import { bindDatabaseGauges } from './database-gauges';
import { answerClusterMetrics, startMetricsServer } from './metrics-access';

/**
 * Binds the database gauges to this application's database and, with METRICS_PORT, serves
 * /metrics on that port (in a cluster the primary serves the aggregate; workers answer it).
 */
@Injectable()
export class MetricsLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('metrics');
  private unbind: (() => void) | null = null;
  private server: Server | null = null;

  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.unbind = bindDatabaseGauges(this.db.dataSource, this.clock, (error) => this.logger.warn({ err: error }, 'database gauges could not be read'), this.config.metrics?.gaugeCacheMs);
    const port = this.config.metrics?.port;
    if (cluster.isWorker) answerClusterMetrics();
    else if (port) {
      this.server = await startMetricsServer(port, this.config.host);
      this.logger.log(`metrics on http://${this.config.host}:${port}/metrics`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.unbind?.();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    // The spans of the last requests leave before the process does.
    await stopTracing();
  }
}

@Module({ providers: [MetricsLifecycle] })
export class MetricsModule {}
