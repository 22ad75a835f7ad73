import type { QueryRunner } from 'typeorm';
import { queryOpeningTransaction } from './pipelined-begin';

/**
 * Statements that read without locking and without side effects: they may run outside a
 * transaction. Anything else (a write, `FOR UPDATE`/`FOR SHARE`, advisory locks, notifications,
 * partition creation, sequences) opens the transaction first.
 */
const READ_ONLY = /^\s*SELECT\b/i;
const NEEDS_TRANSACTION = /\bFOR\s+(?:NO\s+KEY\s+|KEY\s+)?(?:UPDATE|SHARE)\b|\bpg_(?:try_)?advisory|\bpg_notify\b|_ensure_|\bnextval\s*\(|\bsetval\s*\(/i;

/** True when `text` may run outside the command's transaction (see {@link LazyTransaction}). */
export function readsOnly(text: string): boolean {
  return READ_ONLY.test(text) && !NEEDS_TRANSACTION.test(text);
}

/**
 * A transaction opened only by the first statement that needs one: the reads before it run on
 * their own (each in its own implicit transaction), so on single-session PGlite they hold the
 * session only for themselves, and what runs between them (bpmn-engine) holds nothing. Whatever
 * those reads decided is checked by the writes (the instance revision's compare-and-set). The
 * BEGIN travels with that first statement (pipelined-begin.ts `queryOpeningTransaction`): a
 * command's read, its write and its commit are three round trips. Commit and rollback go through
 * `raw` as plain statements; TypeORM's own transaction methods are not used on it.
 */
export class LazyTransaction {
  private began = false;
  /** `runner` opening the transaction with its first statement that needs one. */
  readonly runner: QueryRunner;

  constructor(private readonly raw: QueryRunner) {
    const query = async (text: string, params?: unknown[], structured?: boolean) => {
      if (this.began || readsOnly(String(text))) return raw.query(text, params, structured as true);
      this.began = true;
      return queryOpeningTransaction(raw, text, params, structured);
    };
    this.runner = new Proxy(raw, { get: (target, prop) => (prop === 'query' ? query : Reflect.get(target, prop, target)) });
  }

  /** Whether a statement opened the transaction. */
  get open(): boolean {
    return this.began;
  }

  async commit(): Promise<void> {
    if (this.began) await this.raw.query('COMMIT');
    this.began = false;
  }

  async rollback(): Promise<void> {
    if (this.began) await this.raw.query('ROLLBACK');
    this.began = false;
  }
}
