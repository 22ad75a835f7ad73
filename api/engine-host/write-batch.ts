import type { QueryRunner } from 'typeorm';
import type { Prelude } from '../database/pipelined-begin';
import {
  EngineError,
  EngineErrorCode,
  type HistoryEventRecord,
  type HistoryKeyring,
  type InstancePatch,
  type InstanceRecord,
  type NewRecord,
  type RecordPatch,
  type SubscriptionRecord,
  type TaskClosure,
  type TimerJobRecord,
  type TaskRecord,
  anchorMessage,
  sealEvent,
  sealHead,
} from '../../engine';

/** SQLSTATE of a failed `write_check` in a batch sent with its COMMIT: a concurrent change (a retryable RevisionConflict). */
export const WRITE_CHECK_FAILED = 'IT409';

/** Tables whose writes a batch holds back: a statement naming one of them flushes the batch first. */
const BATCHED_TABLES = /\b(user_task|history_event|process_instance|history_anchor|timer_job|event_subscription|record)\b/;

/**
 * Sends a batch's statement with `before` statements ahead of it and, when `commit`, the
 * transaction's COMMIT after it, in one round trip (PipelinedTransaction.send); answers its rows.
 */
export type BatchSender = (text: string, params: unknown[], options: { before: readonly Prelude[]; commit: boolean }) => Promise<Record<string, unknown>[]>;

/** The history anchor as this process last wrote or read it (valid seal); shared by the process's transactions. */
export interface AnchorCache {
  value: { instances: number; mac: string } | null;
  /** Anchor seals by count, signed with the current key (see {@link anchorSeals}); kept from the last known count on. */
  seals?: Map<number, string>;
}

/** How many counts past the last known one a start's anchor update covers (see {@link WriteBatch.setAnchor}). */
export const ANCHOR_WINDOW = 32;

/**
 * The seals a windowed anchor update needs when `known` is the last known anchor and `started`
 * instances are counted: index i is the seal of count `known.instances + i`, index 0 the known
 * seal itself (perhaps by an earlier key), for i below {@link ANCHOR_WINDOW} + `started`. Seals are
 * kept in `cache.seals`, so consecutive starts sign only the counts the window moved past.
 */
