import { resolve } from 'node:path';
import { z } from 'zod';
import { parseTimeToLive } from '../../engine';

/** History retention settings (README "History retention"). */
export interface RetentionConfig {
  /** HISTORY_TTL_DAYS: time to live of definitions without `camunda:historyTimeToLive`; null = keep forever. */
  defaultTtlDays: number | null;
  /** HISTORY_ARCHIVE_DIR, default `<DATA_DIR>/archive`: one JSON-lines file per cleanup run. */
  archiveDir: string;
  /** HISTORY_CLEANUP_INTERVAL_MS: how often the job runs; 0 = never (run it by hand). */
  intervalMs: number;
  /** HISTORY_CLEANUP_BATCH: instance trees removed per transaction. */
  batchSize: number;
}

const schema = z.object({
  HISTORY_TTL_DAYS: z.string().trim().optional(),
  HISTORY_ARCHIVE_DIR: z.string().trim().min(1).optional(),
  HISTORY_CLEANUP_INTERVAL_MS: z.coerce.number().int().min(0).default(60 * 60 * 1000),
  HISTORY_CLEANUP_BATCH: z.coerce.number().int().min(1).max(10_000).default(100),
});

/** Reads the retention settings; throws, naming the variable, when one is malformed. */
export function retentionConfigFromEnv(env: NodeJS.ProcessEnv, dataDir: string): RetentionConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) throw new Error(`invalid history retention setting: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const e = parsed.data;
  let defaultTtlDays: number | null;
  try {
    defaultTtlDays = parseTimeToLive(e.HISTORY_TTL_DAYS);
  } catch (error) {
    throw new Error(`HISTORY_TTL_DAYS: ${(error as Error).message}`);
  }
  return {
    defaultTtlDays,
    archiveDir: resolve(e.HISTORY_ARCHIVE_DIR ?? resolve(dataDir, 'archive')),
    intervalMs: e.HISTORY_CLEANUP_INTERVAL_MS,
    batchSize: e.HISTORY_CLEANUP_BATCH,
  };
}
