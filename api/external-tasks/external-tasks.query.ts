import { Inject, Injectable } from '@nestjs/common';
import type { z } from 'zod';
import { EngineError, EngineErrorCode, externalTaskView, type ExternalTaskView } from '../../engine';
import { SqlParams } from '../auth/access';
import { Database } from '../database/database';
import type { ListSchema } from './external-tasks.service';
import { EXTERNAL_TASK_COLUMNS, toExternalTask } from './typeorm-external-task-store';

/** Reads external task rows for lists and single tasks (outside commands). */
@Injectable()
export class ExternalTasksQuery {
  constructor(@Inject(Database) private readonly db: Database) {}

  async get(id: string): Promise<ExternalTaskView> {
    const rows = await this.db.dataSource.query(`SELECT ${EXTERNAL_TASK_COLUMNS} FROM external_task t WHERE t.id = $1`, [id]);
    if (!rows[0]) throw new EngineError(EngineErrorCode.ExternalTaskNotFound, `no external task with id "${id}"`);
    return externalTaskView(toExternalTask(rows[0]));
  }

  async list(q: z.infer<typeof ListSchema>): Promise<{ items: ExternalTaskView[]; page: number; size: number; total: number }> {
    const p = new SqlParams();
    const where: string[] = [];
    const eq = (column: string, value: unknown, cast: string) => value !== undefined && where.push(`${column} = ${p.add(value, cast)}`);
    eq('t.id', q.id, 'uuid');
    eq('t.topic', q.topicName, 'text');
    eq('t.worker_id', q.workerId, 'text');
    eq('t.instance_id', q.processInstanceId, 'uuid');
    eq('t.definition_id', q.processDefinitionId, 'uuid');
    eq('t.definition_key', q.processDefinitionKey, 'text');
    eq('t.element_id', q.activityId, 'text');
    eq('t.business_key', q.businessKey, 'text');
    if (q.priorityHigherThanOrEquals !== undefined) where.push(`t.priority >= ${p.add(q.priorityHigherThanOrEquals, 'bigint')}`);
    if (q.priorityLowerThanOrEquals !== undefined) where.push(`t.priority <= ${p.add(q.priorityLowerThanOrEquals, 'bigint')}`);
    if (q.locked === true) where.push('t.lock_expires_at > now()');
    if (q.locked === false) where.push('(t.lock_expires_at IS NULL OR t.lock_expires_at <= now())');
    if (q.withRetriesLeft === true) where.push('(t.retries IS NULL OR t.retries > 0)');
    if (q.withRetriesLeft === false) where.push('t.retries = 0');
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const count = await this.db.dataSource.query(`SELECT count(*)::int AS n FROM external_task t ${filter}`, p.values);
    const rows = await this.db.dataSource.query(
      `SELECT ${EXTERNAL_TASK_COLUMNS} FROM external_task t ${filter} ORDER BY t.created_at, t.id LIMIT ${p.add(q.size, 'int')} OFFSET ${p.add((q.page - 1) * q.size, 'int')}`,
      p.values,
    );
    return { items: rows.map((r: Record<string, unknown>) => externalTaskView(toExternalTask(r))), page: q.page, size: q.size, total: Number(count[0].n) };
  }
}
