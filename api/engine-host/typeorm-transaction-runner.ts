import type { DataSource, QueryRunner } from 'typeorm';
import { EngineError, EngineErrorCode, type CommandStore, type HistoryKeyring, type TimerClaimer, type TransactionRunner } from '../../engine';
import { LazyTransaction } from '../database/lazy-transaction';
import { PipelinedTransaction } from '../database/pipelined-begin';
import { inTransaction } from '../database/transaction';
import { TypeormCommandStore } from './typeorm-command-store';
import { TypeormTimerClaimer } from './typeorm-timer-store';
import { WRITE_CHECK_FAILED, type AnchorCache } from './write-batch';

/** PostgreSQL deadlock_detected. */
const DEADLOCK_DETECTED = '40P01';

/**
 * How a command holds its instance while bpmn-engine runs:
 * - `pessimistic`: one transaction from the first read to the commit; the instance row is locked
 *   (`SELECT ... FOR UPDATE`) while the engine runs, so commands on one instance wait for each other
 *   and never conflict. PostgreSQL's default.
 * - `optimistic`: the reads run outside any transaction (no row locks), the engine runs, and the
 *   transaction opens at the first write: the command's writes, whose instance revision
 *   compare-and-set fails (RevisionConflict, retried by the kernel) when another command changed
 *   the instance meanwhile. PGlite's default: it has one session, and a transaction owns it until
 *   it ends, so under `pessimistic` every other statement of the server waits while an engine runs.
 */
export type Concurrency = 'pessimistic' | 'optimistic';

/** One command = one PostgreSQL transaction on its own pooled connection. */
export class TypeormTransactionRunner implements TransactionRunner {
  readonly timers: TimerClaimer;
  /** The history anchor as this process's commands last left it (an optimistic guess, checked by every update). */
  private readonly anchor: AnchorCache = { value: null };

  constructor(
    private readonly dataSource: DataSource,
    private readonly ring: HistoryKeyring,
    readonly concurrency: Concurrency = 'pessimistic',
    /** Named prepared statements for the command's large statements (TypeormCommandStore.create). */
    private readonly prepare = false,
  ) {
    this.timers = new TypeormTimerClaimer(dataSource);
  }

  run<T>(work: (store: CommandStore) => Promise<T>): Promise<T> {
    const run =
      this.concurrency === 'optimistic'
        ? this.optimistic(work)
        : this.prepare
          ? this.pipelined(work)
          : inTransaction(this.dataSource, async (runner) => {
              const store = TypeormCommandStore.create(runner, this.ring, this.anchor, { prepare: this.prepare });
              const result = await work(store);
              await store.beforeCommit();
              return result;
            });
    return run.catch((error: unknown) => {
      // Two commands locking rows in opposite orders (a parent cancelling its child while the child
      // returns to it): PostgreSQL aborts one; the kernel retries it like a revision conflict.
      if ((error as { code?: string }).code === DEADLOCK_DETECTED) {
        throw new EngineError(EngineErrorCode.RevisionConflict, 'the command deadlocked with a concurrent one', { retryable: true, cause: error });
      }
      // A compare-and-set of the last write, checked in the statement sent with COMMIT (write-batch.ts).
      if ((error as { code?: string }).code === WRITE_CHECK_FAILED) {
        throw new EngineError(EngineErrorCode.RevisionConflict, (error as Error).message, { retryable: true, cause: error });
      }
      throw error;
    });
  }

  /**
   * Pessimistic, with BEGIN sent in the same round trip as the command's first statement
   * (api/database/pipelined-begin.ts): one round trip less per command. Used with named prepared
   * statements, which PostgreSQL and the embedded server's per-connection names both serve.
   */
  private pipelined<T>(work: (store: CommandStore) => Promise<T>): Promise<T> {
    return this.onConnection((runner) => new PipelinedTransaction(runner), {}, work);
  }

  /** Reads outside a transaction, which the first write opens (see {@link Concurrency}). */
  private optimistic<T>(work: (store: CommandStore) => Promise<T>): Promise<T> {
    return this.onConnection((runner) => new LazyTransaction(runner), { lockRows: false }, work);
  }

  /** A command on a connection of its own, in a transaction that opens itself (pipelined or lazy). */
  private async onConnection<T>(
    open: (runner: QueryRunner) => PipelinedTransaction,
    options: { lockRows?: false },
    work: (store: CommandStore) => Promise<T>,
  ): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    const transaction = open(runner);
    try {
      const store = TypeormCommandStore.create(transaction.runner, this.ring, this.anchor, {
        ...options,
        prepare: this.prepare,
        send: (text, params, options) => transaction.send(text, params, options),
      });
      const result = await work(store);
      await store.beforeCommit();
      // Nothing left to send when the COMMIT went with the last write (PipelinedTransaction.send).
      await transaction.commit();
      return result;
    } catch (error) {
      await transaction.rollback().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }
}
