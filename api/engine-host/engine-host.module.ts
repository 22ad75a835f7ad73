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
import { APP_CONFIG, CLOCK } from './tokens';
import { TypeormTransactionRunner } from './typeorm-transaction-runner';
import { instrumentOrchestrator, instrumentTransactions } from '../metrics/instrument';

@Injectable()
class DatabaseLifecycle implements OnApplicationShutdown {
  constructor(@Inject(Database) private readonly db: Database) {}

  async onApplicationShutdown(): Promise<void> {
    await this.db.close();
  }
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
        {
          provide: Orchestrator,
          inject: [Database, ServiceHandlerRegistry, CLOCK, CalendarService, HistoryKeyring],
          useFactory: (db: Database, handlers: ServiceHandlerRegistry, clock: Clock, calendars: CalendarService, ring: HistoryKeyring) =>
            // Metrics and trace spans of every command (api/metrics/instrument.ts).
            instrumentOrchestrator(new Orchestrator({
              // PGlite's one session: bpmn-engine runs outside the write transaction (see Concurrency).
              transactions: instrumentTransactions(new TypeormTransactionRunner(db.dataSource, ring, db.pglite ? 'optimistic' : 'pessimistic')),
              handlers,
              clock,
              calendars: (name) => calendars.get(name),
              maxDefinitionBytes: config.maxDefinitionBytes,
              ...(config.definitionLimits ? { definitionLimits: config.definitionLimits } : {}),
              timeZone: config.timeZone,
            })),
        },
        DatabaseLifecycle,
        TimerPoller,
      ],
      exports: [APP_CONFIG, CLOCK, Database, ServiceHandlerRegistry, Orchestrator, HistoryKeyring, TimerPoller, CalendarService],
    };
  }
}
