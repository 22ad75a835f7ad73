import type { QueryRunner } from 'typeorm';
import {
  EngineError,
  EngineErrorCode,
  type CommandStore,
  type DefinitionRecord,
  type HistoryEventRecord,
  type IdempotentResult,
  type InstancePatch,
  type InstanceRecord,
  type NewDefinition,
  type TaskClosure,
  type TaskRecord,
  type VariableHistoryEntry,
  HistoryKeyring,
  anchorMessage,
  sealEvent,
  sealHead,
} from '../../engine';
import { TypeormMessagingStore } from './typeorm-messaging-store';
import { TypeormDecisionStore } from './typeorm-decision-store';
import { TypeormRecordStore } from './typeorm-record-store';
import { TypeormFormStore } from './typeorm-form-store';
import { TypeormExternalTaskStore } from '../external-tasks/typeorm-external-task-store';
import { toDefinitionRecord, toInstanceRecord, toTaskRecord, DEFINITION_COLUMNS, INSTANCE_COLUMNS, TASK_COLUMNS } from './rows';

/** PostgreSQL unique_violation. */
const UNIQUE_VIOLATION = '23505';

/**
 * The engine's storage port on one TypeORM QueryRunner that holds an open transaction.
 * Raw, reviewed SQL; each method is one round trip.
 */
export class TypeormCommandStore extends TypeormMessagingStore implements CommandStore {
  readonly decisions: TypeormDecisionStore;
  readonly records: TypeormRecordStore;
  readonly forms: TypeormFormStore;
  readonly externalTasks: TypeormExternalTaskStore;

  /** Instances this transaction inserted: the history anchor counts them before commit. */
  private started = 0;

  constructor(
    q: QueryRunner,
    private readonly ring: HistoryKeyring,
  ) {
    super(q);
    this.decisions = new TypeormDecisionStore(q);
    this.records = new TypeormRecordStore(q);
    this.forms = new TypeormFormStore(q);
    this.externalTasks = new TypeormExternalTaskStore(q);
  }

  /** This command's transaction, for API features whose rows commit with a command (deploy approvals). */
  get queryRunner(): QueryRunner {
    return this.q;
  }

  async lockDefinitionKey(key: string): Promise<void> {
    await this.q.query(`SELECT pg_advisory_xact_lock(hashtext('process_definition:' || $1))`, [key]);
  }

  async latestDefinition(key: string): Promise<DefinitionRecord | null> {
    const rows = await this.q.query(`SELECT ${DEFINITION_COLUMNS} FROM process_definition WHERE key = $1 ORDER BY version DESC LIMIT 1`, [key]);
    return rows[0] ? toDefinitionRecord(rows[0]) : null;
  }

  async insertDefinition(d: NewDefinition): Promise<DefinitionRecord> {
    const rows = await this.q.query(
      `INSERT INTO process_definition (id, key, version, version_tag, name, xml, serialized, sha256, state, warnings, deployed_by, deployed_at)
       VALUES ($1, $2, (SELECT COALESCE(MAX(version), 0) + 1 FROM process_definition WHERE key = $2), $3, $4, $5, $6, $7, $8, $9, $10, $11)
       RETURNING ${DEFINITION_COLUMNS}`,
      [d.id, d.key, d.versionTag, d.name, d.xml, d.serialized, d.sha256, d.state, JSON.stringify(d.warnings), d.deployedBy, d.deployedAt],
    );
    return toDefinitionRecord(rows[0]);
  }

  async getDefinition(id: string): Promise<DefinitionRecord | null> {
    const rows = await this.q.query(`SELECT ${DEFINITION_COLUMNS} FROM process_definition WHERE id = $1`, [id]);
    return rows[0] ? toDefinitionRecord(rows[0]) : null;
  }

  async getDefinitionContext(id: string): Promise<string | null> {
    const rows = await this.q.query(`SELECT serialized FROM process_definition WHERE id = $1`, [id]);
    return rows[0]?.serialized ?? null;
  }

  async insertInstance(i: InstanceRecord): Promise<void> {
    await this.q.query(
      `INSERT INTO process_instance (id, definition_id, definition_key, definition_version, business_key, status, snapshot, variables,
         active_element_ids, revision, started_by, started_at, ended_at, end_reason, history_seq, history_hash,
         parent_instance_id, parent_element_id, parent_execution_id, root_instance_id, history_mac)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`,
      [
        i.id, i.definitionId, i.definitionKey, i.definitionVersion, i.businessKey, i.status, jsonOrNull(i.snapshot), JSON.stringify(i.variables),
        i.activeElementIds, i.revision, i.startedBy, i.startedAt, i.endedAt, i.endReason, i.history.seq, i.history.hash,
        i.parentInstanceId ?? null, i.parentElementId ?? null, i.parentExecutionId ?? null, i.rootInstanceId ?? null, sealHead(this.ring, i.id, i.history),
      ],
    );
    this.started++;
  }

