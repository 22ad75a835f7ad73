import type { DataSource } from 'typeorm';
import { EngineError, EngineErrorCode, HistoryKeyring } from '../../engine';
import { TypeormTransactionRunner } from './typeorm-transaction-runner';

/** A DataSource whose one query runner records what happened to its transaction. */
function fakeDataSource() {
  const calls: string[] = [];
  const runner = {
    isTransactionActive: false,
    connect: async () => void calls.push('connect'),
    startTransaction: async () => {
      runner.isTransactionActive = true;
      calls.push('begin');
    },
    commitTransaction: async () => void calls.push('commit'),
    rollbackTransaction: async () => void calls.push('rollback'),
    release: async () => void calls.push('release'),
  };
  return { calls, dataSource: { createQueryRunner: () => runner } as unknown as DataSource };
}

const ring = new HistoryKeyring('a test history key of at least 32 bytes');

describe('TypeormTransactionRunner', () => {
  it('turns a PostgreSQL deadlock (40P01) into a retryable revision conflict, after rolling back', async () => {
    const { calls, dataSource } = fakeDataSource();
    const deadlock = Object.assign(new Error('deadlock detected'), { code: '40P01' });
    const error = await new TypeormTransactionRunner(dataSource, ring).run(() => Promise.reject(deadlock)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect(error).toMatchObject({ code: EngineErrorCode.RevisionConflict, retryable: true });
    expect(calls).toEqual(['connect', 'begin', 'rollback', 'release']);
  });

  it('passes other errors through unchanged', async () => {
    const { dataSource } = fakeDataSource();
    const other = Object.assign(new Error('unique violation'), { code: '23505' });
    await expect(new TypeormTransactionRunner(dataSource, ring).run(() => Promise.reject(other))).rejects.toBe(other);
  });
});
