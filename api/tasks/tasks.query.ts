import { Inject, Injectable } from '@nestjs/common';
import { EngineError, EngineErrorCode, type TaskRecord } from '../../engine';
import { AccessService, SqlParams } from '../auth/access';
import type { AuthUser } from '../auth/auth-user';
import type { Page } from '../common/validation';
import { Database } from '../database/database';
import { TASK_COLUMNS, toTaskRecord } from '../engine-host/rows';
import { TASK_FORM_ID_COLUMN } from '../engine-host/typeorm-form-store';

export interface TaskFilter {
  assignee?: string;
  candidateGroup?: string;
  candidateUser?: string;
  instanceId?: string;
  status?: string;
  page: number;
  size: number;
}

/** Read side of user tasks: most important first (priority), then soonest due. */
@Injectable()
export class TasksQuery {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(AccessService) private readonly access: AccessService,
  ) {}

  /** The tasks `viewer` may see (filtered in SQL, so pages and totals count only those). */
  async list(f: TaskFilter, viewer: AuthUser): Promise<Page<TaskRecord>> {
    const p = new SqlParams([f.assignee ?? null, f.candidateGroup ?? null, f.candidateUser ?? null, f.instanceId ?? null, f.status ?? 'open']);
    const visible = this.access.visibility(viewer, p).task('user_task');
    const where = `($1::text IS NULL OR assignee = $1)
       AND ($2::text IS NULL OR candidate_groups @> ARRAY[$2::text])
       AND ($3::text IS NULL OR candidate_users @> ARRAY[$3::text])
       AND ($4::uuid IS NULL OR instance_id = $4)
       AND status = $5
       AND ${visible}`;
    const params = [...p.values];
    const limit = `LIMIT ${p.add(f.size, 'int')} OFFSET ${p.add((f.page - 1) * f.size, 'int')}`;
    const [rows, count] = await Promise.all([
      this.db.dataSource.query(`SELECT ${TASK_COLUMNS}, ${TASK_FORM_ID_COLUMN} FROM user_task WHERE ${where} ORDER BY priority DESC, due_at ASC NULLS LAST, created_at ASC, id ${limit}`, p.values),
      this.db.dataSource.query(`SELECT count(*)::int AS total FROM user_task WHERE ${where}`, params),
    ]);
    return { items: rows.map(withFormId), page: f.page, size: f.size, total: count[0].total };
  }

  async get(id: string): Promise<TaskRecord> {
    const rows = await this.db.dataSource.query(`SELECT ${TASK_COLUMNS}, ${TASK_FORM_ID_COLUMN} FROM user_task WHERE id = $1`, [id]);
    if (!rows[0]) throw new EngineError(EngineErrorCode.TaskNotFound, `no task with id "${id}"`);
    return withFormId(rows[0]);
  }
}

/** A task as the API shows it: with the id of its deployed form (null: none, or an external form key). */
function withFormId(row: Record<string, unknown>): TaskRecord & { formId: string | null } {
  return { ...toTaskRecord(row), formId: (row.form_id as string | null) ?? null };
}
