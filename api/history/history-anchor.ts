import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { HistoryKeyring, anchorMessage, sealEvent, sealHead, verifyChain, type HistoryEventRecord } from '../../engine';
import { inTransaction } from '../database/transaction';
import { EVENT_COLUMNS, toEvent } from './history-rows';

const logger = new Logger('history');

/** What the start found about the history anchor. */
export interface AnchorState {
  sealed: boolean;
  legacyInstances: number;
  sealedNow?: { instances: number; events: number; refused: { instanceId: string; reason: string }[] };
}

/**
 * Run once per start, after the migrations. The anchor row seals how many instances exist.
 * - Sealed: its key must be one this server holds, else the start stops (a lost or wrong key
 *   would otherwise go unnoticed until the next audit).
 * - Unsealed, no instance yet (a new database): sealed now.
 * - Unsealed with instances (history written before keyed history): left as is, and reported by
 *   verification, unless HISTORY_SEAL_LEGACY=true: then every legacy chain that still verifies
 *   as plain SHA-256 is sealed, once (trust on first use: run it right after the upgrade), chains
 *   that do not verify stay unsealed and are logged, and the anchor is sealed. Once the anchor is
 *   sealed the flag does nothing.
 */
export async function initialiseHistoryAnchor(dataSource: DataSource, ring: HistoryKeyring, sealLegacy: boolean): Promise<AnchorState> {
  return inTransaction(dataSource, async (q) => {
    const rows: { instances: string; mac: string | null }[] = await q.query(`SELECT instances, mac FROM history_anchor WHERE id = 1 FOR UPDATE`);
    if (rows[0]?.mac) {
      const keyId = HistoryKeyring.keyIdOfSeal(rows[0].mac);
      if (!keyId || !ring.knows(keyId)) {
        throw new Error(
          `the history of this database is sealed with key ${keyId ?? '(unreadable)'}, which this server does not hold (its key is ${ring.keyId}): ` +
            'set HISTORY_KEY to that key (or HISTORY_KEY_FILE to its file), or list it in HISTORY_PREVIOUS_KEYS after a rotation',
        );
      }
      if (sealLegacy) logger.warn({ msg: 'HISTORY_SEAL_LEGACY ignored: history is sealed already; remove the setting' });
      return { sealed: true, legacyInstances: 0 };
    }
    // Counted only when unsealed: a sealed start (the usual one) does not scan the instances (0.16 s at 1.1 M).
    const count = Number((await q.query(`SELECT count(*)::int AS n FROM process_instance`))[0].n);
    if (!rows[0] && count > 0) {
      logger.error({ msg: 'the history anchor row is missing: verification reports it; restore it from a backup', instances: count });
      return { sealed: false, legacyInstances: count };
    }
    if (count === 0) {
      await q.query(
        `INSERT INTO history_anchor (id, instances, mac, sealed_at) VALUES (1, 0, $1, now())
         ON CONFLICT (id) DO UPDATE SET instances = 0, mac = EXCLUDED.mac, sealed_at = EXCLUDED.sealed_at`,
        [ring.sign('anchor', anchorMessage(0))],
      );
      return { sealed: true, legacyInstances: 0 };
    }
    if (!sealLegacy) {
      logger.warn({
        msg: 'history written before keyed history is not sealed: verification reports it; restart once with HISTORY_SEAL_LEGACY=true to seal it',
        instances: count,
      });
      return { sealed: false, legacyInstances: count };
    }
    const sealedNow = await sealLegacyChains(q, ring);
    await q.query(`UPDATE history_anchor SET instances = $1, mac = $2, sealed_at = now() WHERE id = 1`, [count, ring.sign('anchor', anchorMessage(count))]);
    logger.warn({ msg: 'legacy history sealed (HISTORY_SEAL_LEGACY): remove the setting now', instances: count, ...sealedNow, refused: sealedNow.refused.length });
    for (const r of sealedNow.refused) logger.error({ msg: 'legacy history chain left unsealed: it does not verify', ...r });
    return { sealed: true, legacyInstances: 0, sealedNow: { ...sealedNow, instances: count } };
  });
}

type Query = { query(sql: string, params?: unknown[]): Promise<any> }; // eslint-disable-line @typescript-eslint/no-explicit-any -- TypeORM QueryRunner

/** Seals the unsealed events and heads of every chain that verifies as plain SHA-256. */
async function sealLegacyChains(q: Query, ring: HistoryKeyring): Promise<{ events: number; refused: { instanceId: string; reason: string }[] }> {
  const refused: { instanceId: string; reason: string }[] = [];
  let events = 0;
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const instances: { id: string; history_seq: number; history_hash: string | null; history_mac: string | null }[] = await q.query(
      `SELECT id, history_seq, history_hash, history_mac FROM process_instance WHERE id > $1 ORDER BY id LIMIT 200`,
      [after],
    );
    if (!instances.length) break;
    after = instances[instances.length - 1]!.id;
    for (const i of instances) {
      const rows = await q.query(`SELECT ${EVENT_COLUMNS} FROM history_event WHERE instance_id = $1 ORDER BY seq`, [i.id]);
      const chain: (HistoryEventRecord & { mac: string | null })[] = rows.map(toEvent);
      const head = { seq: i.history_seq, hash: i.history_hash };
      const verdict = verifyChain(chain, head);
      if (!verdict.valid) {
        refused.push({ instanceId: i.id, reason: `event #${verdict.firstInvalid!.seq}: ${verdict.firstInvalid!.reason}` });
        continue;
      }
      const unsealed = chain.filter((e) => !e.mac);
      if (unsealed.length) {
        await q.query(
          `UPDATE history_event h SET mac = s.mac FROM jsonb_to_recordset($2::jsonb) AS s(seq int, mac text) WHERE h.instance_id = $1 AND h.seq = s.seq AND h.mac IS NULL`,
          [i.id, JSON.stringify(unsealed.map((e) => ({ seq: e.seq, mac: sealEvent(ring, e.hash) })))],
        );
        events += unsealed.length;
      }
      if (!i.history_mac) await q.query(`UPDATE process_instance SET history_mac = $2 WHERE id = $1`, [i.id, sealHead(ring, i.id, head)]);
    }
  }
  return { events, refused };
}
