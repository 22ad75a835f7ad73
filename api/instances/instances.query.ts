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
  page: number;
  size: number;
}

export interface InstanceDetail extends InstanceView {
  openTasks: TaskRecord[];
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
    const p = new SqlParams([f.key ?? null, f.status ?? null, f.businessKey ?? null]);
    const visible = this.access.visibility(viewer, p).instance('process_instance');
    const where = `($1::text IS NULL OR definition_key = $1) AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR business_key = $3) AND ${visible}`;
    const params = [...p.values];
    const limit = `LIMIT ${p.add(f.size, 'int')} OFFSET ${p.add((f.page - 1) * f.size, 'int')}`;
    const [rows, count] = await Promise.all([
      this.db.dataSource.query(`SELECT ${INSTANCE_COLUMNS} FROM process_instance WHERE ${where} ORDER BY started_at DESC, id ${limit}`, p.values),
      this.db.dataSource.query(`SELECT count(*)::int AS total FROM process_instance WHERE ${where}`, params),
    ]);
    return { items: rows.map((r: Record<string, unknown>) => view(r)), page: f.page, size: f.size, total: count[0].total };
  }

  async get(id: string): Promise<InstanceDetail> {
    const rows = await this.db.dataSource.query(`SELECT ${INSTANCE_COLUMNS} FROM process_instance WHERE id = $1`, [id]);
    if (!rows[0]) throw new EngineError(EngineErrorCode.InstanceNotFound, `no process instance with id "${id}"`);
    const tasks = await this.db.dataSource.query(
      `SELECT ${TASK_COLUMNS} FROM user_task WHERE instance_id = $1 AND status = 'open' ORDER BY created_at`,
      [id],
    );
    return { ...view(rows[0]), openTasks: tasks.map(toTaskRecord) };
  }
}

function view(row: Record<string, unknown>): InstanceView {
  const { snapshot: _s, history: _h, ...rest } = toInstanceRecord(row);
  return rest;
}
