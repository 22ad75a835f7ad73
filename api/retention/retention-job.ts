import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { HistoryKeyring, type Clock } from '../../engine';
import type { AppConfig } from '../config/config';
import { Database } from '../database/database';
import { APP_CONFIG, CLOCK } from '../engine-host/tokens';
import { HistoryRetention, type CleanupSummary } from './history-retention';
import { retentionConfigFromEnv, type RetentionConfig } from './retention-config';

const INTERVAL_NAME = 'history-retention';

/**
 * Runs the history cleanup (history-retention.ts) every HISTORY_CLEANUP_INTERVAL_MS on every server
 * process; the advisory lock lets one batch run at a time across them. Runs never overlap within a
 * process. Settings come from the environment (retention-config.ts).
 */
@Injectable()
export class RetentionJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('retention');
  readonly config: RetentionConfig;
  private readonly retention: HistoryRetention;
  private running: Promise<CleanupSummary> | null = null;
  private stopped = false;

  constructor(
    @Inject(Database) db: Database,
    @Inject(HistoryKeyring) ring: HistoryKeyring,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SchedulerRegistry) private readonly scheduler: SchedulerRegistry,
    @Inject(APP_CONFIG) appConfig: AppConfig,
  ) {
    this.config = retentionConfigFromEnv(process.env, appConfig.dataDir);
    this.retention = new HistoryRetention(db.dataSource, ring, this.config);
  }

  onApplicationBootstrap(): void {
    if (this.config.intervalMs <= 0) return;
    this.scheduler.addInterval(INTERVAL_NAME, setInterval(() => void this.run().catch((err) => this.logger.error({ err }, 'history cleanup failed')), this.config.intervalMs));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.scheduler.doesExist('interval', INTERVAL_NAME)) this.scheduler.deleteInterval(INTERVAL_NAME);
    await this.running?.catch(() => undefined);
  }

  /** One cleanup run now (or the one already running). */
  run(): Promise<CleanupSummary> {
    if (this.running) return this.running;
    if (this.stopped) return Promise.resolve({ removed: 0, events: 0, archiveFile: null, busy: false, droppedPartitions: [] });
    this.running = this.retention.run(this.clock.now()).finally(() => {
      this.running = null;
    });
    return this.running;
  }
}
