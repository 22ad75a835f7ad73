import type { QueryRunner } from 'typeorm';
import {
  EngineError,
  EngineErrorCode,
  type HistoryEventRecord,
  type HistoryKeyring,
  type InstancePatch,
  type InstanceRecord,
  type TaskClosure,
  type TaskRecord,
  anchorMessage,
  sealEvent,
  sealHead,
} from '../../engine';

/** Tables whose writes a batch holds back: a statement naming one of them flushes the batch first. */
const BATCHED_TABLES = /\b(user_task|history_event|process_instance|history_anchor)\b/;

/** The history anchor as this process last wrote or read it (valid seal); shared by the process's transactions. */
export interface AnchorCache {
  value: { instances: number; mac: string } | null;
}

interface InstanceUpdate {
  expectedRevision: number;
  patch: InstancePatch;
}

/**
 * The writes of one command, held back and sent as ONE statement (data-modifying CTEs) just before
 * the next statement that reads or writes the same tables, at the latest before COMMIT: new task
 * rows, closed tasks, history events, the new or updated instance row (revision compare-and-set)
 * and the sealed history anchor. All parts of one statement see the same snapshot, so a part never
 * depends on another: a row written twice (an instance inserted then updated, a task closed twice)
 * is merged here, or the batch is flushed before the second write.
 */
export class WriteBatch {
  private tasks: TaskRecord[] = [];
  private closures: { instanceId: string; closure: TaskClosure }[] = [];
  private history: HistoryEventRecord[] = [];
  private inserts = new Map<string, InstanceRecord>();
  private updates = new Map<string, InstanceUpdate>();
  private anchor: { expected: { instances: number; mac: string }; next: { instances: number; mac: string } } | null = null;

  constructor(
    private readonly raw: QueryRunner,
    private readonly ring: HistoryKeyring,
  ) {}

  /**
   * A QueryRunner whose `query` flushes this batch before any statement that names a batched
   * table, and while a new instance row is held back, before any statement that is not a SELECT.
   */
  guard(): QueryRunner {
    const raw = this.raw;
    const query = async (text: string, params?: unknown[], structured?: boolean) => {
      // A new instance row goes first when another table's row may reference it (foreign keys).
      if (!this.empty && (BATCHED_TABLES.test(text) || (this.inserts.size && !/^\s*SELECT\b/i.test(text)))) await this.flush();
      return raw.query(text, params, structured as true);
    };
    return new Proxy(raw, { get: (target, prop) => (prop === 'query' ? query : Reflect.get(target, prop, target)) });
  }

  get empty(): boolean {
    return !this.tasks.length && !this.closures.length && !this.history.length && !this.inserts.size && !this.updates.size && !this.anchor;
  }

  /** True when a new task row of `executionId` is waiting in the batch. */
  private inserting(instanceId: string, executionId: string): boolean {
    return this.tasks.some((t) => t.instanceId === instanceId && t.executionId === executionId);
  }

  async insertTasks(tasks: TaskRecord[]): Promise<void> {
    this.tasks.push(...tasks);
  }

  async closeTasks(instanceId: string, closures: TaskClosure[]): Promise<void> {
    const pending = closures.some((c) => this.inserting(instanceId, c.executionId) || this.closures.some((p) => p.instanceId === instanceId && p.closure.executionId === c.executionId));
    if (pending) await this.flush();
    this.closures.push(...closures.map((closure) => ({ instanceId, closure })));
  }

  async appendHistory(events: HistoryEventRecord[]): Promise<void> {
    this.history.push(...events);
  }

  async insertInstance(instance: InstanceRecord): Promise<void> {
    if (this.inserts.has(instance.id) || this.updates.has(instance.id)) await this.flush();
    this.inserts.set(instance.id, { ...instance });
  }