export function anchorSeals(ring: HistoryKeyring, cache: AnchorCache, known: { instances: number; mac: string }, started: number): string[] {
  const memo = (cache.seals ??= new Map());
  for (const count of memo.keys()) if (count <= known.instances) memo.delete(count);
  const seals = [known.mac];
  for (let count = known.instances + 1; count < known.instances + ANCHOR_WINDOW + started; count++) {
    let seal = memo.get(count);
    if (seal === undefined) memo.set(count, (seal = ring.sign('anchor', anchorMessage(count))));
    seals.push(seal);
  }
  return seals;
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
  /** The anchor update: counts `started` from any count in [base, base + ANCHOR_WINDOW) whose seal is `seals[count - base]`. */
  private anchor: { base: number; seals: string[]; started: number } | null = null;
  /** The anchor row as the last flush's update wrote it (null: no update, or the update missed). */
  anchorAfter: { instances: number; mac: string } | null = null;
  /** Instance timer rows to delete (by id) and to insert. */
  private timerDeletes: string[] = [];
  private timerInserts: TimerJobRecord[] = [];
  /** Instance event subscriptions to delete (by id) and to insert. */
  private subscriptionDeletes: string[] = [];
  private subscriptionInserts: SubscriptionRecord[] = [];
  /** Records to insert (with their first patch, if any) and to update, by number. */
  private recordInserts = new Map<string, { row: NewRecord; patch: RecordPatch | null }>();
  private recordUpdates = new Map<string, RecordPatch>();
  /**
   * A reserved record number to count: the counter row of `type` must reach exactly `seq` (else no
   * record row, and a conflict); `predecessor`: the lock to wait for first (the transaction that
   * reserved the number before, until it ended), sent in the statement's round trip.
   */
  private counted: { type: string; seq: number; predecessor: Prelude | null } | null = null;

  constructor(
    private readonly raw: QueryRunner,
    private readonly ring: HistoryKeyring,
    /** The statement as sent: named (prepared once per session) or as it is (api/database/prepared.ts). */
    private readonly named: (text: string) => string = (text) => text,
    /**
     * Sends a statement with preludes before it and the transaction's COMMIT after it in its round trip
     * (PipelinedTransaction.send), if the transaction can.
     */
    private readonly sender: BatchSender | null = null,
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
    return (
      !this.tasks.length && !this.closures.length && !this.history.length && !this.inserts.size && !this.updates.size && !this.anchor &&
      !this.timerDeletes.length && !this.timerInserts.length && !this.subscriptionDeletes.length && !this.subscriptionInserts.length &&
      !this.recordInserts.size && !this.recordUpdates.size && !this.counted
    );
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

  /**
   * Replaces an instance's timer rows: `removed` (known to exist, by id) are deleted, `added` inserted.
   * The flush checks both counts (a row another transaction changed meanwhile is a retryable conflict).
   */
  async syncTimers(removed: string[], added: TimerJobRecord[]): Promise<void> {
    if (removed.some((id) => this.timerInserts.some((t) => t.id === id))) await this.flush();
    this.timerDeletes.push(...removed);
    this.timerInserts.push(...added);
  }

  /** Like {@link syncTimers} for an instance's event subscriptions. */
  async syncSubscriptions(removed: string[], added: SubscriptionRecord[]): Promise<void> {
    if (removed.some((id) => this.subscriptionInserts.some((s) => s.id === id))) await this.flush();
    this.subscriptionDeletes.push(...removed);
    this.subscriptionInserts.push(...added);
  }

  async insertRecord(row: NewRecord): Promise<void> {
    if (this.recordInserts.has(row.number) || this.recordUpdates.has(row.number)) await this.flush();
    this.recordInserts.set(row.number, { row, patch: null });
  }

  /** A patch sets every column it has: a later patch of the same record replaces an earlier one (or joins its pending insert). */
  async updateRecord(number: string, patch: RecordPatch): Promise<void> {
    const inserting = this.recordInserts.get(number);
    if (inserting) inserting.patch = patch;
    else this.recordUpdates.set(number, patch);
  }

  /**
   * Counts the reserved record number `seq` of `type` once `predecessor` (a lock) was granted (see
   * BatchedRecordStore in typeorm-command-store.ts). With a {@link BatchSender}, the wait is the first
   * statement of the batch's round trip: when the transaction before ends, PostgreSQL goes on with
   * this one's write (and its COMMIT) without waiting for this process to answer.
   */
  countRecord(type: string, seq: number, predecessor: Prelude | null): void {
    this.counted = { type, seq, predecessor };
  }

  /**
   * Counts `started` instances into the sealed anchor, whatever count it holds within the window
   * `seals` covers ({@link anchorSeals}): the update reads the row as it is when it gets its lock (so
   * starts committed since `known` was read are no miss), checks that its seal is the one of its
   * count and writes the next one. An anchor out of the window, or whose seal is not the expected one
   * (sealed by another key, e.g. another process's during a key rotation, tampered with, or none), is
   * a miss: {@link flush} answers false, and the caller locks the row and checks its seal with every
   * key it has.
   */
  setAnchor(known: { instances: number; mac: string }, seals: string[], started: number): void {
    this.anchor = { base: known.instances, seals, started };
  }

  /**
   * Sends every held-back write in one statement. Throws RevisionConflict (retryable) when an
   * instance row's revision moved or a task was no longer open. Answers whether the anchor update
   * (if any) counted on ({@link anchorAfter}: what it wrote).
   */
  async flush(): Promise<boolean> {
    return this.send(false);
  }

  /**
   * The command's last statement: {@link flush} with COMMIT in the same round trip, when the
   * transaction can send it so (a `sender`) and the batch holds writes. Answers whether it did: then
   * the transaction has committed. The checks then run in the statement (`write_check`, migration
   * 1767300000000): a failed one aborts the statement and so the COMMIT, and comes back as the same
   * RevisionConflict (SQLSTATE {@link WRITE_CHECK_FAILED}, turned into it by TypeormTransactionRunner);
   * so does an anchor update's miss, whose retry then reads the anchor afresh.
   */
  async flushAndCommit(): Promise<boolean> {
    if (this.empty || !this.sender) return false;
    await this.send(true);
    return true;
  }

  private async send(commit: boolean): Promise<boolean> {
    if (this.empty) return true;
    const { tasks, closures, history, inserts, updates, anchor, timerDeletes, timerInserts, subscriptionDeletes, subscriptionInserts, recordInserts, recordUpdates, counted } = this;
    this.counted = null;
    this.timerDeletes = [];
    this.timerInserts = [];
    this.subscriptionDeletes = [];
    this.subscriptionInserts = [];
    this.recordInserts = new Map();
    this.recordUpdates = new Map();
    this.tasks = [];
    this.closures = [];
    this.history = [];
    this.inserts = new Map();
    this.updates = new Map();
    this.anchor = null;
    this.anchorAfter = null;

    const params: unknown[] = [];
    const p = (value: unknown) => `$${params.push(value)}`;
    const parts: string[] = [];
    /** Per checked part: the expression of its count, by the column the answer names it. */
    const counts = new Map<string, string>();
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
      counts.set('closed', `(SELECT count(*) FROM w${parts.length})`);
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
      counts.set('updated', `(SELECT count(*) FROM w${parts.length})`);
      parts.push(`UPDATE process_instance AS i
            SET status = x.status, snapshot = x.snapshot, variables = x.variables, active_element_ids = ARRAY(SELECT jsonb_array_elements_text(x.active)),
                ended_at = x.ended_at, end_reason = x.end_reason, history_seq = x.seq, history_hash = x.hash, history_mac = x.mac, revision = i.revision + 1
           FROM jsonb_to_recordset(${p(JSON.stringify(rows))}::jsonb) AS x(id uuid, expected int, status text, snapshot jsonb, variables jsonb, active jsonb,
                ended_at timestamptz, end_reason text, seq int, hash text, mac text)
          WHERE i.id = x.id AND i.revision = x.expected
         RETURNING 1`);
    }
    if (timerDeletes.length) {
      counts.set('timers_deleted', `(SELECT count(*) FROM w${parts.length})`);
      parts.push(`DELETE FROM timer_job WHERE id = ANY(${p(timerDeletes)}::uuid[]) RETURNING 1`);
    }
    if (timerInserts.length) {
      counts.set('timers_inserted', `(SELECT count(*) FROM w${parts.length})`);
      const rows = timerInserts.map((t) => ({
        id: t.id, instance_id: t.instanceId, definition_id: t.definitionId, definition_key: t.definitionKey, element_id: t.elementId, element_type: t.elementType,
        execution_id: t.executionId, spec: t.spec, remaining: t.remaining, due_at: t.dueAt, created_at: t.createdAt,
      }));
      parts.push(`INSERT INTO timer_job (id, kind, instance_id, definition_id, definition_key, element_id, element_type, execution_id, spec, remaining, due_at, run_at, created_at)
         SELECT w.id, 'instance', w.instance_id, w.definition_id, w.definition_key, w.element_id, w.element_type, w.execution_id, w.spec, w.remaining, w.due_at, w.due_at, w.created_at
           FROM jsonb_to_recordset(${p(JSON.stringify(rows))}::jsonb) AS w(id uuid, instance_id uuid, definition_id uuid, definition_key text, element_id text,
                element_type text, execution_id text, spec text, remaining int, due_at timestamptz, created_at timestamptz)
         ON CONFLICT (instance_id, execution_id) WHERE instance_id IS NOT NULL DO NOTHING
         RETURNING 1`);
    }
    if (subscriptionDeletes.length) {
      counts.set('subscriptions_deleted', `(SELECT count(*) FROM w${parts.length})`);
      parts.push(`DELETE FROM event_subscription WHERE id = ANY(${p(subscriptionDeletes)}::uuid[]) RETURNING 1`);
    }
    if (subscriptionInserts.length) {
      counts.set('subscriptions_inserted', `(SELECT count(*) FROM w${parts.length})`);
      const rows = subscriptionInserts.map((s) => ({
        id: s.id, kind: s.kind, name: s.name, correlation_key: s.correlationKey, instance_id: s.instanceId, definition_id: s.definitionId,
        definition_key: s.definitionKey, element_id: s.elementId, element_type: s.elementType, execution_id: s.executionId, created_at: s.createdAt,
      }));
      parts.push(`INSERT INTO event_subscription (id, kind, name, correlation_key, instance_id, definition_id, definition_key, element_id, element_type, execution_id, created_at)
         SELECT w.id, w.kind, w.name, w.correlation_key, w.instance_id, w.definition_id, w.definition_key, w.element_id, w.element_type, w.execution_id, w.created_at
           FROM jsonb_to_recordset(${p(JSON.stringify(rows))}::jsonb) AS w(id uuid, kind text, name text, correlation_key text, instance_id uuid, definition_id uuid,
                definition_key text, element_id text, element_type text, execution_id text, created_at timestamptz)
         ON CONFLICT (instance_id, execution_id) WHERE instance_id IS NOT NULL DO NOTHING
         RETURNING 1`);
    }
    // The counter row first (the record row and the anchor wait for it): locked from here to the commit.
    let countedPart: string | null = null;
    if (counted) {
      countedPart = `w${parts.length}`;
      counts.set('numbered', `(SELECT last_value FROM ${countedPart})`);
      parts.push(`INSERT INTO record_counter (type, last_value) VALUES (${p(counted.type)}, 1)
         ON CONFLICT (type) DO UPDATE SET last_value = record_counter.last_value + 1
         RETURNING last_value`);
    }
    if (recordInserts.size) {
      const rows = [...recordInserts.values()].map(({ row: r, patch }) => ({
        number: r.number, type: r.type, seq: r.seq, instance_id: r.instanceId, definition_key: r.definitionKey, opened_by: r.openedBy, opened_at: r.openedAt,
        ...recordColumns(patch ?? { state: r.state, updatedAt: r.openedAt }),
      }));
      parts.push(`INSERT INTO record (number, type, seq, instance_id, definition_key, opened_by, opened_at, ${RECORD_PATCH_COLUMNS})
         SELECT r.number, r.type, r.seq, r.instance_id, r.definition_key, r.opened_by, r.opened_at, ${RECORD_PATCH_VALUES}
           FROM jsonb_to_recordset(${p(JSON.stringify(rows))}::jsonb) AS r(number text, type text, seq bigint, instance_id uuid, definition_key text, opened_by text,
                opened_at timestamptz, ${RECORD_PATCH_TYPES})${countedPart ? `
          WHERE (SELECT last_value FROM ${countedPart}) = ${p(counted!.seq)}` : ''}`);
    }
    if (recordUpdates.size) {
      const rows = [...recordUpdates].map(([number, patch]) => ({ number, ...recordColumns(patch) }));
      parts.push(`UPDATE record AS x SET ${RECORD_PATCH_COLUMNS.split(', ').map((c) => `${c} = ${recordValue(c)}`).join(', ')}
           FROM jsonb_to_recordset(${p(JSON.stringify(rows))}::jsonb) AS r(number text, ${RECORD_PATCH_TYPES})
          WHERE x.number = r.number`);
    }
    if (anchor) {
      const part = `w${parts.length}`;
      counts.set('anchored', `(SELECT count(*) FROM ${part})`);
      counts.set('anchor_instances', `(SELECT instances FROM ${part})`);
      counts.set('anchor_mac', `(SELECT mac FROM ${part})`);
      // Only the row's own columns and constants: a row another start updated meanwhile is checked again as it is now (READ COMMITTED).
      const [base, window, started, seals] = [p(anchor.base), p(ANCHOR_WINDOW), p(anchor.started), p(anchor.seals)];
      const seal = (offset: string) => `(${seals}::text[])[(a.instances - ${base}::bigint)::int + 1${offset}]`;
      parts.push(`UPDATE history_anchor AS a SET instances = a.instances + ${started}::int, mac = ${seal(` + ${started}::int`)}, sealed_at = now()
          WHERE a.id = 1 AND a.instances >= ${base}::bigint AND a.instances < ${base}::bigint + ${window}::int AND a.mac = ${seal('')}${countedPart ? ` AND EXISTS (SELECT FROM ${countedPart})` : ''}
         RETURNING a.instances, a.mac`);
    }
    // What the flush expects of each part's count: unmet, the instance, a task, a timer... changed concurrently.
    const checks: { column: string; expected: number; message: string }[] = [];
    if (updates.size) checks.push({ column: 'updated', expected: updates.size, message: `process instance ${[...updates.keys()].join(', ')} changed concurrently` });
    if (closures.length) checks.push({ column: 'closed', expected: closures.length, message: 'a task of the instance changed concurrently' });
    if (counted) checks.push({ column: 'numbered', expected: counted.seq, message: `record number ${counted.seq} of ${counted.type} is not the next one any more` });
    if (anchor && commit) checks.push({ column: 'anchored', expected: 1, message: 'the history anchor was not where this start expected it' });
    const timerMessage = 'a timer of the instance changed concurrently';
    if (timerDeletes.length) checks.push({ column: 'timers_deleted', expected: timerDeletes.length, message: timerMessage });
    if (timerInserts.length) checks.push({ column: 'timers_inserted', expected: timerInserts.length, message: timerMessage });
    const subscriptionMessage = 'an event subscription of the instance changed concurrently';
    if (subscriptionDeletes.length) checks.push({ column: 'subscriptions_deleted', expected: subscriptionDeletes.length, message: subscriptionMessage });
    if (subscriptionInserts.length) checks.push({ column: 'subscriptions_inserted', expected: subscriptionInserts.length, message: subscriptionMessage });

    const withParts = `WITH ${parts.map((part, n) => `w${n} AS (${part})`).join(',\n')}`;
    const before = counted?.predecessor ? [counted.predecessor] : [];
    if (commit) {
      // The same checks, in the statement: the answer's row only says they held.
      const asserted = checks.map((c) => `write_check(${counts.get(c.column)} = ${p(c.expected)}, ${p(c.message)})`);
      const anchorColumns = anchor ? `, ${counts.get('anchor_instances')} AS anchor_instances, ${counts.get('anchor_mac')} AS anchor_mac` : '';
      const [row] = await this.sender!(this.named(`${withParts}\nSELECT ${asserted.length ? asserted.join(' AND ') : 'true'} AS checked${anchorColumns}`), params, { before, commit: true });
      if (anchor) this.anchorAfter = anchorRow(row);
      return true;
    }
    const sql = this.named(`${withParts}\nSELECT ${counts.size ? [...counts].map(([column, count]) => `${count} AS ${column}`).join(', ') : '1 AS done'}`);
    let rows: Record<string, string | number>[];
    if (this.sender) rows = (await this.sender(sql, params, { before, commit: false })) as Record<string, string | number>[];
    else {
      for (const prelude of before) await this.raw.query(prelude.text, prelude.values);
      rows = await this.raw.query(sql, params);
    }
    const [row] = rows;
    for (const c of checks) {
      if (Number(row[c.column]) !== c.expected) throw new EngineError(EngineErrorCode.RevisionConflict, c.message, { retryable: true });
    }
    if (!anchor) return true;
    this.anchorAfter = anchorRow(row);
    return Number(row.anchored) === 1;
  }
}

