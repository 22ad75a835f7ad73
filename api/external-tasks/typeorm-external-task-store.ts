import type { QueryRunner } from 'typeorm';
import type { AvailableTaskFilter, ExternalTaskRecord, ExternalTaskStore } from '../../engine';
import { SqlParams } from '../auth/access';

/** The columns of external_task, in {@link toExternalTask}'s shape. */
export const EXTERNAL_TASK_COLUMNS = `t.id, t.instance_id, t.definition_id, t.definition_key, t.definition_version, t.business_key, t.element_id, t.element_type,
  t.execution_id, t.topic, t.priority, t.locals, t.worker_id, t.lock_expires_at, t.retries, t.error_message, t.error_details, t.retry_at,
  t.incident_id, t.created_at`;

/** PostgreSQL NOTIFY channel of new and released external tasks (the payload is the topic). */
export const EXTERNAL_TASK_CHANNEL = 'external_task';

/** External task rows on one command's transaction (part of the command store). */
export class TypeormExternalTaskStore implements ExternalTaskStore {
  constructor(private readonly q: QueryRunner) {}

  async insertExternalTasks(tasks: ExternalTaskRecord[]): Promise<void> {
    if (!tasks.length) return;
    await this.q.query(
      `INSERT INTO external_task (id, instance_id, definition_id, definition_key, definition_version, business_key, element_id, element_type,
                                  execution_id, topic, priority, locals, worker_id, lock_expires_at, retries, error_message, error_details,
                                  retry_at, incident_id, created_at)
       SELECT id, instance_id, definition_id, definition_key, definition_version, business_key, element_id, element_type, execution_id, topic,
              priority, COALESCE(locals, '{}'), worker_id, lock_expires_at, retries, error_message, error_details, retry_at, incident_id, created_at
         FROM jsonb_to_recordset($1::jsonb) AS t(id uuid, instance_id uuid, definition_id uuid, definition_key text, definition_version int,
              business_key text, element_id text, element_type text, execution_id text, topic text, priority bigint, locals jsonb, worker_id text,
              lock_expires_at timestamptz, retries int, error_message text, error_details text, retry_at timestamptz, incident_id uuid,
              created_at timestamptz)`,
      [JSON.stringify(tasks.map(toRow))],
    );
  }

  async instanceExternalTasks(instanceId: string): Promise<ExternalTaskRecord[]> {
    const rows = await this.q.query(`SELECT ${EXTERNAL_TASK_COLUMNS} FROM external_task t WHERE t.instance_id = $1 ORDER BY t.created_at, t.id FOR UPDATE`, [instanceId]);
    return rows.map(toExternalTask);
  }

