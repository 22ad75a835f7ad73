import { Inject, Injectable } from '@nestjs/common';
import { EngineError, EngineErrorCode, type Clock, type HistoryEventRecord } from '../../engine';
import { AccessService, SqlParams } from '../auth/access';
import type { AuthUser } from '../auth/auth-user';
import type { Page } from '../common/validation';
import { Database } from '../database/database';
import { CLOCK } from '../engine-host/tokens';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw rows of reviewed SQL, read column by column
type Row = Record<string, any>;

export interface RecordFilter {
  type?: string;
  state?: string;
  q?: string;
  priority?: string;
  assignee?: string;
  /** Opened at or after / before (ISO date or date-time). */
  openedFrom?: string;
  openedTo?: string;
  /** SLA status now. */
  sla?: 'breached' | 'at risk' | 'on track' | 'paused';
  /** Only open (not closed) or only closed records. */
  open?: boolean;
  page: number;
  size: number;
}

export type SlaStatus = 'breached' | 'at risk' | 'on track' | 'paused' | null;

export interface RecordView {
  number: string;
  type: string;
  instanceId: string;
  definitionKey: string;
  state: string;
  title: string | null;
  priority: string | null;
  assignee: string | null;
  openedBy: string | null;
  openedAt: string;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  sla: {
    status: SlaStatus;
    responseDueAt: string | null;
    responseMet: boolean | null;
    resolutionDueAt: string | null;
    resolutionMet: boolean | null;
    paused: boolean;
  };
  updatedAt: string;
}

export interface RecordLinkView {
  number: string;
  kind: string;
  /** outgoing: this record → number; incoming: number → this record. */
  direction: 'outgoing' | 'incoming';
  type: string;
  state: string;
  title: string | null;
  createdAt: string;
  createdBy: string | null;
}

export interface RecordDetail extends RecordView {
  fields: Record<string, unknown>;
  instances: { id: string; definitionKey: string; definitionVersion: number; status: string; parentInstanceId: string | null; startedAt: string; endedAt: string | null }[];
  links: RecordLinkView[];
  timeline: HistoryEventRecord[];
}

const COLUMNS = `r.number, r.type, r.instance_id, r.definition_key, r.state, r.title, r.priority, r.assignee, r.opened_by, r.opened_at,
  r.acknowledged_at, r.resolved_at, r.closed_at, r.response_due_at, r.response_met, r.resolution_due_at, r.resolution_met, r.sla_paused, r.updated_at`;

/**
 * SLA status at `now` from the stored due dates and met flags: paused while a clock is paused;
 * breached when a stopped target was missed or a running one is past due; at risk once 75 % of the
 * wall time from opening to a running due date has passed; on track otherwise; null without SLA.
 */
export function slaStatus(now: string): string {
  const running = (due: string, stopped: string) => `(r.${due} IS NOT NULL AND r.${stopped} IS NULL AND r.closed_at IS NULL)`;
  return `CASE
    WHEN r.response_due_at IS NULL AND r.resolution_due_at IS NULL AND r.response_met IS NULL AND r.resolution_met IS NULL THEN NULL
    WHEN r.response_met = false OR r.resolution_met = false
      OR (${running('response_due_at', 'acknowledged_at')} AND r.response_due_at <= ${now})
      OR (${running('resolution_due_at', 'resolved_at')} AND r.resolution_due_at <= ${now}) THEN 'breached'
    WHEN r.sla_paused AND r.closed_at IS NULL THEN 'paused'
    WHEN (${running('response_due_at', 'acknowledged_at')} AND ${now} >= r.opened_at + (r.response_due_at - r.opened_at) * 0.75)
      OR (${running('resolution_due_at', 'resolved_at')} AND ${now} >= r.opened_at + (r.resolution_due_at - r.opened_at) * 0.75) THEN 'at risk'
    ELSE 'on track' END AS sla_status`;
}

/**
 * The nearest running SLA target of the record (alias `r`): the response target until it is
 * acknowledged, the resolution target until it is resolved; NULL when closed, paused or without SLA.
 */
export const SLA_DUE_AT = `(CASE WHEN r.closed_at IS NULL AND NOT r.sla_paused THEN LEAST(
    CASE WHEN r.acknowledged_at IS NULL THEN r.response_due_at END, CASE WHEN r.resolved_at IS NULL THEN r.resolution_due_at END) END)`;

