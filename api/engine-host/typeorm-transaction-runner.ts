import type { DataSource } from 'typeorm';
import type { CommandStore, TimerClaimer, TransactionRunner } from '../../engine';
import { inTransaction } from '../database/transaction';
import { TypeormCommandStore } from './typeorm-command-store';
import { TypeormTimerClaimer } from './typeorm-timer-store';

/** One command = one PostgreSQL transaction on its own pooled connection. */
export class TypeormTransactionRunner implements TransactionRunner {
  readonly timers: TimerClaimer;

  constructor(private readonly dataSource: DataSource) {
    this.timers = new TypeormTimerClaimer(dataSource);
  }

  run<T>(work: (store: CommandStore) => Promise<T>): Promise<T> {
    return inTransaction(this.dataSource, (runner) => work(new TypeormCommandStore(runner)));
  }
}
