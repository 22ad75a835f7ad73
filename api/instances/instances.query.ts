import { Inject, Injectable } from '@nestjs/common';
import { EngineError, EngineErrorCode, type InstanceView, type TaskRecord } from '../../engine';
import { AccessService, SqlParams } from '../auth/access';
import type { AuthUser } from '../auth/auth-user';
import { COUNT_CAP, cappedPage, windowOf, type CappedPage } from '../common/list-window';
import { Database } from '../database/database';
import { INSTANCE_COLUMNS, TASK_COLUMNS, toInstanceRecord, toTaskRecord } from '../engine-host/rows';

export interface InstanceFilter {
  key?: string;
  status?: string;
  businessKey?: string;
  parentInstanceId?: string;
  /** The record number of the instance (its own record, else its root instance's). */
  recordNumber?: string;
  /** Started at or after / before (ISO date or date-time). */
  startedFrom?: string;
  startedTo?: string;
  startedBy?: string;
  /** Instances with a task assigned to or completed by this user. */
  assignee?: string;
  /** Only instances started by a call activity (true) or only top-level ones (false). */
  called?: boolean;
  page: number;
  size: number;
}

/** An instance in a list: with the number and title of the record it works on (null: none). */
export interface InstanceListItem extends InstanceView {
  recordNumber: string | null;
  recordTitle: string | null;
}

/** An instance started by one of the instance's call activities. */
export interface ChildInstance {
  id: string;
  definitionKey: string;
  definitionVersion: number;
  businessKey: string | null;
  status: string;
  /** The call activity that started it, and its execution. */
  parentElementId: string | null;
  parentExecutionId: string | null;
  startedAt: string;
  endedAt: string | null;
}

export interface InstanceDetail extends InstanceListItem {
  openTasks: TaskRecord[];
  /** Instances its call activities started (those the caller may see), oldest first. */
  children: ChildInstance[];
}

// The record of the instance, else of its root instance (a called process works on the caller's record).
const INSTANCE_RECORD_JOIN = `LEFT JOIN LATERAL (SELECT rr.number, rr.title FROM record rr
    WHERE rr.instance_id = process_instance.id OR rr.instance_id = process_instance.root_instance_id
    ORDER BY (rr.instance_id = process_instance.id) DESC LIMIT 1) r ON true`;