  async getExternalTask(id: string, lock: boolean): Promise<ExternalTaskRecord | null> {
    const rows = await this.q.query(`SELECT ${EXTERNAL_TASK_COLUMNS} FROM external_task t WHERE t.id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    return rows[0] ? toExternalTask(rows[0]) : null;
  }

  async deleteExternalTasks(ids: string[]): Promise<void> {
    if (ids.length) await this.q.query(`DELETE FROM external_task WHERE id = ANY($1::uuid[])`, [ids]);
  }

  async updateExternalTask(task: ExternalTaskRecord): Promise<void> {
    await this.q.query(
      `UPDATE external_task SET worker_id = $2, lock_expires_at = $3, retries = $4, error_message = $5, error_details = $6, retry_at = $7, incident_id = $8
        WHERE id = $1`,
      [task.id, task.workerId, task.lockExpiresAt, task.retries, task.errorMessage, task.errorDetails, task.retryAt, task.incidentId],
    );
  }

  async lockAvailableExternalTasks(filter: AvailableTaskFilter): Promise<(ExternalTaskRecord & { lockDuration: number; topicIndex: number })[]> {
    if (!filter.topics.length || filter.limit <= 0) return [];
    const p = new SqlParams();
    const now = p.add(filter.now, 'timestamptz');
    const cases: string[] = [];
    const matches = filter.topics.map((topic, index) => {
      const where = [`t.topic = ${p.add(topic.topicName, 'text')}`];
      if (topic.businessKey != null) where.push(`t.business_key = ${p.add(topic.businessKey, 'text')}`);
      const ids = [...(topic.processDefinitionId ? [topic.processDefinitionId] : []), ...(topic.processDefinitionIdIn ?? [])];
      if (ids.length) where.push(`t.definition_id::text = ANY(${p.add(ids, 'text[]')})`);
      const keys = [...(topic.processDefinitionKey ? [topic.processDefinitionKey] : []), ...(topic.processDefinitionKeyIn ?? [])];
      if (keys.length) where.push(`t.definition_key = ANY(${p.add(keys, 'text[]')})`);
      if (topic.processDefinitionVersionTag != null) {
        where.push(`EXISTS (SELECT 1 FROM process_definition d WHERE d.id = t.definition_id AND d.version_tag = ${p.add(topic.processDefinitionVersionTag, 'text')})`);
      }
      if (topic.processVariables && Object.keys(topic.processVariables).length) where.push(`i.variables @> ${p.add(JSON.stringify(topic.processVariables), 'jsonb')}`);
      const condition = `(${where.join(' AND ')})`;
      cases.push(`WHEN ${condition} THEN ${index}`);
      return condition;
    });
    const order = filter.usePriority ? 't.priority DESC, t.created_at, t.id' : 't.created_at, t.id';
    const rows = await this.q.query(
      `SELECT ${EXTERNAL_TASK_COLUMNS}, CASE ${cases.join(' ')} END AS topic_index
         FROM external_task t JOIN process_instance i ON i.id = t.instance_id
        WHERE i.status = 'running' AND t.incident_id IS NULL
          AND (t.lock_expires_at IS NULL OR t.lock_expires_at <= ${now})
          AND (t.retry_at IS NULL OR t.retry_at <= ${now})
          AND (${matches.join(' OR ')})
        ORDER BY ${order}
        LIMIT ${p.add(filter.limit, 'int')}
        FOR UPDATE OF t, i SKIP LOCKED`,
      p.values,
    );
    return rows.map((r: Record<string, unknown>) => {
      const topicIndex = Number(r.topic_index);
      return { ...toExternalTask(r), topicIndex, lockDuration: filter.topics[topicIndex]!.lockDuration };
    });
  }

  async notifyExternalTopics(topics: string[]): Promise<void> {
    for (const topic of new Set(topics)) await this.q.query(`SELECT pg_notify($1, $2)`, [EXTERNAL_TASK_CHANNEL, topic.slice(0, 255)]);
  }
}

function toRow(t: ExternalTaskRecord): Record<string, unknown> {
  return {
    id: t.id, instance_id: t.instanceId, definition_id: t.definitionId, definition_key: t.definitionKey, definition_version: t.definitionVersion,
    business_key: t.businessKey, element_id: t.elementId, element_type: t.elementType, execution_id: t.executionId, topic: t.topic, priority: t.priority,
    locals: t.locals, worker_id: t.workerId, lock_expires_at: t.lockExpiresAt, retries: t.retries, error_message: t.errorMessage,
    error_details: t.errorDetails, retry_at: t.retryAt, incident_id: t.incidentId, created_at: t.createdAt,
  };
}

/** A row of {@link EXTERNAL_TASK_COLUMNS} as the engine's record. */
export function toExternalTask(r: Record<string, unknown>): ExternalTaskRecord {
  return {
    id: String(r.id),
    instanceId: String(r.instance_id),
    definitionId: String(r.definition_id),
    definitionKey: String(r.definition_key),
    definitionVersion: Number(r.definition_version),
    businessKey: (r.business_key as string | null) ?? null,
    elementId: String(r.element_id),
    elementType: String(r.element_type),
    executionId: String(r.execution_id),
    topic: String(r.topic),
    priority: Number(r.priority),
    locals: (r.locals as Record<string, unknown> | null) ?? {},
    workerId: (r.worker_id as string | null) ?? null,
    lockExpiresAt: iso(r.lock_expires_at),
    retries: r.retries === null || r.retries === undefined ? null : Number(r.retries),
    errorMessage: (r.error_message as string | null) ?? null,
    errorDetails: (r.error_details as string | null) ?? null,
    retryAt: iso(r.retry_at),
    incidentId: (r.incident_id as string | null) ?? null,
    createdAt: iso(r.created_at)!,
  };
}

function iso(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return (value instanceof Date ? value : new Date(String(value))).toISOString();
}