  /**
   * Last statements before COMMIT: counts the instances this transaction started into the sealed
   * history anchor. The anchor row is locked only from here to the commit. An anchor that is
   * missing, unsealed or whose seal does not match its count is left as it is: counting on from a
   * changed count would hide the change (verification reports it).
   */
  async beforeCommit(): Promise<void> {
    if (!this.started) return;
    const rows: { instances: string; mac: string | null }[] = await this.q.query(`SELECT instances, mac FROM history_anchor WHERE id = 1 FOR UPDATE`);
    const anchor = rows[0];
    if (anchor && this.ring.check('anchor', anchorMessage(Number(anchor.instances)), anchor.mac) === 'valid') {
      const instances = Number(anchor.instances) + this.started;
      await this.q.query(`UPDATE history_anchor SET instances = $1, mac = $2, sealed_at = now() WHERE id = 1`, [instances, this.ring.sign('anchor', anchorMessage(instances))]);
    }
    this.started = 0;
  }

  async lockInstance(id: string): Promise<InstanceRecord | null> {
    const rows = await this.q.query(`SELECT ${INSTANCE_COLUMNS}, snapshot FROM process_instance WHERE id = $1 FOR UPDATE`, [id]);
    return rows[0] ? toInstanceRecord(rows[0]) : null;
  }

  async updateInstance(id: string, expectedRevision: number, p: InstancePatch): Promise<void> {
    const { records: rows } = await this.q.query(
      `UPDATE process_instance
          SET status = $3, snapshot = $4, variables = $5, active_element_ids = $6, ended_at = $7, end_reason = $8,
              history_seq = $9, history_hash = $10, history_mac = $11, revision = revision + 1
        WHERE id = $1 AND revision = $2
       RETURNING revision`,
      [id, expectedRevision, p.status, jsonOrNull(p.snapshot), JSON.stringify(p.variables), p.activeElementIds, p.endedAt, p.endReason, p.history.seq, p.history.hash, sealHead(this.ring, id, p.history)],
      true,
    );
    if (rows.length !== 1) {
      throw new EngineError(EngineErrorCode.RevisionConflict, `process instance ${id} changed concurrently`, { retryable: true, details: { expectedRevision } });
    }
  }

  async getTask(id: string): Promise<TaskRecord | null> {
    const rows = await this.q.query(`SELECT ${TASK_COLUMNS} FROM user_task WHERE id = $1`, [id]);
    return rows[0] ? toTaskRecord(rows[0]) : null;
  }

  async insertTasks(tasks: TaskRecord[]): Promise<void> {
    if (!tasks.length) return;
    // One statement for all new tasks: unnest() over parallel arrays.
    await this.q.query(
      `INSERT INTO user_task (id, instance_id, definition_key, element_id, execution_id, name, assignee, candidate_users, candidate_groups,
                              due_at, follow_up_at, priority, form_key, status, created_at)
       SELECT t.id, t.instance_id, t.definition_key, t.element_id, t.execution_id, t.name, t.assignee,
              ARRAY(SELECT jsonb_array_elements_text(t.cu)), ARRAY(SELECT jsonb_array_elements_text(t.cg)),
              t.due_at, t.follow_up_at, t.priority, t.form_key, 'open', t.created_at
         FROM jsonb_to_recordset($1::jsonb) AS t(id uuid, instance_id uuid, definition_key text, element_id text, execution_id text, name text,
              assignee text, cu jsonb, cg jsonb, due_at timestamptz, follow_up_at timestamptz, priority int, form_key text, created_at timestamptz)`,
      [
        JSON.stringify(
          tasks.map((t) => ({
            id: t.id, instance_id: t.instanceId, definition_key: t.definitionKey, element_id: t.elementId, execution_id: t.executionId, name: t.name,
            assignee: t.assignee, cu: t.candidateUsers, cg: t.candidateGroups, due_at: t.dueAt, follow_up_at: t.followUpAt, priority: t.priority,
            form_key: t.formKey, created_at: t.createdAt,
          })),
        ),
      ],
    );
  }

  async setTaskAssignee(id: string, assignee: string | null): Promise<void> {
    await this.q.query(`UPDATE user_task SET assignee = $2 WHERE id = $1 AND status = 'open'`, [id, assignee]);
  }

  async closeTasks(instanceId: string, closures: TaskClosure[]): Promise<TaskRecord[]> {
    if (!closures.length) return [];
    const { records: rows } = await this.q.query(
      `UPDATE user_task AS u
          SET status = c.status, completed_at = c.at, completed_by = c.by, submitted = c.submitted
         FROM jsonb_to_recordset($2::jsonb) AS c(execution_id text, status text, at timestamptz, by text, submitted jsonb)
        WHERE u.instance_id = $1 AND u.execution_id = c.execution_id AND u.status = 'open'
       RETURNING ${TASK_COLUMNS.replace(/(^|, )([a-z_]+)/g, '$1u.$2')}`,
      [instanceId, JSON.stringify(closures.map((c) => ({ execution_id: c.executionId, status: c.status, at: c.at, by: c.by, submitted: c.submitted })))],
      true, // structured result: TypeORM returns [rows, count] for UPDATE otherwise
    );
    return rows.map(toTaskRecord);
  }