/** Read side of process instances. Lists never load snapshots. */
@Injectable()
export class InstancesQuery {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(AccessService) private readonly access: AccessService,
  ) {}

  /**
   * The instances `viewer` may see (filtered in SQL, so pages and totals count only those), newest
   * first. Admins and auditors read the instances in start order (index on started_at); everybody
   * else reads, per principal of theirs (instance_participant) and per key they own, the newest
   * `page × size` matching instances from an index, and the page is cut from their union. Totals
   * are capped (api/common/list-window.ts).
   */
  async list(f: InstanceFilter, viewer: AuthUser): Promise<CappedPage<InstanceListItem>> {
    const page = new SqlParams();
    const pageSql = `SELECT m.id FROM (${this.matches(f, viewer, page, windowOf(f))}) m
      ORDER BY m.started_at DESC, m.id LIMIT ${page.add(f.size, 'int')} OFFSET ${page.add((f.page - 1) * f.size, 'int')}`;
    const counting = new SqlParams();
    const countSql = `SELECT count(*)::int AS total FROM (SELECT id FROM (${this.matches(f, viewer, counting, COUNT_CAP + 1)}) m LIMIT ${COUNT_CAP + 1}) c`;
    const columns = INSTANCE_COLUMNS.split(',').map((c) => `process_instance.${c.trim()}`).join(', ');
    const [rows, count] = await Promise.all([
      this.db.query(
        `SELECT ${columns}, r.number AS record_number, r.title AS record_title
           FROM (${pageSql}) pg JOIN process_instance ON process_instance.id = pg.id ${INSTANCE_RECORD_JOIN}
          ORDER BY process_instance.started_at DESC, process_instance.id`,
        page.values,
      ),
      this.db.query(countSql, counting.values),
    ]);
    const items = rows.map((r: Record<string, unknown>) => ({ ...view(r), recordNumber: (r.record_number as string) ?? null, recordTitle: (r.record_title as string) ?? null }));
    return cappedPage(items, f, count[0].total);
  }

  /** The matching instances `viewer` may see, at most `limit` of them, newest first: (id, started_at) rows. */
  private matches(f: InstanceFilter, viewer: AuthUser, p: SqlParams, limit: number): string {
    const conditions: string[] = [];
    if (f.key) conditions.push(`process_instance.definition_key = ${p.add(f.key, 'text')}`);
    if (f.status) conditions.push(`process_instance.status = ${p.add(f.status, 'text')}`);
    if (f.businessKey) conditions.push(`process_instance.business_key = ${p.add(f.businessKey, 'text')}`);
    if (f.parentInstanceId) conditions.push(`process_instance.parent_instance_id = ${p.add(f.parentInstanceId, 'uuid')}`);
    if (f.recordNumber) conditions.push(`r.number = ${p.add(f.recordNumber, 'text')}`);
    if (f.startedFrom) conditions.push(`process_instance.started_at >= ${p.add(f.startedFrom, 'timestamptz')}`);
    if (f.startedTo) conditions.push(`process_instance.started_at < ${p.add(f.startedTo, 'timestamptz')}`);
    if (f.startedBy) conditions.push(`process_instance.started_by = ${p.add(f.startedBy, 'text')}`);
    if (f.assignee) {
      const who = p.add(f.assignee, 'text');
      conditions.push(`EXISTS (SELECT 1 FROM user_task at WHERE at.instance_id = process_instance.id AND (at.assignee = ${who} OR at.completed_by = ${who}))`);
    }
    if (f.called !== undefined) conditions.push(`process_instance.parent_instance_id IS ${f.called ? 'NOT ' : ''}NULL`);
    const where = conditions.length ? conditions.join(' AND ') : 'true';
    // the record join only where a filter needs it (the page's rows get theirs afterwards)
    const recordJoin = f.recordNumber ? INSTANCE_RECORD_JOIN : '';
    const n = p.add(limit, 'int');
    const v = this.access.visibility(viewer, p);
    const order = `process_instance.started_at DESC, process_instance.id`;
    if (v.viewer.seesAll) return `SELECT process_instance.id, process_instance.started_at FROM process_instance ${recordJoin} WHERE ${where} ORDER BY ${order} LIMIT ${n}`;
    // no filter: the participant index alone answers (a join would let the planner hash the whole range)
    const participants = conditions.length
      ? `SELECT process_instance.id, process_instance.started_at FROM instance_participant ip
           JOIN process_instance ON process_instance.id = ip.instance_id ${recordJoin}
          WHERE ip.principal = pr.principal AND ${where}`
      : `SELECT ip.instance_id AS id, ip.started_at FROM instance_participant ip WHERE ip.principal = pr.principal`;
    return `SELECT x.id, x.started_at FROM unnest(${v.principals()}) pr(principal)
              CROSS JOIN LATERAL (${participants}
                                   ORDER BY ip.started_at DESC, ip.instance_id LIMIT ${n}) x
            UNION
            SELECT x.id, x.started_at FROM (${v.ownedKeys()}) ok
              CROSS JOIN LATERAL (SELECT process_instance.id, process_instance.started_at FROM process_instance ${recordJoin}
                                   WHERE process_instance.definition_key = ok.definition_key AND ${where}
                                   ORDER BY ${order} LIMIT ${n}) x`;
  }

  async get(id: string, viewer: AuthUser): Promise<InstanceDetail> {
    const columns = INSTANCE_COLUMNS.split(',').map((c) => `process_instance.${c.trim()}`).join(', ');
    const rows = await this.db.query(
      `SELECT ${columns}, r.number AS record_number, r.title AS record_title FROM process_instance ${INSTANCE_RECORD_JOIN} WHERE process_instance.id = $1`,
      [id],
    );
    if (!rows[0]) throw new EngineError(EngineErrorCode.InstanceNotFound, `no process instance with id "${id}"`);
    const tasks = await this.db.query(
      `SELECT ${TASK_COLUMNS} FROM user_task WHERE instance_id = $1 AND status = 'open' ORDER BY created_at`,
      [id],
    );
    const p = new SqlParams([id]);
    const visible = this.access.visibility(viewer, p).instance('c');
    const children = await this.db.query(
      `SELECT c.id, c.definition_key, c.definition_version, c.business_key, c.status, c.parent_element_id, c.parent_execution_id, c.started_at, c.ended_at
         FROM process_instance c WHERE c.parent_instance_id = $1 AND ${visible} ORDER BY c.started_at, c.id`,
      p.values,
    );
    const record = { recordNumber: rows[0].record_number ?? null, recordTitle: rows[0].record_title ?? null };
    return { ...view(rows[0]), ...record, openTasks: tasks.map(toTaskRecord), children: children.map(toChild) };
  }
}

function view(row: Record<string, unknown>): InstanceView {
  const { snapshot: _s, history: _h, ...rest } = toInstanceRecord(row);
  return rest;
}

function toChild(r: Record<string, any>): ChildInstance { // eslint-disable-line @typescript-eslint/no-explicit-any -- raw pg row
  return {
    id: r.id,
    definitionKey: r.definition_key,
    definitionVersion: r.definition_version,
    businessKey: r.business_key,
    status: r.status,
    parentElementId: r.parent_element_id,
    parentExecutionId: r.parent_execution_id,
    startedAt: new Date(r.started_at).toISOString(),
    endedAt: r.ended_at ? new Date(r.ended_at).toISOString() : null,
  };
}
