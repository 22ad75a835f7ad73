import { Inject, Injectable } from '@nestjs/common';
import { canonicalJson, EngineError, EngineErrorCode, verifyChain, type ChainVerdict, type HistoryEventRecord, type InstanceView } from '../../engine';
import { Database } from '../database/database';
import { INSTANCE_COLUMNS, toInstanceRecord } from '../engine-host/rows';
import { replaySteps, type ReplayStep } from './replay';

export interface InstanceReplay {
  instance: InstanceView;
  steps: ReplayStep[];
  /** The replayed variables after the last event equal the instance's stored variables. */
  consistent: boolean;
}

const COLUMNS = 'instance_id, seq, type, element_id, element_type, execution_id, actor, payload, occurred_at, prev_hash, hash';

/** Reads an instance's append-only history and verifies its hash chain. */
@Injectable()
export class HistoryQuery {
  constructor(@Inject(Database) private readonly db: Database) {}

  async events(instanceId: string): Promise<HistoryEventRecord[]> {
    await this.head(instanceId);
    const rows = await this.db.dataSource.query(`SELECT ${COLUMNS} FROM history_event WHERE instance_id = $1 ORDER BY seq`, [instanceId]);
    return rows.map(toEvent);
  }

  async verify(instanceId: string): Promise<ChainVerdict & { firstInvalidEvent: HistoryEventRecord | null }> {
    const head = await this.head(instanceId);
    const rows = await this.db.dataSource.query(`SELECT ${COLUMNS} FROM history_event WHERE instance_id = $1 ORDER BY seq`, [instanceId]);
    const events: HistoryEventRecord[] = rows.map(toEvent);
    const verdict = verifyChain(events, head);
    const firstInvalidEvent = verdict.firstInvalid ? (events.find((e) => e.seq === verdict.firstInvalid!.seq) ?? null) : null;
    return { ...verdict, firstInvalidEvent };
  }

  /** The history with the tokens and variables after every event (see replay.ts). */
  async replay(instanceId: string): Promise<InstanceReplay> {
    const [row] = await this.db.dataSource.query(`SELECT ${INSTANCE_COLUMNS} FROM process_instance WHERE id = $1`, [instanceId]);
    if (!row) throw new EngineError(EngineErrorCode.InstanceNotFound, `no process instance with id "${instanceId}"`);
    const { snapshot: _s, history: _h, ...instance } = toInstanceRecord(row);
    const rows = await this.db.dataSource.query(`SELECT ${COLUMNS} FROM history_event WHERE instance_id = $1 ORDER BY seq`, [instanceId]);
    const { steps, variables } = replaySteps(rows.map(toEvent));
    return { instance, steps, consistent: canonicalJson(withoutNulls(variables)) === canonicalJson(withoutNulls(instance.variables)) };
  }

  private async head(instanceId: string): Promise<{ seq: number; hash: string | null }> {
    const rows = await this.db.dataSource.query(`SELECT history_seq, history_hash FROM process_instance WHERE id = $1`, [instanceId]);
    if (!rows[0]) throw new EngineError(EngineErrorCode.InstanceNotFound, `no process instance with id "${instanceId}"`);
    return { seq: rows[0].history_seq, hash: rows[0].history_hash };
  }
}

function toEvent(r: Record<string, any>): HistoryEventRecord { // eslint-disable-line @typescript-eslint/no-explicit-any -- raw pg row
  return {
    instanceId: r.instance_id,
    seq: r.seq,
    type: r.type,
    elementId: r.element_id,
    elementType: r.element_type,
    executionId: r.execution_id,
    actor: r.actor,
    payload: r.payload,
    occurredAt: new Date(r.occurred_at).toISOString(),
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

/** The engine records a removed variable as null: compare without them. */
function withoutNulls(variables: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(variables ?? {}).filter(([, v]) => v !== null));
}
