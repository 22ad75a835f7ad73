import type { QueryRunner } from 'typeorm';
import { PipelinedTransaction } from './pipelined-begin';

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
 * BEGIN travels with that first statement, and the COMMIT may travel with the last
 * (pipelined-begin.ts): a command's read and its write-and-commit are two round trips.
 */
export class LazyTransaction extends PipelinedTransaction {
  constructor(raw: QueryRunner) {
    super(raw, (text) => !readsOnly(text));
  }
}