  async openTasks(instanceId: string): Promise<TaskRecord[]> {
    const rows = await this.q.query(`SELECT ${TASK_COLUMNS} FROM user_task WHERE instance_id = $1 AND status = 'open' ORDER BY created_at`, [instanceId]);
    return rows.map(toTaskRecord);
  }

  async completedTasksAt(instanceId: string, elementIds: string[]): Promise<TaskRecord[]> {
    if (!elementIds.length) return [];
    const rows = await this.q.query(
      `SELECT ${TASK_COLUMNS} FROM user_task WHERE instance_id = $1 AND element_id = ANY($2) AND status = 'completed' ORDER BY completed_at`,
      [instanceId, elementIds],
    );
    return rows.map(toTaskRecord);
  }

  async variableHistory(instanceId: string, names: string[]): Promise<VariableHistoryEntry[]> {
    if (!names.length) return [];
    const rows: { type: VariableHistoryEntry['type']; occurred_at: Date; vals: Record<string, unknown> }[] = await this.q.query(
      `SELECT h.type, h.occurred_at, f.vals
         FROM history_event h
         CROSS JOIN LATERAL (SELECT CASE WHEN h.type = 'variables.changed' THEN h.payload->'changes' ELSE h.payload->'variables' END AS vars) AS p
         CROSS JOIN LATERAL (
           SELECT COALESCE(jsonb_object_agg(v.key, v.value), '{}'::jsonb) AS vals
             FROM jsonb_each(CASE WHEN jsonb_typeof(p.vars) = 'object' THEN p.vars ELSE '{}'::jsonb END) AS v(key, value)
            WHERE v.key = ANY($2)
         ) AS f
        WHERE h.instance_id = $1 AND h.type IN ('instance.started', 'variables.changed', 'task.completed') AND f.vals <> '{}'::jsonb
        ORDER BY h.seq`,
      [instanceId, names],
    );
    return rows.map((r) => ({ type: r.type, occurredAt: new Date(r.occurred_at).toISOString(), values: r.vals }));
  }

  async appendHistory(events: HistoryEventRecord[]): Promise<void> {
    if (!events.length) return;
    await this.q.query(
      `INSERT INTO history_event (instance_id, seq, type, element_id, element_type, execution_id, actor, payload, occurred_at, prev_hash, hash, mac)
       SELECT e.instance_id, e.seq, e.type, e.element_id, e.element_type, e.execution_id, e.actor, e.payload, e.occurred_at, e.prev_hash, e.hash, e.mac
         FROM jsonb_to_recordset($1::jsonb) AS e(instance_id uuid, seq int, type text, element_id text, element_type text, execution_id text,
              actor text, payload jsonb, occurred_at timestamptz, prev_hash text, hash text, mac text)`,
      [
        JSON.stringify(
          events.map((e) => ({
            instance_id: e.instanceId, seq: e.seq, type: e.type, element_id: e.elementId, element_type: e.elementType, execution_id: e.executionId,
            actor: e.actor, payload: e.payload, occurred_at: e.occurredAt, prev_hash: e.prevHash, hash: e.hash, mac: sealEvent(this.ring, e.hash),
          })),
        ),
      ],
    );
  }

  async findCalledDefinition(key: string, select: { version?: number | null; versionTag?: string | null }): Promise<DefinitionRecord | null> {
    const rows = await this.q.query(
      `SELECT ${DEFINITION_COLUMNS} FROM process_definition
        WHERE key = $1 AND ($2::int IS NULL OR version = $2) AND ($3::text IS NULL OR version_tag = $3) AND ($2::int IS NOT NULL OR state = 'active')
        ORDER BY version DESC LIMIT 1`,
      [key, select.version ?? null, select.versionTag ?? null],
    );
    return rows[0] ? toDefinitionRecord(rows[0]) : null;
  }

  async runningChildren(parentInstanceId: string): Promise<{ id: string; parentExecutionId: string | null }[]> {
    const rows = await this.q.query(
      `SELECT id, parent_execution_id FROM process_instance WHERE parent_instance_id = $1 AND status = 'running' ORDER BY started_at, id`,
      [parentInstanceId],
    );
    return rows.map((r: { id: string; parent_execution_id: string | null }) => ({ id: r.id, parentExecutionId: r.parent_execution_id }));
  }

  async findIdempotent(scope: string, key: string): Promise<IdempotentResult | null> {
    const rows = await this.q.query(`SELECT request_hash, result FROM idempotency_key WHERE scope = $1 AND key = $2`, [scope, key]);
    return rows[0] ? { requestHash: rows[0].request_hash, result: rows[0].result } : null;
  }

  async saveIdempotent(scope: string, key: string, value: IdempotentResult): Promise<void> {
    try {
      await this.q.query(`INSERT INTO idempotency_key (scope, key, request_hash, result) VALUES ($1, $2, $3, $4)`, [
        scope, key, value.requestHash, JSON.stringify(value.result),
      ]);
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) {
        // Another request stored the key first: retrying the command replays its answer.
        throw new EngineError(EngineErrorCode.RevisionConflict, `idempotency key "${key}" is being used concurrently`, { retryable: true });
      }
      throw error;
    }
  }
}

function jsonOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}