/** The record columns a {@link RecordPatch} sets, as written from a JSON recordset `r`. */
const RECORD_PATCH_COLUMNS =
  'state, title, priority, assignee, acknowledged_at, resolved_at, closed_at, response_due_at, response_met, response_elapsed_ms, resolution_due_at, ' +
  'resolution_met, resolution_elapsed_ms, sla_paused, fields, updated_at';
const recordValue = (c: string) => (c === 'sla_paused' ? `COALESCE(r.${c}, false)` : c === 'fields' ? `COALESCE(r.${c}, '{}'::jsonb)` : `r.${c}`);
const RECORD_PATCH_VALUES = RECORD_PATCH_COLUMNS.split(', ').map(recordValue).join(', ');
const RECORD_PATCH_TYPES =
  'state text, title text, priority text, assignee text, acknowledged_at timestamptz, resolved_at timestamptz, closed_at timestamptz, ' +
  'response_due_at timestamptz, response_met boolean, response_elapsed_ms bigint, resolution_due_at timestamptz, resolution_met boolean, ' +
  'resolution_elapsed_ms bigint, sla_paused boolean, fields jsonb, updated_at timestamptz';

function recordColumns(p: Partial<RecordPatch> & Pick<RecordPatch, 'state' | 'updatedAt'>) {
  return {
    state: p.state, title: p.title ?? null, priority: p.priority ?? null, assignee: p.assignee ?? null, acknowledged_at: p.acknowledgedAt ?? null,
    resolved_at: p.resolvedAt ?? null, closed_at: p.closedAt ?? null, response_due_at: p.responseDueAt ?? null, response_met: p.responseMet ?? null,
    response_elapsed_ms: p.responseElapsedMs ?? null, resolution_due_at: p.resolutionDueAt ?? null, resolution_met: p.resolutionMet ?? null,
    resolution_elapsed_ms: p.resolutionElapsedMs ?? null, sla_paused: p.slaPaused ?? false, fields: p.fields ?? {}, updated_at: p.updatedAt,
  };
}

function taskRow(t: TaskRecord) {
  return {
    id: t.id, instance_id: t.instanceId, definition_key: t.definitionKey, element_id: t.elementId, execution_id: t.executionId, name: t.name,
    assignee: t.assignee, cu: t.candidateUsers, cg: t.candidateGroups, due_at: t.dueAt, follow_up_at: t.followUpAt, priority: t.priority,
    form_key: t.formKey, created_at: t.createdAt,
  };
}

/** The anchor row an update returned (null: the update missed). */
function anchorRow(row: Record<string, unknown> | undefined): { instances: number; mac: string } | null {
  return row && row.anchor_instances !== null && row.anchor_instances !== undefined && typeof row.anchor_mac === 'string'
    ? { instances: Number(row.anchor_instances), mac: row.anchor_mac }
    : null;
}

function jsonOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}
