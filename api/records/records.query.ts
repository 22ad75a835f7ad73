import { Inject, Injectable } from '@nestjs/common';
import { EngineError, EngineErrorCode, type Clock, type HistoryEventRecord } from '../../engine';
import { AccessService, SqlParams } from '../auth/access';
import type { AuthUser } from '../auth/auth-user';
import { COUNT_CAP, cappedPage, windowOf, type CappedPage } from '../common/list-window';
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
  return `${slaStatusExpr(now)} AS sla_status`;
}

/** The SLA status expression of {@link slaStatus}, without its column name. */
export function slaStatusExpr(now: string): string {
  const running = (due: string, stopped: string) => `(r.${due} IS NOT NULL AND r.${stopped} IS NULL AND r.closed_at IS NULL)`;
  return `CASE
    WHEN r.response_due_at IS NULL AND r.resolution_due_at IS NULL AND r.response_met IS NULL AND r.resolution_met IS NULL THEN NULL
    WHEN r.response_met = false OR r.resolution_met = false
      OR (${running('response_due_at', 'acknowledged_at')} AND r.response_due_at <= ${now})
      OR (${running('resolution_due_at', 'resolved_at')} AND r.resolution_due_at <= ${now}) THEN 'breached'
    WHEN r.sla_paused AND r.closed_at IS NULL THEN 'paused'
    WHEN (${running('response_due_at', 'acknowledged_at')} AND ${now} >= r.opened_at + (r.response_due_at - r.opened_at) * 0.75)
      OR (${running('resolution_due_at', 'resolved_at')} AND ${now} >= r.opened_at + (r.resolution_due_at - r.opened_at) * 0.75) THEN 'at risk'
    ELSE 'on track' END`;
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

  /**
   * The records `viewer` may see, newest first. Admins and auditors read the record table in
   * opening order (index on opened_at); everybody else reads, per principal of theirs
   * (instance_participant: a record opens when its instance starts, so its opened_at is the
   * instance's started_at) and per key they own, the newest `page × size` matching records from an
   * index (with ties), and the page is cut from their union. Totals are capped (api/common/list-window.ts);
   * without filters, the capped count of such a viewer reads indexes alone (see {@link plainCount}).
   */
  async list(f: RecordFilter, viewer: AuthUser): Promise<CappedPage<RecordView>> {
    const now = this.clock.now().toISOString();
    const page = new SqlParams([now]);
    const pageSql = `SELECT m.number FROM (${this.matches(f, viewer, page, windowOf(f))}) m
      ORDER BY m.opened_at DESC, m.number DESC LIMIT ${page.add(f.size, 'int')} OFFSET ${page.add((f.page - 1) * f.size, 'int')}`;
    const counting = new SqlParams([now]);
    // $1 (now) is used only by the sla filter; the cast keeps its type known when it is not
    const countSql = this.plainCount(f, viewer, counting) ??
      `SELECT count(*)::int AS total FROM (SELECT number FROM (${this.matches(f, viewer, counting, COUNT_CAP + 1)}) m LIMIT ${COUNT_CAP + 1}) c WHERE $1::timestamptz IS NOT NULL`;
    const [rows, count] = await Promise.all([
      this.db.query(
        `SELECT ${COLUMNS}, ${slaStatus('$1::timestamptz')} FROM (${pageSql}) pg JOIN record r ON r.number = pg.number ORDER BY r.opened_at DESC, r.number DESC`,
        page.values,
      ),
      this.db.query(countSql, counting.values),
    ]);
    return cappedPage(rows.map(toView), f, count[0].total);
  }

  /**
   * The capped count of a viewer who sees a part, without filters, from indexes alone: the first
   * COUNT_CAP + 1 instances with a record of each of their principals (the partial index
   * ix_instance_participant_records, migration 1767100000001) and of each key they own
   * (ix_record_definition_opened; more than COUNT_CAP there caps the count at once), deduplicated
   * by instance (one record per instance). Null when another count applies. `$1` is now.
   */
  private plainCount(f: RecordFilter, viewer: AuthUser, p: SqlParams): string | null {
    const filters = f.type || f.state || f.q || f.priority || f.assignee || f.openedFrom || f.openedTo || f.open !== undefined || f.sla;
    const v = this.access.visibility(viewer, p);
    if (filters || v.viewer.seesAll) return null;
    const cap = COUNT_CAP + 1;
    const participants = `SELECT x.instance_id FROM unnest(${v.principals()}) pr(principal)
        CROSS JOIN LATERAL (SELECT ip.instance_id FROM instance_participant ip WHERE ip.principal = pr.principal AND NOT ip.no_record LIMIT ${cap}) x`;
    if (!v.viewer.processOwner) return `SELECT count(*)::int AS total FROM (SELECT DISTINCT instance_id FROM (${participants}) u) c WHERE $1::timestamptz IS NOT NULL`;
    const owned = v.ownedKeys();
    return `SELECT (CASE WHEN (SELECT count(*) FROM (SELECT 1 FROM record r WHERE r.definition_key IN (${owned}) LIMIT ${cap}) o) >= ${cap} THEN ${cap}
                    ELSE (SELECT count(*) FROM (${participants}
                                                UNION SELECT r.instance_id FROM record r WHERE r.definition_key IN (${owned})) u) END)::int AS total
             WHERE $1::timestamptz IS NOT NULL`;
  }

  /** The matching records `viewer` may see, at least the first `limit` of them newest first: (number, opened_at) rows. `$1` is now. */
  private matches(f: RecordFilter, viewer: AuthUser, p: SqlParams, limit: number): string {
    const conditions: string[] = [];
    if (f.type) conditions.push(`r.type = ${p.add(f.type, 'text')}`);
    if (f.state) conditions.push(`r.state = ${p.add(f.state, 'text')}`);
    if (f.q) {
      const like = p.add(`%${escapeLike(f.q.toLowerCase())}%`, 'text');
      conditions.push(`(lower(r.number) LIKE ${like} OR lower(r.title) LIKE ${like})`);
    }
    if (f.priority) conditions.push(`r.priority = ${p.add(f.priority, 'text')}`);
    if (f.assignee) conditions.push(`r.assignee = ${p.add(f.assignee, 'text')}`);
    if (f.openedFrom) conditions.push(`r.opened_at >= ${p.add(f.openedFrom, 'timestamptz')}`);
    if (f.openedTo) conditions.push(`r.opened_at < ${p.add(f.openedTo, 'timestamptz')}`);
    if (f.open !== undefined) conditions.push(f.open ? `r.closed_at IS NULL` : `r.closed_at IS NOT NULL`);
    if (f.sla) conditions.push(`${slaStatusExpr('$1::timestamptz')} = ${p.add(f.sla, 'text')}`);
    const where = conditions.length ? conditions.join(' AND ') : 'true';
    const n = p.add(limit, 'int');
    const v = this.access.visibility(viewer, p);
    if (v.viewer.seesAll) return `SELECT r.number, r.opened_at FROM record r WHERE ${where} ORDER BY r.opened_at DESC, r.number DESC LIMIT ${n}`;
    // WITH TIES: records opened at the same instant as the last one kept stay candidates (the final order breaks ties by number)
    return `SELECT x.number, x.opened_at FROM unnest(${v.principals()}) pr(principal)
              CROSS JOIN LATERAL (SELECT r.number, r.opened_at FROM instance_participant ip JOIN record r ON r.instance_id = ip.instance_id
                                   WHERE ip.principal = pr.principal AND NOT ip.no_record AND ${where}
                                   ORDER BY ip.started_at DESC FETCH FIRST (${n}) ROWS WITH TIES) x
            UNION
            SELECT x.number, x.opened_at FROM (${v.ownedKeys()}) ok
              CROSS JOIN LATERAL (SELECT r.number, r.opened_at FROM record r JOIN process_instance i ON i.id = r.instance_id
                                   WHERE i.definition_key = ok.definition_key AND ${where}
                                   ORDER BY i.started_at DESC FETCH FIRST (${n}) ROWS WITH TIES) x`;
  }

  async get(number: string, viewer: AuthUser): Promise<RecordDetail> {
    const p = new SqlParams([number, this.clock.now().toISOString()]);
    const visible = this.access.visibility(viewer, p).instance('i');
    const rows = await this.db.query(
      `SELECT ${COLUMNS}, r.fields, ${slaStatus('$2::timestamptz')} FROM record r JOIN process_instance i ON i.id = r.instance_id WHERE r.number = $1 AND ${visible}`,
      p.values,
    );
    if (!rows[0]) throw new EngineError(EngineErrorCode.RecordNotFound, `no record ${number}`);
    const record = toView(rows[0]);
    const instances = await this.db.query(
      `SELECT id, definition_key, definition_version, status, parent_instance_id, started_at, ended_at FROM process_instance
        WHERE id = $1 OR root_instance_id = $1 ORDER BY started_at, id`,
      [record.instanceId],
    );
    const lp = new SqlParams([number]);
    const linkedVisible = this.access.visibility(viewer, lp).instance('i');
    const links = await this.db.query(
      `SELECT l.direction, l.number, l.kind, l.created_at, l.created_by, o.type, o.state, o.title
         FROM (SELECT 'outgoing' AS direction, to_number AS number, kind, created_at, created_by FROM record_link WHERE from_number = $1
               UNION ALL
               SELECT 'incoming', from_number, kind, created_at, created_by FROM record_link WHERE to_number = $1) l
         JOIN record o ON o.number = l.number JOIN process_instance i ON i.id = o.instance_id
        WHERE ${linkedVisible}
        ORDER BY l.created_at, l.number, l.kind`,
      lp.values,
    );
    const timeline = await this.db.query(
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
