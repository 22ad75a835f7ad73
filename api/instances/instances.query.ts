import { Inject, Injectable } from '@nestjs/common';
import { EngineError, EngineErrorCode, type InstanceView, type TaskRecord } from '../../engine';
import { AccessService, SqlParams } from '../auth/access';
import type { AuthUser } from '../auth/auth-user';
import type { Page } from '../common/validation';
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

  /** The instances `viewer` may see (filtered in SQL, so pages and totals count only those). */
  async list(f: InstanceFilter, viewer: AuthUser): Promise<Page<InstanceListItem>> {
    const p = new SqlParams([f.key ?? null, f.status ?? null, f.businessKey ?? null, f.parentInstanceId ?? null]);
    const visible = this.access.visibility(viewer, p).instance('process_instance');
    const conditions = [
      `($1::text IS NULL OR process_instance.definition_key = $1)`,
      `($2::text IS NULL OR process_instance.status = $2)`,
      `($3::text IS NULL OR process_instance.business_key = $3)`,
      `($4::uuid IS NULL OR process_instance.parent_instance_id = $4)`,
      visible,
    ];
    if (f.recordNumber) conditions.push(`r.number = ${p.add(f.recordNumber, 'text')}`);
    if (f.startedFrom) conditions.push(`process_instance.started_at >= ${p.add(f.startedFrom, 'timestamptz')}`);
    if (f.startedTo) conditions.push(`process_instance.started_at < ${p.add(f.startedTo, 'timestamptz')}`);
    if (f.startedBy) conditions.push(`process_instance.started_by = ${p.add(f.startedBy, 'text')}`);
    if (f.assignee) {
      const who = p.add(f.assignee, 'text');
      conditions.push(`EXISTS (SELECT 1 FROM user_task at WHERE at.instance_id = process_instance.id AND (at.assignee = ${who} OR at.completed_by = ${who}))`);
    }
    if (f.called !== undefined) conditions.push(`process_instance.parent_instance_id IS ${f.called ? 'NOT ' : ''}NULL`);
    const where = conditions.join(' AND ');
    const params = [...p.values];
    const limit = `LIMIT ${p.add(f.size, 'int')} OFFSET ${p.add((f.page - 1) * f.size, 'int')}`;
    const columns = INSTANCE_COLUMNS.split(',').map((c) => `process_instance.${c.trim()}`).join(', ');
    const [rows, count] = await Promise.all([
      this.db.dataSource.query(
        `SELECT ${columns}, r.number AS record_number, r.title AS record_title FROM process_instance ${INSTANCE_RECORD_JOIN}
          WHERE ${where} ORDER BY process_instance.started_at DESC, process_instance.id ${limit}`,
        p.values,
      ),
      this.db.dataSource.query(`SELECT count(*)::int AS total FROM process_instance ${INSTANCE_RECORD_JOIN} WHERE ${where}`, params),
    ]);
    return {
      items: rows.map((r: Record<string, unknown>) => ({ ...view(r), recordNumber: (r.record_number as string) ?? null, recordTitle: (r.record_title as string) ?? null })),
      page: f.page,
      size: f.size,
      total: count[0].total,
    };
  }

  async get(id: string, viewer: AuthUser): Promise<InstanceDetail> {
    const columns = INSTANCE_COLUMNS.split(',').map((c) => `process_instance.${c.trim()}`).join(', ');
    const rows = await this.db.dataSource.query(
      `SELECT ${columns}, r.number AS record_number, r.title AS record_title FROM process_instance ${INSTANCE_RECORD_JOIN} WHERE process_instance.id = $1`,
      [id],
    );
    if (!rows[0]) throw new EngineError(EngineErrorCode.InstanceNotFound, `no process instance with id "${id}"`);
    const tasks = await this.db.dataSource.query(
      `SELECT ${TASK_COLUMNS} FROM user_task WHERE instance_id = $1 AND status = 'open' ORDER BY created_at`,
      [id],
    );
    const p = new SqlParams([id]);
    const visible = this.access.visibility(viewer, p).instance('c');
    const children = await this.db.dataSource.query(
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
