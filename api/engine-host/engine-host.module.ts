import cluster from 'node:cluster';
import { Global, Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { HistoryKeyring, Orchestrator, ServiceHandlerRegistry, builtInHandlers, setBudgetLimits, setStallTimeout, warmFeelSandbox, slaHandlers, systemClock, type Clock } from '../../engine';
import { CalendarService } from '../calendars/calendar.service';
import { defaultHistoryConfig, type AppConfig } from '../config/config';
import { Database } from '../database/database';
import { initialiseHistoryAnchor } from '../history/history-anchor';
import { loadHistoryKeyring } from '../history/history-keys';
import type { HostOptions } from './host-options';
import { TimerPoller } from './timer-poller';
import { AFFINITY, APP_CONFIG, CLOCK } from './tokens';
import { AffinityRouter, type Channel } from '../affinity/affinity-router';
import { TypeormTransactionRunner } from './typeorm-transaction-runner';
import { instrumentOrchestrator, instrumentTransactions } from '../metrics/instrument';

@Injectable()
class DatabaseLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(AFFINITY) private readonly affinity: AffinityRouter | null,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    this.affinity?.close();
    await this.db.close();
  }
}

/** A cluster worker routes each instance's commands to the worker that owns it (api/affinity); a single process does not. */
function affinityRouter(config: AppConfig): AffinityRouter | null {
  const place = config.clusterWorker;
  if (!place || !cluster.isWorker || !process.send) return null;
  const channel: Channel = {
    send: (message) => {
      if (!process.connected) throw new Error('the cluster channel is closed');
      process.send!(message);
    },
    on: (event, listener) => process.on(event, listener),
    off: (event, listener) => process.off(event, listener),
  };
  // An owner that does not answer in this time is presumed stuck: the caller runs the command itself (the revision check keeps it correct).
  return new AffinityRouter(place, channel, Math.max(30_000, 2 * (config.budget?.timeMs ?? 0)));
}

/**
 * The only module that builds engine objects: the database (embedded or external), the service
 * handler registry and the Orchestrator facade.
 */
@Global()
@Module({})
export class EngineHostModule {
  static forRoot(config: AppConfig, options: HostOptions = {}): DynamicModule {
    if (config.engineStallTimeoutMs) setStallTimeout(config.engineStallTimeoutMs);
    if (config.budget) setBudgetLimits(config.budget);
    // The FEEL sandbox's workers load while the server boots, not on the first request that needs them.
    warmFeelSandbox();
    return {
      module: EngineHostModule,
      imports: [ScheduleModule.forRoot()],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: CLOCK, useValue: options.clock ?? systemClock },
        {
          provide: Database,
          useFactory: () => Database.open({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, statementCounterDir: config.statementCounterDir, readUrl: config.databaseReadUrl }),
        },
        {
          // The history keys (never in the database); the anchor is checked (and sealed on a new database) before any command runs.
          provide: HistoryKeyring,
          inject: [Database],
          useFactory: async (db: Database) => {
            const history = config.history ?? defaultHistoryConfig(config);
            const ring = loadHistoryKeyring(history);
            await initialiseHistoryAnchor(db.dataSource, ring, history.sealLegacy);
            return ring;
          },
        },
        CalendarService,
        {
          provide: ServiceHandlerRegistry,
          inject: [CalendarService],
          useFactory: (calendars: CalendarService) =>
            new ServiceHandlerRegistry([...builtInHandlers, ...slaHandlers((name) => calendars.get(name)), ...(options.handlers ?? [])]),
        },
        // On PGlite too: the embedded server rolls back what a connection that vanished left open
        // (api/database/pglite-queue.ts), so a worker killed mid-command no longer blocks the session.
        { provide: AFFINITY, useFactory: () => affinityRouter(config) },
        {
          provide: Orchestrator,
          inject: [Database, ServiceHandlerRegistry, CLOCK, CalendarService, HistoryKeyring, AFFINITY],
          useFactory: (db: Database, handlers: ServiceHandlerRegistry, clock: Clock, calendars: CalendarService, ring: HistoryKeyring, affinity: AffinityRouter | null) => {
            // Metrics and trace spans of every command (api/metrics/instrument.ts), counted where the command runs.
            const orchestrator = instrumentOrchestrator(new Orchestrator({
              // PGlite's one session: bpmn-engine runs outside the write transaction (see Concurrency).
              transactions: instrumentTransactions(new TypeormTransactionRunner(db.dataSource, ring, db.pglite ? 'optimistic' : 'pessimistic', true)),
              handlers,
              clock,
              calendars: (name) => calendars.get(name),
              maxDefinitionBytes: config.maxDefinitionBytes,
              ...(config.definitionLimits ? { definitionLimits: config.definitionLimits } : {}),
              timeZone: config.timeZone,
              ...(config.warmEngineMemoryMb !== undefined ? { liveEngineMemoryMb: config.warmEngineMemoryMb } : {}),
              ...(config.warmEngineIdleSeconds !== undefined ? { liveEngineIdleSeconds: config.warmEngineIdleSeconds } : {}),
              ...(affinity ? { newInstanceId: () => affinity.newInstanceId() } : {}),
            }));
            return affinity ? affinity.route(orchestrator) : orchestrator;
          },
        },
        DatabaseLifecycle,
        TimerPoller,
      ],
      exports: [APP_CONFIG, CLOCK, Database, ServiceHandlerRegistry, Orchestrator, HistoryKeyring, TimerPoller, CalendarService],
    };
  }
}
