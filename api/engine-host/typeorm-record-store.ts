import type { QueryRunner } from 'typeorm';
import type { NewRecord, NewRecordLink, RecordPatch, RecordRow, RecordStore, RecordType } from '../../engine';

/** The columns of a {@link RecordRow}. */
export const RECORD_ROW_COLUMNS = 'number, type, instance_id, state, acknowledged_at, resolved_at, closed_at';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw pg row or JSON
export function toRecordRow(r: any): RecordRow {
  return { number: r.number, type: r.type, instanceId: r.instance_id, state: r.state, acknowledgedAt: iso(r.acknowledged_at), resolvedAt: iso(r.resolved_at), closedAt: iso(r.closed_at) };
}

/** Records, their counters and links on one transaction's QueryRunner (part of the command store). */
export class TypeormRecordStore implements RecordStore {
  constructor(protected readonly q: QueryRunner) {}

  async allocateRecordSeq(type: RecordType): Promise<number> {
    // The upsert locks the counter row until the transaction ends: allocations of a type serialise,
    // and a rolled-back transaction gives its number back (no gaps).
    const rows = await this.q.query(
      `INSERT INTO record_counter (type, last_value) VALUES ($1, 1)
       ON CONFLICT (type) DO UPDATE SET last_value = record_counter.last_value + 1
       RETURNING last_value`,
      [type],
    );
    return Number(rows[0].last_value);
  }

  async insertRecord(r: NewRecord): Promise<void> {
    await this.q.query(
      `INSERT INTO record (number, type, seq, instance_id, definition_key, state, opened_by, opened_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`,
      [r.number, r.type, r.seq, r.instanceId, r.definitionKey, r.state, r.openedBy, r.openedAt],
    );
  }

  async recordOfInstance(instanceId: string): Promise<RecordRow | null> {
    const rows = await this.q.query(`SELECT ${RECORD_ROW_COLUMNS} FROM record WHERE instance_id = $1`, [instanceId]);
    return rows[0] ? toRecordRow(rows[0]) : null;
  }

  async updateRecord(number: string, p: RecordPatch): Promise<void> {
    await this.q.query(
      `UPDATE record SET state = $2, title = $3, priority = $4, assignee = $5, acknowledged_at = $6, resolved_at = $7, closed_at = $8,
              response_due_at = $9, response_met = $10, response_elapsed_ms = $11, resolution_due_at = $12, resolution_met = $13,
              resolution_elapsed_ms = $14, sla_paused = $15, fields = $16, updated_at = $17
        WHERE number = $1`,
      [
        number, p.state, p.title, p.priority, p.assignee, p.acknowledgedAt, p.resolvedAt, p.closedAt, p.responseDueAt, p.responseMet,
        p.responseElapsedMs, p.resolutionDueAt, p.resolutionMet, p.resolutionElapsedMs, p.slaPaused, JSON.stringify(p.fields), p.updatedAt,
      ],
    );
  }

  async existingRecords(numbers: string[]): Promise<string[]> {
    if (!numbers.length) return [];
    const rows = await this.q.query(`SELECT number FROM record WHERE number = ANY($1::text[])`, [numbers]);
    return rows.map((r: { number: string }) => r.number);
  }

  async insertRecordLinks(links: NewRecordLink[]): Promise<NewRecordLink[]> {
    if (!links.length) return [];
    const rows = await this.q.query(
      `INSERT INTO record_link (from_number, to_number, kind, created_at, created_by)
       SELECT l.from_number, l.to_number, l.kind, l.created_at, l.created_by
         FROM jsonb_to_recordset($1::jsonb) AS l(from_number text, to_number text, kind text, created_at timestamptz, created_by text)
       ON CONFLICT DO NOTHING
       RETURNING from_number, to_number, kind, created_at, created_by`,
      [JSON.stringify(links.map((l) => ({ from_number: l.from, to_number: l.to, kind: l.kind, created_at: l.createdAt, created_by: l.createdBy })))],
    );
    return rows.map((r: Record<string, unknown>) => ({ from: r.from_number, to: r.to_number, kind: r.kind, createdAt: iso(r.created_at)!, createdBy: r.created_by ?? null }) as NewRecordLink);
  }
}

function iso(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString();
}
