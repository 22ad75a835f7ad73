import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Orchestrator } from '../../engine';
import type { AppConfig } from '../config/config';
import type { AffinityRouter } from '../affinity/affinity-router';
import { AFFINITY, APP_CONFIG } from './tokens';

const INTERVAL_NAME = 'timer-poller';
/** Jobs claimed per batch; a full batch is followed at once by the next, up to MAX_BATCHES per tick. */
const BATCH_SIZE = 128;
const MAX_BATCHES = 100;
/**
 * Timer commands running at once in this process on PostgreSQL (each holds one pooled connection
 * of the 10 for its transaction; the rest stay for HTTP): one group's round trips (lock, write,
 * commit) overlap other groups' engine runs. Each group in flight holds its fires' outcomes,
 * engines included, until its commit (what is held when the young generation is collected gets
 * copied: bare engine, 128 outcomes held, minor GC time 2.1 -> 3.4 s per 500 cold fires); two
 * instead of four measured no better on a quiet machine, so four stay. The embedded PGlite runs
 * one session at a time, so there they run one after another.
 */
const FIRE_CONCURRENCY = 4;
/**
 * Instances whose due timers fire in one transaction on PostgreSQL (one statement locks them and
 * takes their jobs, one writes every outcome, one commit): fewer statements and commits per timer
 * (16 rather than 8: 0.8 → 0.6 statements and less PostgreSQL CPU per timer in the bench's burst).
 * A group holds its instances' locks while its fires run one after another (some 100 ms for 16
 * cold engines): a command on one of them waits that long at most.
 * On PGlite each fire is its own transaction (its one session would be held for a whole group).
 */
const GROUP_SIZE = 16;
/**
 * How overdue (ms, at least) another cluster worker's instance timers must be before this worker
 * claims them (TimerPartition): several of that worker's polls.
 */
const MIN_PARTITION_GRACE_MS = 5_000;

/**
 * Ticks the durable timers: every `TIMER_POLL_MS` it asks the orchestrator to fire due jobs, then
 * to deliver the messages and signals thrown inside processes (the outbox, engine/messaging).
 * `@nestjs/schedule` only provides the tick; exactly-once firing across server processes comes
 * from the database claim. Ticks never overlap within a process, and a tick keeps draining while
 * full batches come back; a batch's jobs fire on several pooled connections at once (one
 * instance's jobs in due order). A cluster worker claims the timers of the instances it owns
 * (api/affinity), so a timer fires on the engine kept warm there, and the engine stays warm for the
 * instance's next command; another worker's timers once they are overdue by several polls.
 */
@Injectable()
export class TimerPoller implements OnApplicationBootstrap, BeforeApplicationShutdown {
  /** This process's identity in `timer_job.locked_by`. */
  readonly worker = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly logger = new Logger('timers');
  private running: Promise<void> | null = null;
  private stopped = false;
  /** When the poller last showed life (Date.now(): started, a batch came back, a tick ended); for the readiness probe. */
  lastActivityAt = Date.now();

  constructor(
    @Inject(Orchestrator) private readonly orchestrator: Orchestrator,
    @Inject(SchedulerRegistry) private readonly scheduler: SchedulerRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(AFFINITY) private readonly affinity: AffinityRouter | null,
  ) {}

  /** Whether it polls at all (TIMER_POLL_MS > 0). */
  get enabled(): boolean {
    return this.config.timerPollMs > 0;
  }

  onApplicationBootstrap(): void {
    this.lastActivityAt = Date.now();
    if (this.config.timerPollMs <= 0) return;
    this.scheduler.addInterval(INTERVAL_NAME, setInterval(() => void this.tick(), this.config.timerPollMs));
  }

  /** Before the database closes: stop ticking and let a running tick finish. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.scheduler.doesExist('interval', INTERVAL_NAME)) this.scheduler.deleteInterval(INTERVAL_NAME);
    await this.running;
  }

  /** One poll: fire due timers until a batch comes back short. */
  tick(): Promise<void> {
    if (this.running || this.stopped) return this.running ?? Promise.resolve();
    this.lastActivityAt = Date.now();
    this.running = (async () => {
      try {
        const batchSize = BATCH_SIZE;
        const concurrency = this.config.databaseUrl ? FIRE_CONCURRENCY : 1;
        const groupSize = this.config.databaseUrl ? GROUP_SIZE : 1;
        // Under instance affinity: this worker's instances first, where their engines are warm.
        const partition = this.affinity?.timerPartition(Math.max(MIN_PARTITION_GRACE_MS, 5 * this.config.timerPollMs));
        // Up to MAX_BATCHES claims while they come back full, with no pause between them (the
        // next batch is claimed while the last units of the previous one still fire).
        const more = () => {
          this.lastActivityAt = Date.now();
          return !this.stopped;
        };
        const summary = await this.orchestrator.fireDueTimers(this.worker, { batchSize, concurrency, groupSize, maxBatches: MAX_BATCHES, more, ...(partition ? { partition } : {}) });
        this.lastActivityAt = Date.now();
        if (summary.failed) this.logger.warn({ ...summary }, 'timer jobs failed; they will be retried');
        // Messages and signals thrown inside processes (engine/messaging), each delivery its own command.
        const outbox = await this.orchestrator.drainOutbox(this.worker, { batchSize });
        if (outbox.failed) this.logger.warn({ failed: outbox.failed }, 'message deliveries failed; they will be retried');
      } catch (error) {
        this.logger.error({ err: error }, 'timer poll failed');
      } finally {
        this.lastActivityAt = Date.now();
        this.running = null;
      }
    })();
    return this.running;
  }
}
