import { randomBytes } from 'node:crypto';
import { mkdir, open, truncate, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import type { DataSource, QueryRunner } from 'typeorm';
import { ARCHIVE_FORMAT, HistoryKeyring, anchorMessage, historyTimeToLiveOf, removalCutoff, type ArchiveHeader, type ArchivedInstance, type SealedEvent } from '../../engine';
import { inTransaction } from '../database/transaction';
import { EVENT_COLUMNS, toEvent } from '../history/history-rows';
import type { RetentionConfig } from './retention-config';

/** pg advisory lock key held (per transaction) by the one cleanup batch running at a time. */
const CLEANUP_LOCK = 7_165_300_001;
/** Months of partitions kept ready ahead of now. */
const MONTHS_AHEAD = 3;

/** What one cleanup run did. */
export interface CleanupSummary {
  /** Instances (with their called children) archived and removed. */
  removed: number;
  /** History events among them. */
  events: number;
  /** The archive file written, or null when nothing was removed. */
  archiveFile: string | null;
  /** Another process held the cleanup lock, so this run removed nothing more. */
  busy: boolean;
  /** Empty monthly history partitions dropped. */
  droppedPartitions: string[];
}

/**
 * Removes the history of instances that ended longer ago than their time to live
 * (`camunda:historyTimeToLive` on the process, else HISTORY_TTL_DAYS), root instance trees at a
 * time (a called child goes with its root, by the root's time to live, as Camunda's default
 * removal-time strategy does). Per batch, in one transaction holding an advisory lock (so several
 * server processes never archive the same instance twice): the trees are written to the run's
 * archive file (JSON lines, fsync'ed before the commit, cut back if the transaction fails), then
 * their history, tasks, records and instance rows are deleted and the sealed history anchor counts
 * them out. It also keeps monthly history partitions created ahead and drops empty past ones.
 */
export class HistoryRetention {
  private readonly logger = new Logger('retention');
  private readonly ttlByDefinition = new Map<string, number | null>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly ring: HistoryKeyring,
    private readonly config: RetentionConfig,
  ) {}

  async run(now: Date): Promise<CleanupSummary> {
    const summary: CleanupSummary = { removed: 0, events: 0, archiveFile: null, busy: false, droppedPartitions: [] };
    await this.ensurePartitions(now);
    const ttls = await this.timesToLive();
    if (ttls.size) {
      let file: { path: string; handle: FileHandle } | null = null;
      try {
        for (;;) {
          const batch = await inTransaction(this.dataSource, async (q) => {
            if (!(await this.tryLock(q))) return 'busy' as const;
            const roots = await this.dueRoots(q, ttls, now);
            if (!roots.length) return null;
            const trees = await this.load(q, roots);
            if (!file) {
              await mkdir(this.config.archiveDir, { recursive: true });
              const path = join(this.config.archiveDir, `history-${now.toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.jsonl`);
              const handle = await open(path, 'a', 0o600);
              const header: ArchiveHeader = { kind: 'header', format: ARCHIVE_FORMAT, createdAt: now.toISOString(), keyId: this.ring.keyId };
              await handle.write(`${JSON.stringify(header)}\n`);
              file = { path, handle };
            }
            const before = (await file.handle.stat()).size;
            try {
              await file.handle.write(trees.map((t) => `${JSON.stringify(t)}\n`).join(''));
              await file.handle.sync();
              await this.remove(q, trees);
            } catch (error) {
              await truncate(file.path, before).catch(() => undefined);
              throw error;
            }
            return trees;
          });
          if (batch === 'busy') {
            summary.busy = true;
            break;
          }
          if (!batch) break;
          summary.removed += batch.length;
          summary.events += batch.reduce((n, t) => n + t.events.length, 0);
          summary.archiveFile = (file as { path: string } | null)?.path ?? null;
          if (batch.length < this.config.batchSize) break;
        }
      } finally {
        await (file as { handle: FileHandle } | null)?.handle.close();
      }
    }
    summary.droppedPartitions = await this.dropEmptyPartitions(now);
    if (summary.removed) this.logger.log({ msg: 'history archived and removed', ...summary });
    return summary;
  }

  private async tryLock(q: QueryRunner): Promise<boolean> {
    const [row] = await q.query(`SELECT pg_try_advisory_xact_lock($1) AS locked`, [CLEANUP_LOCK]);
    return row.locked === true;
  }

  /** Time to live (days) per definition id of every definition that has one. */
  private async timesToLive(): Promise<Map<string, number>> {
    const definitions: { id: string; key: string }[] = await this.dataSource.query(`SELECT id, key FROM process_definition`);
    const result = new Map<string, number>();
    for (const d of definitions) {
      if (!this.ttlByDefinition.has(d.id)) this.ttlByDefinition.set(d.id, await this.timeToLiveOf(d.id, d.key));
      const ttl = this.ttlByDefinition.get(d.id) ?? this.config.defaultTtlDays;
      if (ttl !== null) result.set(d.id, ttl);
    }
    return result;
  }

  /** `camunda:historyTimeToLive` of the definition's process (null = none or unreadable: the default applies). */
  private async timeToLiveOf(id: string, key: string): Promise<number | null> {
    const [row] = await this.dataSource.query(`SELECT xml FROM process_definition WHERE id = $1`, [id]);
    try {
      return await historyTimeToLiveOf(row.xml, key);
    } catch (error) {
      this.logger.warn({ msg: 'unreadable camunda:historyTimeToLive; the server default applies', definitionId: id, definitionKey: key, reason: (error as Error).message });
      return null;
    }
  }

  /** Up to one batch of ended root instances past their time to live whose whole tree has ended, locked. */
  private async dueRoots(q: QueryRunner, ttls: Map<string, number>, now: Date): Promise<string[]> {
    const due = [...ttls].map(([definitionId, days]) => ({ definition_id: definitionId, cutoff: removalCutoff(now, days).toISOString() }));
    const rows: { id: string }[] = await q.query(
      `SELECT p.id
         FROM process_instance p
         JOIN jsonb_to_recordset($1::jsonb) AS d(definition_id uuid, cutoff timestamptz) ON d.definition_id = p.definition_id
        WHERE p.parent_instance_id IS NULL AND p.status <> 'running' AND p.ended_at IS NOT NULL AND p.ended_at < d.cutoff
          AND NOT EXISTS (SELECT 1 FROM process_instance c WHERE c.root_instance_id = p.id AND c.status = 'running')
        ORDER BY p.ended_at, p.id
        LIMIT $2
        FOR UPDATE OF p SKIP LOCKED`,
      [JSON.stringify(due), this.config.batchSize],
    );
    return rows.map((r) => r.id);
  }

  /** Everything stored about the trees of these roots, one archive line per instance. */
  private async load(q: QueryRunner, roots: string[]): Promise<ArchivedInstance[]> {
    const instances: ArchivedInstance['instance'][] = await q.query(
      `SELECT * FROM process_instance WHERE id = ANY($1::uuid[]) OR root_instance_id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
      [roots],
    );
    const ids = instances.map((i) => i.id);
    const events: SealedEvent[] = (await q.query(`SELECT ${EVENT_COLUMNS} FROM history_event WHERE instance_id = ANY($1::uuid[]) ORDER BY instance_id, seq`, [ids])).map(toEvent);
    const tasks: Record<string, unknown>[] = await q.query(`SELECT * FROM user_task WHERE instance_id = ANY($1::uuid[]) ORDER BY created_at, id`, [ids]);
    const records: Record<string, unknown>[] = await q.query(`SELECT * FROM record WHERE instance_id = ANY($1::uuid[])`, [ids]);
    const numbers = records.map((r) => r.number);
    const links: Record<string, unknown>[] = numbers.length
      ? await q.query(`SELECT * FROM record_link WHERE from_number = ANY($1::text[]) OR to_number = ANY($1::text[]) ORDER BY from_number, to_number, kind`, [numbers])
      : [];
    return instances.map(({ snapshot: _snapshot, ...instance }) => {
      const record = records.find((r) => r.instance_id === instance.id) ?? null;
      return {
        kind: 'instance',
        instance: instance as ArchivedInstance['instance'],
        events: events.filter((e) => e.instanceId === instance.id),
        tasks: tasks.filter((t) => t.instance_id === instance.id),
        record,
        recordLinks: record ? links.filter((l) => l.from_number === record.number || l.to_number === record.number) : [],
      };
    });
  }

  /** Deletes the archived instances and counts them out of the sealed anchor (same transaction). */
  private async remove(q: QueryRunner, trees: ArchivedInstance[]): Promise<void> {
    const ids = trees.map((t) => t.instance.id);
    const numbers = trees.map((t) => t.record?.number).filter((n): n is string => typeof n === 'string');
    if (numbers.length) {
      await q.query(`DELETE FROM record_link WHERE from_number = ANY($1::text[]) OR to_number = ANY($1::text[])`, [numbers]);
      await q.query(`DELETE FROM record WHERE number = ANY($1::text[])`, [numbers]);
    }
    await q.query(`DELETE FROM history_event WHERE instance_id = ANY($1::uuid[])`, [ids]);
    await q.query(`DELETE FROM user_task WHERE instance_id = ANY($1::uuid[])`, [ids]);
    await q.query(`DELETE FROM process_instance WHERE id = ANY($1::uuid[])`, [ids]);
    const [anchor]: { instances: string; mac: string | null }[] = await q.query(`SELECT instances, mac FROM history_anchor WHERE id = 1 FOR UPDATE`);
    // An anchor that does not verify is left as it is: counting on from it would hide the change.
    if (anchor && this.ring.check('anchor', anchorMessage(Number(anchor.instances)), anchor.mac) === 'valid') {
      const instances = Number(anchor.instances) - ids.length;
      await q.query(`UPDATE history_anchor SET instances = $1, mac = $2, sealed_at = now() WHERE id = 1`, [instances, this.ring.sign('anchor', anchorMessage(instances))]);
    }
  }

  /** Creates the monthly history partitions from last month to MONTHS_AHEAD ahead (idempotent). */
  private async ensurePartitions(now: Date): Promise<void> {
    for (let ahead = -1; ahead <= MONTHS_AHEAD; ahead++) {
      const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + ahead, 1));
      try {
        await inTransaction(this.dataSource, async (q) => {
          // Waits for a running batch: creating a partition is quick, and must not be skipped.
          await q.query(`SELECT pg_advisory_xact_lock($1)`, [CLEANUP_LOCK]);
          await q.query(`SELECT history_event_ensure_month($1::timestamp)`, [month.toISOString().slice(0, 10)]);
        });
      } catch (error) {
        // E.g. rows of that month already sit in the default partition: they stay there, still found by every query.
        this.logger.warn({ msg: 'could not create a history partition', month: month.toISOString().slice(0, 7), reason: (error as Error).message });
      }
    }
  }

  /** Drops monthly partitions that ended before last month and hold no row (their history was removed). */
  private async dropEmptyPartitions(now: Date): Promise<string[]> {
    const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
    const limit = `history_event_p${lastMonth.toISOString().slice(0, 7).replace('-', '')}`;
    const partitions: { name: string }[] = await this.dataSource.query(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'history_event'::regclass AND c.relname ~ '^history_event_p[0-9]{6}$' AND c.relname < $1 ORDER BY c.relname`,
      [limit],
    );
    const dropped: string[] = [];
    for (const { name } of partitions) {
      const done = await inTransaction(this.dataSource, async (q) => {
        if (!(await this.tryLock(q))) return false;
        // Another process may have dropped it since the list was read.
        const [present] = await q.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [name]);
        if (!present.present) return false;
        await q.query(`LOCK TABLE ${quoteIdent(name)} IN ACCESS EXCLUSIVE MODE`);
        const [row] = await q.query(`SELECT EXISTS (SELECT 1 FROM ${quoteIdent(name)}) AS used`);
        if (row.used) return false;
        await q.query(`DROP TABLE ${quoteIdent(name)}`);
        return true;
      });
      if (done) dropped.push(name);
    }
    return dropped;
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