  async updateInstance(id: string, expectedRevision: number, patch: InstancePatch): Promise<void> {
    const inserted = this.inserts.get(id);
    if (inserted && inserted.revision === expectedRevision) {
      this.inserts.set(id, { ...inserted, ...patch, revision: expectedRevision + 1 });
      return;
    }
    if (inserted || this.updates.has(id)) await this.flush();
    this.updates.set(id, { expectedRevision, patch });
  }

  /** Counts `started` instances into the sealed anchor, if the anchor still holds `expected` (else the flush answers false). */
  setAnchor(expected: { instances: number; mac: string }, started: number): { instances: number; mac: string } {
    const instances = expected.instances + started;
    this.anchor = { expected, next: { instances, mac: this.ring.sign('anchor', anchorMessage(instances)) } };
    return this.anchor.next;
  }

  /**
   * Sends every held-back write in one statement. Throws RevisionConflict (retryable) when an
   * instance row's revision moved or a task was no longer open. Answers whether the anchor update
   * (if any) found the anchor as expected.
   */
  async flush(): Promise<boolean> {
    if (this.empty) return true;
    const { tasks, closures, history, inserts, updates, anchor } = this;
    this.tasks = [];
    this.closures = [];
    this.history = [];
    this.inserts = new Map();
    this.updates = new Map();
    this.anchor = null;

    const params: unknown[] = [];
    const p = (value: unknown) => `$${params.push(value)}`;
    const parts: string[] = [];
    const counts: string[] = [];
    for (const i of inserts.values()) {
      parts.push(`INSERT INTO process_instance (id, definition_id, definition_key, definition_version, business_key, status, snapshot, variables,
           active_element_ids, revision, started_by, started_at, ended_at, end_reason, history_seq, history_hash,
           parent_instance_id, parent_element_id, parent_execution_id, root_instance_id, history_mac)
         VALUES (${[
           i.id, i.definitionId, i.definitionKey, i.definitionVersion, i.businessKey, i.status, jsonOrNull(i.snapshot), JSON.stringify(i.variables),
           i.activeElementIds, i.revision, i.startedBy, i.startedAt, i.endedAt, i.endReason, i.history.seq, i.history.hash,
           i.parentInstanceId ?? null, i.parentElementId ?? null, i.parentExecutionId ?? null, i.rootInstanceId ?? null, sealHead(this.ring, i.id, i.history),
         ].map(p).join(', ')})`);
    }
    if (tasks.length) {
      parts.push(`INSERT INTO user_task (id, instance_id, definition_key, element_id, execution_id, name, assignee, candidate_users, candidate_groups,
                              due_at, follow_up_at, priority, form_key, status, created_at)
         SELECT t.id, t.instance_id, t.definition_key, t.element_id, t.execution_id, t.name, t.assignee,
                ARRAY(SELECT jsonb_array_elements_text(t.cu)), ARRAY(SELECT jsonb_array_elements_text(t.cg)),
                t.due_at, t.follow_up_at, t.priority, t.form_key, 'open', t.created_at
           FROM jsonb_to_recordset(${p(JSON.stringify(tasks.map(taskRow)))}::jsonb) AS t(id uuid, instance_id uuid, definition_key text, element_id text,
                execution_id text, name text, assignee text, cu jsonb, cg jsonb, due_at timestamptz, follow_up_at timestamptz, priority int,
                form_key text, created_at timestamptz)`);
    }
    if (closures.length) {
      const rows = closures.map(({ instanceId, closure: c }) => ({ instance_id: instanceId, execution_id: c.executionId, status: c.status, at: c.at, by: c.by, submitted: c.submitted }));
      counts.push(`(SELECT count(*) FROM w${parts.length}) AS closed`);
      parts.push(`UPDATE user_task AS u
            SET status = c.status, completed_at = c.at, completed_by = c.by, submitted = c.submitted
           FROM jsonb_to_recordset(${p(JSON.stringify(rows))}::jsonb) AS c(instance_id uuid, execution_id text, status text, at timestamptz, by text, submitted jsonb)
          WHERE u.instance_id = c.instance_id AND u.execution_id = c.execution_id AND u.status = 'open'
         RETURNING 1`);
    }
    if (history.length) {
      const rows = history.map((e) => ({
        instance_id: e.instanceId, seq: e.seq, type: e.type, element_id: e.elementId, element_type: e.elementType, execution_id: e.executionId,
        actor: e.actor, payload: e.payload, occurred_at: e.occurredAt, prev_hash: e.prevHash, hash: e.hash, mac: sealEvent(this.ring, e.hash),
      }));
      parts.push(`INSERT INTO history_event (instance_id, seq, type, element_id, element_type, execution_id, actor, payload, occurred_at, prev_hash, hash, mac)
         SELECT e.instance_id, e.seq, e.type, e.element_id, e.element_type, e.execution_id, e.actor, e.payload, e.occurred_at, e.prev_hash, e.hash, e.mac
           FROM jsonb_to_recordset(${p(JSON.stringify(rows))}::jsonb) AS e(instance_id uuid, seq int, type text, element_id text, element_type text,
                execution_id text, actor text, payload jsonb, occurred_at timestamptz, prev_hash text, hash text, mac text)`);
    }
    if (updates.size) {
      const rows = [...updates].map(([id, { expectedRevision: expected, patch: u }]) => ({
        id, expected, status: u.status, snapshot: u.snapshot, variables: u.variables, active: u.activeElementIds, ended_at: u.endedAt, end_reason: u.endReason,
        seq: u.history.seq, hash: u.history.hash, mac: sealHead(this.ring, id, u.history),
      }));
      counts.push(`(SELECT count(*) FROM w${parts.length}) AS updated`);
      parts.push(`UPDATE process_instance AS i
            SET status = x.status, snapshot = x.snapshot, variables = x.variables, active_element_ids = ARRAY(SELECT jsonb_array_elements_text(x.active)),
                ended_at = x.ended_at, end_reason = x.end_reason, history_seq = x.seq, history_hash = x.hash, history_mac = x.mac, revision = i.revision + 1
           FROM jsonb_to_recordset(${p(JSON.stringify(rows))}::jsonb) AS x(id uuid, expected int, status text, snapshot jsonb, variables jsonb, active jsonb,
                ended_at timestamptz, end_reason text, seq int, hash text, mac text)
          WHERE i.id = x.id AND i.revision = x.expected
         RETURNING 1`);
    }
    if (anchor) {
      counts.push(`(SELECT count(*) FROM w${parts.length}) AS anchored`);
      parts.push(`UPDATE history_anchor SET instances = ${p(anchor.next.instances)}, mac = ${p(anchor.next.mac)}, sealed_at = now()
          WHERE id = 1 AND instances = ${p(anchor.expected.instances)} AND mac = ${p(anchor.expected.mac)}
         RETURNING 1`);
    }
    const sql = `WITH ${parts.map((part, n) => `w${n} AS (${part})`).join(',\n')}\nSELECT ${counts.length ? counts.join(', ') : '1 AS done'}`;
    const [row] = (await this.raw.query(sql, params)) as Record<string, string | number>[];
    if (updates.size && Number(row.updated) !== updates.size) {
      throw new EngineError(EngineErrorCode.RevisionConflict, `process instance ${[...updates.keys()].join(', ')} changed concurrently`, { retryable: true });
    }
    if (closures.length && Number(row.closed) !== closures.length) {
      throw new EngineError(EngineErrorCode.RevisionConflict, 'a task of the instance changed concurrently', { retryable: true });
    }
    return !anchor || Number(row.anchored) === 1;
  }
}

function taskRow(t: TaskRecord) {
  return {
    id: t.id, instance_id: t.instanceId, definition_key: t.definitionKey, element_id: t.elementId, execution_id: t.executionId, name: t.name,
    assignee: t.assignee, cu: t.candidateUsers, cg: t.candidateGroups, due_at: t.dueAt, follow_up_at: t.followUpAt, priority: t.priority,
    form_key: t.formKey, created_at: t.createdAt,
  };
}

function jsonOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}
