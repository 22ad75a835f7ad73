import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';
import { Orchestrator } from '../../engine';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../engine-host/tokens';
import { EXTERNAL_TASK_CHANNEL } from './typeorm-external-task-store';

/** How often a waiting fetch looks again anyway: locks expire and retry timeouts pass without notice. */
export const EXTERNAL_TASK_POLL_MS = 1_000;

interface Waiter {
  topics: ReadonlySet<string>;
  wake: () => void;
}

/**
 * Wakes long-polling fetches (`asyncResponseTimeout`) when tasks of their topics become available:
 * at once for tasks created or released in this process (after their commit), through PostgreSQL
 * LISTEN/NOTIFY for those of other server processes (external PostgreSQL only: the embedded
 * PGlite serves one process), and at the latest after {@link EXTERNAL_TASK_POLL_MS}.
 */
@Injectable()
export class TopicWaiter implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger('ExternalTasks');
  private readonly waiters = new Set<Waiter>();
  private unsubscribe: (() => void) | null = null;
  private listener: Client | null = null;
  private closed = false;

  constructor(
    @Inject(Orchestrator) private readonly orchestrator: Orchestrator,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    this.unsubscribe = this.orchestrator.externalTasks.onAvailable((topics) => this.wake(topics));
    if (this.config.databaseUrl) await this.listen(this.config.databaseUrl);
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    this.unsubscribe?.();
    for (const waiter of [...this.waiters]) waiter.wake();
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => undefined);
  }

  /** Resolves when a task of one of `topics` may have become available, after `ms`, or when `signal` aborts. */
  wait(topics: readonly string[], ms: number, signal?: AbortSignal): Promise<void> {
    if (this.closed || signal?.aborted || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.waiters.delete(waiter);
        resolve();
      };
      const waiter: Waiter = { topics: new Set(topics), wake: done };
      const timer = setTimeout(done, Math.min(ms, EXTERNAL_TASK_POLL_MS));
      signal?.addEventListener('abort', done, { once: true });
      this.waiters.add(waiter);
    });
  }

  private wake(topics: readonly string[]): void {
    for (const waiter of [...this.waiters]) if (topics.some((t) => waiter.topics.has(t))) waiter.wake();
  }

  /** A dedicated connection LISTENing to the channel; on loss, the poll still wakes every waiter. */
  private async listen(url: string): Promise<void> {
    const client = new Client({ connectionString: url });
    client.on('notification', (n) => n.payload && this.wake([n.payload]));
    client.on('error', (error) => {
      this.log.warn(`external task notifications lost (${error.message}); waiting fetches poll every ${EXTERNAL_TASK_POLL_MS} ms`);
      if (this.listener === client) this.listener = null;
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${EXTERNAL_TASK_CHANNEL}`);
      this.listener = client;
    } catch (error) {
      this.log.warn(`cannot LISTEN for external tasks (${error instanceof Error ? error.message : String(error)}); waiting fetches poll every ${EXTERNAL_TASK_POLL_MS} ms`);
      await client.end().catch(() => undefined);
    }
  }
}
