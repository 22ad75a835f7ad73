import type { DataSource } from 'typeorm';
import { EngineError, EngineErrorCode, type CommandStore, type HistoryKeyring, type TimerClaimer, type TransactionRunner } from '../../engine';
import { inTransaction } from '../database/transaction';
import { TypeormCommandStore } from './typeorm-command-store';
import { TypeormTimerClaimer } from './typeorm-timer-store';
import type { AnchorCache } from './write-batch';

/** PostgreSQL deadlock_detected. */
const DEADLOCK_DETECTED = '40P01';

/** One command = one PostgreSQL transaction on its own pooled connection. */
export class TypeormTransactionRunner implements TransactionRunner {
  readonly timers: TimerClaimer;
  /** The history anchor as this process's commands last left it (an optimistic guess, checked by every update). */
  private readonly anchor: AnchorCache = { value: null };

  constructor(
    private readonly dataSource: DataSource,
    private readonly ring: HistoryKeyring,
  ) {
    this.timers = new TypeormTimerClaimer(dataSource);
  }

  run<T>(work: (store: CommandStore) => Promise<T>): Promise<T> {
    return inTransaction(this.dataSource, async (runner) => {
      const store = TypeormCommandStore.create(runner, this.ring, this.anchor);
      const result = await work(store);
      await store.beforeCommit();
      return result;
    }).catch((error: unknown) => {
      // Two commands locking rows in opposite orders (a parent cancelling its child while the child
      // returns to it): PostgreSQL aborts one; the kernel retries it like a revision conflict.
      if ((error as { code?: string }).code === DEADLOCK_DETECTED) {
        throw new EngineError(EngineErrorCode.RevisionConflict, 'the command deadlocked with a concurrent one', { retryable: true, cause: error });
      }
      throw error;
    });
  }
}