/** Read side of ITSM records: visible to whoever may see the record's instance (api/auth/access.ts). */
@Injectable()
export class RecordsQuery {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(AccessService) private readonly access: AccessService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async list(f: RecordFilter, viewer: AuthUser): Promise<Page<RecordView>> {
    const now = this.clock.now().toISOString();
    const p = new SqlParams([f.type ?? null, f.state ?? null, f.q ? `%${escapeLike(f.q.toLowerCase())}%` : null, now]);
    const visible = this.access.visibility(viewer, p).instance('i');
    const conditions = [
      `($1::text IS NULL OR r.type = $1)`,
      `($2::text IS NULL OR r.state = $2)`,
      `($3::text IS NULL OR lower(r.number) LIKE $3 OR lower(r.title) LIKE $3)`,
      visible,
    ];
    if (f.priority) conditions.push(`r.priority = ${p.add(f.priority, 'text')}`);
    if (f.assignee) conditions.push(`r.assignee = ${p.add(f.assignee, 'text')}`);
    if (f.openedFrom) conditions.push(`r.opened_at >= ${p.add(f.openedFrom, 'timestamptz')}`);
    if (f.openedTo) conditions.push(`r.opened_at < ${p.add(f.openedTo, 'timestamptz')}`);
    if (f.open !== undefined) conditions.push(f.open ? `r.closed_at IS NULL` : `r.closed_at IS NOT NULL`);
    // the status expression is a CASE over the row: filter on it in an outer query
    const sla = f.sla ? p.add(f.sla, 'text') : null;
    const where = conditions.join(' AND ');
    const params = [...p.values];
    const limit = `LIMIT ${p.add(f.size, 'int')} OFFSET ${p.add((f.page - 1) * f.size, 'int')}`;
    const inner = `SELECT ${COLUMNS}, ${slaStatus('$4::timestamptz')} FROM record r JOIN process_instance i ON i.id = r.instance_id WHERE ${where}`;
    const slaWhere = sla ? `WHERE x.sla_status = ${sla}` : '';
    const [rows, count] = await Promise.all([
      this.db.dataSource.query(`SELECT * FROM (${inner}) x ${slaWhere} ORDER BY x.opened_at DESC, x.number DESC ${limit}`, p.values),
      this.db.dataSource.query(`SELECT count(*)::int AS total FROM (${inner}) x ${slaWhere}`, params),
    ]);
    return { items: rows.map(toView), page: f.page, size: f.size, total: count[0].total };
  }

  async get(number: string, viewer: AuthUser): Promise<RecordDetail> {
    const p = new SqlParams([number, this.clock.now().toISOString()]);
    const visible = this.access.visibility(viewer, p).instance('i');
    const rows = await this.db.dataSource.query(
      `SELECT ${COLUMNS}, r.fields, ${slaStatus('$2::timestamptz')} FROM record r JOIN process_instance i ON i.id = r.instance_id WHERE r.number = $1 AND ${visible}`,
      p.values,
    );
    if (!rows[0]) throw new EngineError(EngineErrorCode.RecordNotFound, `no record ${number}`);
    const record = toView(rows[0]);
    const instances = await this.db.dataSource.query(
      `SELECT id, definition_key, definition_version, status, parent_instance_id, started_at, ended_at FROM process_instance
        WHERE id = $1 OR root_instance_id = $1 ORDER BY started_at, id`,
      [record.instanceId],
    );
    const lp = new SqlParams([number]);
    const linkedVisible = this.access.visibility(viewer, lp).instance('i');
    const links = await this.db.dataSource.query(
      `SELECT l.direction, l.number, l.kind, l.created_at, l.created_by, o.type, o.state, o.title
         FROM (SELECT 'outgoing' AS direction, to_number AS number, kind, created_at, created_by FROM record_link WHERE from_number = $1
               UNION ALL
               SELECT 'incoming', from_number, kind, created_at, created_by FROM record_link WHERE to_number = $1) l
         JOIN record o ON o.number = l.number JOIN process_instance i ON i.id = o.instance_id
        WHERE ${linkedVisible}
        ORDER BY l.created_at, l.number, l.kind`,
      lp.values,
    );
    const timeline = await this.db.dataSource.query(
      `SELECT instance_id, seq, type, element_id, element_type, execution_id, actor, payload, occurred_at, prev_hash, hash FROM history_event
        WHERE instance_id = ANY($1::uuid[]) ORDER BY occurred_at, instance_id, seq LIMIT 5000`,
      [instances.map((i: { id: string }) => i.id)],
    );
    return {
      ...record,
      fields: rows[0].fields ?? {},
      instances: instances.map((i: Row) => ({
        id: i.id, definitionKey: i.definition_key, definitionVersion: i.definition_version, status: i.status,
        parentInstanceId: i.parent_instance_id, startedAt: iso(i.started_at)!, endedAt: iso(i.ended_at),
      })),
      links: links.map((l: Row) => ({
        number: l.number, kind: l.kind, direction: l.direction, type: l.type, state: l.state, title: l.title, createdAt: iso(l.created_at)!, createdBy: l.created_by,
      })),
      timeline: timeline.map((e: Row) => ({
        instanceId: e.instance_id, seq: e.seq, type: e.type, elementId: e.element_id, elementType: e.element_type, executionId: e.execution_id,
        actor: e.actor, payload: e.payload, occurredAt: iso(e.occurred_at)!, prevHash: e.prev_hash, hash: e.hash,
      })),
    };
  }
}

function toView(r: Row): RecordView {
  return {
    number: r.number,
    type: r.type,
    instanceId: r.instance_id,
    definitionKey: r.definition_key,
    state: r.state,
    title: r.title,
    priority: r.priority,
    assignee: r.assignee,
    openedBy: r.opened_by,
    openedAt: iso(r.opened_at)!,
    acknowledgedAt: iso(r.acknowledged_at),
    resolvedAt: iso(r.resolved_at),
    closedAt: iso(r.closed_at),
    sla: {
      status: r.sla_status ?? null,
      responseDueAt: iso(r.response_due_at),
      responseMet: r.response_met,
      resolutionDueAt: iso(r.resolution_due_at),
      resolutionMet: r.resolution_met,
      paused: r.sla_paused,
    },
    updatedAt: iso(r.updated_at)!,
  };
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function iso(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString();
}
