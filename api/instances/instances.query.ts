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
  page: number;
  size: number;
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

export interface InstanceDetail extends InstanceView {
  openTasks: TaskRecord[];
  /** Instances its call activities started (those the caller may see), oldest first. */
  children: ChildInstance[];
}

/** Read side of process instances. Lists never load snapshots. */
@Injectable()
export class InstancesQuery {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(AccessService) private readonly access: AccessService,
  ) {}

  /** The instances `viewer` may see (filtered in SQL, so pages and totals count only those). */
  async list(f: InstanceFilter, viewer: AuthUser): Promise<Page<InstanceView>> {
    const p = new SqlParams([f.key ?? null, f.status ?? null, f.businessKey ?? null, f.parentInstanceId ?? null]);
    const visible = this.access.visibility(viewer, p).instance('process_instance');
    const where =
      `($1::text IS NULL OR definition_key = $1) AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR business_key = $3) ` +
      `AND ($4::uuid IS NULL OR parent_instance_id = $4) AND ${visible}`;
    const params = [...p.values];
    const limit = `LIMIT ${p.add(f.size, 'int')} OFFSET ${p.add((f.page - 1) * f.size, 'int')}`;
    const [rows, count] = await Promise.all([
      this.db.dataSource.query(`SELECT ${INSTANCE_COLUMNS} FROM process_instance WHERE ${where} ORDER BY started_at DESC, id ${limit}`, p.values),
      this.db.dataSource.query(`SELECT count(*)::int AS total FROM process_instance WHERE ${where}`, params),
    ]);
    return { items: rows.map((r: Record<string, unknown>) => view(r)), page: f.page, size: f.size, total: count[0].total };
  }

  async get(id: string, viewer: AuthUser): Promise<InstanceDetail> {
    const rows = await this.db.dataSource.query(`SELECT ${INSTANCE_COLUMNS} FROM process_instance WHERE id = $1`, [id]);
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
    return { ...view(rows[0]), openTasks: tasks.map(toTaskRecord), children: children.map(toChild) };
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
