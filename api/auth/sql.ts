import type { DataSource, QueryRunner } from 'typeorm';
import { inTransaction } from '../database/transaction';

/** Raw SQL on one connection; `rows` always answers the returned rows (also for UPDATE ... RETURNING). */
export interface Sql {
  rows<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Rows affected by an INSERT, UPDATE or DELETE. */
  affected(text: string, params?: unknown[]): Promise<number>;
}

/** PostgreSQL unique_violation. */
export const UNIQUE_VIOLATION = '23505';

function over(runner: QueryRunner): Sql {
  return {
    rows: async (text, params = []) => (await runner.query(text, params, true)).records,
    affected: async (text, params = []) => (await runner.query(text, params, true)).affected ?? 0,
  };
}

/** Runs `work` in one transaction on its own pooled connection. */
export function transaction<T>(dataSource: DataSource, work: (sql: Sql) => Promise<T>): Promise<T> {
  return inTransaction(dataSource, (runner) => work(over(runner)));
}

/** Runs `work` on a pooled connection, each statement in its own implicit transaction. */
export async function connection<T>(dataSource: DataSource, work: (sql: Sql) => Promise<T>): Promise<T> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    return await work(over(runner));
  } finally {
    await runner.release();
  }
}

export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } };
  return e?.code === UNIQUE_VIOLATION || e?.driverError?.code === UNIQUE_VIOLATION;
}
