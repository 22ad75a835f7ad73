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
  type NewRecord,
  type RecordPatch,
  type RecordRow,
  type RecordType,
  type ArmedTimer,
  type SubscriptionRecord,
  type TimerJobRecord,
  type WantedSubscription,
  type TaskClosure,
  type TaskRecord,
  type VariableHistoryEntry,
  HistoryKeyring,
  anchorMessage,
} from '../../engine';
import { TypeormMessagingStore } from './typeorm-messaging-store';
import { DECISION_COLUMNS, TypeormDecisionStore, toDecisionRecord } from './typeorm-decision-store';
import { TypeormRecordStore } from './typeorm-record-store';
import { TypeormFormStore } from './typeorm-form-store';
import { TypeormExternalTaskStore } from '../external-tasks/typeorm-external-task-store';
import { toDefinitionRecord, toInstanceRecord, toTaskRecord, toTimerJobRecord, DEFINITION_COLUMNS, INSTANCE_COLUMNS, TASK_COLUMNS, TIMER_JOB_COLUMNS } from './rows';
import { SUBSCRIPTION_COLUMNS, toSubscription } from './typeorm-messaging-store';
import { RECORD_ROW_COLUMNS, toRecordRow } from './typeorm-record-store';
import { WRITE_CHECK_FAILED, WriteBatch, anchorSeals, type AnchorCache, type BatchSender } from './write-batch';
import { prepared } from '../database/prepared';
import type { Prelude } from '../database/pipelined-begin';

/** PostgreSQL unique_violation. */
const UNIQUE_VIOLATION = '23505';

/** Open tasks of the instance as of the statement's snapshot, oldest first (a JSON array). */
const OPEN_TASKS_JSON = `(SELECT COALESCE(json_agg(o ORDER BY o.created_at), '[]'::json) FROM (SELECT ${TASK_COLUMNS} FROM user_task WHERE instance_id = i.id AND status = 'open') o)`;
/**
 * The instance's revision as the statement's snapshot saw it. `FOR UPDATE` answers the newest row
 * version (after waiting for a concurrent command), but sub-selects keep the statement's snapshot:
 * when the two differ, what the sub-selects read may be stale and is read again under the lock.
 */
const SEEN_REVISION = `(SELECT p.revision FROM process_instance p WHERE p.id = i.id) AS seen_revision`;
const LOCKED_INSTANCE_COLUMNS = INSTANCE_COLUMNS.replace(/(^|, )([a-z_]+)/g, '$1i.$2');
/**
 * What a command on the instance reads besides its tasks, read with the lock (same snapshot rule):
 * its timer rows, event subscriptions, record and running children (call activities).
 */
const INSTANCE_SIDE_ROWS = [
  `(SELECT COALESCE(json_agg(x ORDER BY x.created_at, x.id), '[]'::json) FROM (SELECT ${TIMER_JOB_COLUMNS} FROM timer_job WHERE instance_id = i.id) x) AS side_timers`,
  `(SELECT COALESCE(json_agg(x ORDER BY x.created_at, x.id), '[]'::json) FROM (SELECT ${SUBSCRIPTION_COLUMNS} FROM event_subscription WHERE instance_id = i.id) x) AS side_subscriptions`,
  `(SELECT row_to_json(x) FROM (SELECT ${RECORD_ROW_COLUMNS} FROM record WHERE instance_id = i.id) x) AS side_record`,
  `(SELECT COALESCE(json_agg(x ORDER BY x.started_at, x.id), '[]'::json) FROM (SELECT id, parent_execution_id, started_at FROM process_instance WHERE parent_instance_id = i.id AND status = 'running') x) AS side_children`,
].join(', ');

/** Tables a statement writes (INSERT INTO t, UPDATE t ... SET, DELETE FROM t). */
const WRITTEN_TABLES = /\bINSERT\s+INTO\s+([a-z_]+)|\bUPDATE\s+([a-z_]+)(?:\s+(?:AS\s+)?[a-z_]+)?\s+SET\b|\bDELETE\s+FROM\s+([a-z_]+)/gi;

/** Rows of one locked (or new) instance known to this transaction, kept current by the store's own writes. */
interface KnownRows {
  timers: Map<string, TimerJobRecord[]>;
  subscriptions: Map<string, SubscriptionRecord[]>;
  records: Map<string, RecordRow | null>;
  children: Map<string, { id: string; parentExecutionId: string | null }[]>;
}

/**
 * The engine's storage port on one TypeORM QueryRunner that holds an open transaction (or opens
 * it at its first write: TypeormTransactionRunner's optimistic commands).
 * Raw, reviewed SQL. Reads are one round trip each; the command's writes of tasks, history, the
 * instance row, the anchor, timer rows, event subscriptions and records are held back in a
 * {@link WriteBatch} and sent as one statement. The open tasks, timer rows, subscriptions, record
 * and running children of each instance this transaction locked are known from the lock
 * statement, so a task completion reads nothing else (a statement of another writer on those
 * tables forgets them: the next use reads them again).
 */
export class TypeormCommandStore extends TypeormMessagingStore implements CommandStore {
  readonly decisions: TypeormDecisionStore;
  readonly records: TypeormRecordStore;
  readonly forms: TypeormFormStore;
  readonly externalTasks: TypeormExternalTaskStore;

  /** The latest versions of keys read ahead by {@link prefetchStart}. */
  private readonly prefetchedDefinitions = new Map<string, DefinitionRecord | null>();
  /** Instances this transaction inserted: the history anchor counts them before commit. */
  private started = 0;
  /** Open tasks of the instances this transaction holds locked (or inserted), kept current by this store's writes. */
  private readonly open = new Map<string, TaskRecord[]>();
  /** Instances whose row this transaction locked. */
  private readonly lockedIds = new Set<string>();

  private constructor(
    q: QueryRunner,
    private readonly ring: HistoryKeyring,
    private readonly batch: WriteBatch,
    private readonly anchorCache: AnchorCache,
    private readonly known: KnownRows,
    /** `FOR UPDATE` on the instance rows read by lockInstance / lockTask (false: optimistic, checked by the revision). */
    private readonly lockRows: boolean,
    /** The command's large statements as named prepared statements (api/database/prepared.ts). */
    private readonly named: (text: string) => string,
  ) {
    super(q);
    this.decisions = new TypeormDecisionStore(q);
    this.records = new BatchedRecordStore(q, batch, known.records);
    this.forms = new TypeormFormStore(q);
    this.externalTasks = new TypeormExternalTaskStore(q);
  }

  /**
   * A store on `runner` (in a transaction); `anchor` is the process's last known history anchor.
   * `lockRows: false` reads instance rows without locking them (the optimistic commands of
   * TypeormTransactionRunner: the revision compare-and-set of the write decides). `prepare: true`
   * sends the lock-and-read, the start's read-ahead and the batched write as named prepared
   * statements (each connection has its own statement names, on PGlite too: PgliteProtocolServer).
   * `send` (PipelinedTransaction.send) lets the batched write carry the statements to run before it
   * (the wait for a reserved record number's predecessor) and lets {@link beforeCommit} send the last
   * batched write with the transaction's COMMIT.
   */
  static create(
    runner: QueryRunner,
    ring: HistoryKeyring,
    anchor: AnchorCache = { value: null },
    options: { lockRows?: boolean; prepare?: boolean; send?: BatchSender } = {},
  ): TypeormCommandStore {
    const named = options.prepare ? prepared : (text: string) => text;
    const batch = new WriteBatch(runner, ring, named, options.send ?? null);
    const known: KnownRows = { timers: new Map(), subscriptions: new Map(), records: new Map(), children: new Map() };
    return new TypeormCommandStore(forgetting(batch.guard(), known), ring, batch, anchor, known, options.lockRows ?? true, named);
  }

  /** This command's transaction, for API features whose rows commit with a command (deploy approvals). */
  get queryRunner(): QueryRunner {
    return this.q;
  }

  async lockDefinitionKey(key: string): Promise<void> {
    await this.q.query(`SELECT pg_advisory_xact_lock(hashtext('process_definition:' || $1))`, [key]);
  }

  /**
   * One statement: the key's latest version, a record number, the latest decision versions (see
   * CommandStore.prefetchStart), and the history anchor as committed. The number is either taken
   * from the counter row, which stays locked until the commit, or (`reserve`) only reserved: the first number after the committed
   * ones that no other open transaction reserved (a transaction-scoped advisory lock per type and
   * number), so concurrent starts of a type run side by side. A reserved number is counted at the
   * commit, in number order (see {@link BatchedRecordStore}).
   *
   * Optimistic (`lockRows: false`, PGlite): a start that numbers no record reads all of it in a
   * SELECT that runs outside the transaction (LazyTransaction), so it holds nothing while its engine
   * runs. A numbered start still opens its transaction here: taking the next number without holding
   * it made most starts run twice under load (two workers, 16 clients: 0.13 conflict retries per
   * command, 76 % of the starts, throughput down 7-19 %), since every start in flight guessed the same one.
   */
  async prefetchStart(input: { definitionKey: string; recordType: string | null; decisionKeys: string[]; reserve?: boolean }): Promise<void> {
    if (!this.lockRows && input.recordType === null) {
      const [read] = await this.q.query(this.named(START_READ_AHEAD), [input.definitionKey, input.decisionKeys]);
      this.keepReadAhead(input, read);
      return;
    }
    const reserve = input.reserve === true;
    const [row] = await this.q.query(
      this.named(`WITH d AS (${LATEST_DEFINITION}),
            c AS (INSERT INTO record_counter (type, last_value) SELECT $2::text, 1 WHERE $2::text IS NOT NULL AND NOT $4::boolean
                  ON CONFLICT (type) DO UPDATE SET last_value = record_counter.last_value + 1 RETURNING last_value),
            l AS (SELECT COALESCE((SELECT last_value FROM record_counter WHERE type = $2::text), 0) AS last WHERE $2::text IS NOT NULL AND $4::boolean),
            r AS (SELECT g FROM l, generate_series(l.last + 1, l.last + ${RESERVE_WINDOW}) AS g
                   WHERE pg_try_advisory_xact_lock(hashtext('${RECORD_NUMBER_LOCK}' || $2::text), g::int) LIMIT 1),
            k AS (${latestDecisions('$3')})
       SELECT (SELECT row_to_json(d) FROM d) AS definition, COALESCE((SELECT last_value FROM c), (SELECT g FROM r)) AS seq, (SELECT last FROM l) AS last,
              (SELECT COALESCE(json_agg(k), '[]'::json) FROM k) AS decisions,
              ${ANCHOR_ROW} AS anchor`),
      [input.definitionKey, input.recordType, input.decisionKeys, reserve],
    );
    if (input.recordType !== null && reserve && row.seq === null) {
      throw new EngineError(EngineErrorCode.RevisionConflict, `no ${input.recordType} record number free to reserve`, { retryable: true });
    }
    this.keepReadAhead(input, row);
    if (input.recordType !== null && row.seq !== null) {
      (this.records as BatchedRecordStore).prefetched = { type: input.recordType, seq: Number(row.seq), after: reserve ? Number(row.last) : null };
    }
  }

  /** Keeps what a start's read-ahead answered: the latest definition and decisions, and the anchor. */
  private keepReadAhead(input: { definitionKey: string; decisionKeys: string[] }, row: Record<string, unknown>): void {
    this.prefetchedDefinitions.set(input.definitionKey, row.definition ? toDefinitionRecord(row.definition as Record<string, unknown>) : null);
    // The committed anchor: when another process counted on since this one last did, a fresher base for the start's
    // windowed update (see beforeCommit). The count only grows: a higher one this process knows is kept. An anchor
    // without a valid seal is forgotten: the start then locks and reads it, and leaves it as it is.
    const anchor = row.anchor as { instances: number | string; mac: string | null } | null;
    const instances = Number(anchor?.instances);
    const valid = !!anchor?.mac && this.ring.check('anchor', anchorMessage(instances), anchor.mac) === 'valid';
    if (!valid) this.anchorCache.value = null;
    else if (instances > (this.anchorCache.value?.instances ?? -1)) this.anchorCache.value = { instances, mac: anchor!.mac! };
    const found = new Map((row.decisions as Record<string, unknown>[]).map((d) => [d.key as string, toDecisionRecord(d)]));
    for (const key of input.decisionKeys) this.decisions.prefetched.set(key, found.get(key) ?? null);
  }

  async latestDefinition(key: string): Promise<DefinitionRecord | null> {
    if (this.prefetchedDefinitions.has(key)) return this.prefetchedDefinitions.get(key)!;
    const rows = await this.q.query(`SELECT ${DEFINITION_COLUMNS} FROM process_definition WHERE key = $1 ORDER BY version DESC LIMIT 1`, [key]);
    return rows[0] ? toDefinitionRecord(rows[0]) : null;
  }

  async insertDefinition(d: NewDefinition): Promise<DefinitionRecord> {
    this.prefetchedDefinitions.delete(d.key);
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
    await this.batch.insertInstance(i);
    this.open.set(i.id, []);
    this.known.timers.set(i.id, []);
    this.known.subscriptions.set(i.id, []);
    this.known.records.set(i.id, null);
    this.known.children.set(i.id, []);
    if (i.parentInstanceId && i.status === 'running') this.known.children.get(i.parentInstanceId)?.push({ id: i.id, parentExecutionId: i.parentExecutionId ?? null });
    this.started++;
  }

  /**
   * Last statements before COMMIT: counts the instances this transaction started into the sealed
   * history anchor. The anchor row is locked only from here to the commit. An anchor that is
   * missing, unsealed or whose seal does not match its count is left as it is: counting on from a
   * changed count would hide the change (verification reports it).
   */
  async beforeCommit(): Promise<void> {
    const records = this.records as BatchedRecordStore;
    // A reserved number that was not used was never counted: nothing to give back.
    if (records.prefetched?.after !== null && records.prefetched?.after !== undefined) records.prefetched = null;
    if (records.reservedUncounted) throw new EngineError(EngineErrorCode.RevisionConflict, 'a reserved record number was not counted', { retryable: true });
    if (records.prefetched) {
      // A number read ahead for a start that allocated another type (a new version was deployed meanwhile): never a gap.
      throw new EngineError(EngineErrorCode.RevisionConflict, 'the record number read ahead was not used', { retryable: true });
    }
    if (this.started) {
      const known = this.anchorCache.value;
      if (known) {
        // Optimistic: counted on from the anchor as it is when the batch's statement updates it, within a window past the last
        // count this process knows (valid seal), in the last write, which may carry the COMMIT (its row locked only until then).
        const seals = anchorSeals(this.ring, this.anchorCache, known, this.started);
        this.batch.setAnchor(known, seals, this.started);
        const committed = await this.batch.flushAndCommit().catch((error: unknown) => {
          // A missed anchor fails the write's checks: this process's guess is forgotten, the retry reads the anchor afresh.
          if ((error as { code?: string }).code === WRITE_CHECK_FAILED) this.anchorCache.value = null;
          throw error;
        });
        const counted = committed || (await this.batch.flush());
        if (counted) {
          this.learnAnchor(this.batch.anchorAfter);
          this.started = 0;
          if (committed) return;
        }
      }
      if (this.started) {
        await this.batch.flush();
        await this.lockedAnchor();
        this.started = 0;
      }
    }
    // With a sender, the transaction commits in this last write's round trip (its commit() then has nothing left to do).
    if (!(await this.batch.flushAndCommit())) await this.batch.flush();
  }

  /** Keeps the anchor a windowed update wrote (it matches only a row whose seal it expected, and seals the next count). */
  private learnAnchor(after: { instances: number; mac: string } | null): void {
    if (after && after.instances > (this.anchorCache.value?.instances ?? -1)) this.anchorCache.value = after;
  }

  /** The anchor moved (another process or transaction counted on): lock it, check its seal, count on. */
  private async lockedAnchor(): Promise<void> {
    this.anchorCache.value = null;
    const rows: { instances: string; mac: string | null }[] = await this.q.query(`SELECT instances, mac FROM history_anchor WHERE id = 1 FOR UPDATE`);
    const anchor = rows[0];
    if (anchor && this.ring.check('anchor', anchorMessage(Number(anchor.instances)), anchor.mac) === 'valid') {
      const instances = Number(anchor.instances) + this.started;
      const mac = this.ring.sign('anchor', anchorMessage(instances));
      await this.q.query(`UPDATE history_anchor SET instances = $1, mac = $2, sealed_at = now() WHERE id = 1`, [instances, mac]);
      this.anchorCache.value = { instances, mac };
    }
  }

  async lockInstance(id: string): Promise<InstanceRecord | null> {
    const rows = await this.q.query(
      this.named(`SELECT ${LOCKED_INSTANCE_COLUMNS}, i.snapshot, ${SEEN_REVISION}, ${OPEN_TASKS_JSON} AS open_tasks, ${INSTANCE_SIDE_ROWS} FROM process_instance i WHERE i.id = $1${this.lockRows ? ' FOR UPDATE' : ''}`),
      [id],
    );
    return rows[0] ? this.locked(rows[0]) : null;
  }

  /**
   * The instances locked (as {@link lockInstance} reads them, in id order), then their timer jobs
   * taken (as takeTimerJob takes them), in one statement: the jobs' DELETE waits for every
   * instance lock (it reads the locked rows first), so the lock order stays instances, then jobs.
   */
  async lockInstancesTakingTimerJobs(
    jobs: { instanceId: string; jobId: string }[],
    owner: string,
  ): Promise<Map<string, { instance: InstanceRecord | null; job: TimerJobRecord | null }>> {
    const answer = new Map<string, { instance: InstanceRecord | null; job: TimerJobRecord | null }>();
    if (!this.lockRows) {
      // Optimistic (PGlite): each take is a write of the command, as a single fire's was.
      for (const j of [...jobs].sort((x, y) => (x.instanceId < y.instanceId ? -1 : x.instanceId > y.instanceId ? 1 : 0))) {
        answer.set(j.jobId, { instance: await this.lockInstance(j.instanceId), job: await this.takeTimerJob(j.jobId, owner) });
      }
      return answer;
    }
    const rows = await this.q.query(
      `WITH i AS (
         SELECT ${LOCKED_INSTANCE_COLUMNS}, i.snapshot, ${SEEN_REVISION}, ${OPEN_TASKS_JSON} AS open_tasks, ${INSTANCE_SIDE_ROWS}
           FROM process_instance i WHERE i.id = ANY($1::uuid[]) ORDER BY i.id FOR UPDATE),
            j AS (
         DELETE FROM timer_job t WHERE t.id = ANY($2::uuid[]) AND t.locked_by = $3 AND t.status = 'pending' AND (SELECT count(*) FROM i) >= 0
         RETURNING ${TIMER_JOB_COLUMNS.replace(/(^|, )([a-z_]+)/g, '$1t.$2')})
       SELECT i.*, (SELECT json_agg(j) FROM j) AS taken_jobs FROM (SELECT 1) AS one LEFT JOIN i ON true`,
      [[...new Set(jobs.map((j) => j.instanceId))], jobs.map((j) => j.jobId), owner],
    );
    const taken = new Map(((rows[0]?.taken_jobs ?? []) as Record<string, unknown>[]).map((r) => toTimerJobRecord(r)).map((t) => [t.id, t]));
    const instances = new Map<string, InstanceRecord>();
    for (const row of rows) {
      if (!row.id) continue;
      const instance = this.locked(row);
      instances.set(instance.id, instance);
      // The side rows were read before the jobs went: those are no longer rows of the instance.
      const timers = this.known.timers.get(instance.id);
      if (timers) this.known.timers.set(instance.id, timers.filter((t) => !taken.has(t.id)));
    }
    for (const j of jobs) answer.set(j.jobId, { instance: instances.get(j.instanceId) ?? null, job: taken.get(j.jobId) ?? null });
    return answer;
  }

  /** The task's instance, locked, with the task and the instance's open tasks: one statement. */
  async lockTask(taskId: string): Promise<{ task: TaskRecord; instance: InstanceRecord } | null> {
    const rows = await this.q.query(
      this.named(`SELECT ${LOCKED_INSTANCE_COLUMNS}, i.snapshot, ${SEEN_REVISION}, ${OPEN_TASKS_JSON} AS open_tasks, ${INSTANCE_SIDE_ROWS},
              (SELECT row_to_json(t) FROM (SELECT ${TASK_COLUMNS} FROM user_task WHERE id = $1) t) AS task
         FROM process_instance i WHERE i.id = (SELECT instance_id FROM user_task WHERE id = $1)${this.lockRows ? ' FOR UPDATE OF i' : ''}`),
      [taskId],
    );
    if (!rows[0]) return null;
    const instance = this.locked(rows[0]);
    const task = this.open.has(instance.id) ? toTaskRecord(rows[0].task) : await this.getTask(taskId);
    return task ? { task, instance } : null;
  }

  /** The locked instance row; its open tasks are kept unless a concurrent command changed them meanwhile. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw pg row
  private locked(row: any): InstanceRecord {
    const instance = toInstanceRecord(row);
    this.lockedIds.add(instance.id);
    const id = instance.id;
    if (Number(row.seen_revision) === instance.revision) {
      this.open.set(id, (row.open_tasks as Record<string, unknown>[]).map(toTaskRecord));
      this.known.timers.set(id, (row.side_timers as Record<string, unknown>[]).map(toTimerJobRecord));
      this.known.subscriptions.set(id, (row.side_subscriptions as Record<string, unknown>[]).map(toSubscription));
      this.known.records.set(id, row.side_record ? toRecordRow(row.side_record) : null);
      this.known.children.set(id, (row.side_children as { id: string; parent_execution_id: string | null }[]).map((c) => ({ id: c.id, parentExecutionId: c.parent_execution_id })));
    } else {
      this.open.delete(id);
      for (const rows of Object.values(this.known) as Map<string, unknown>[]) rows.delete(id);
    }
    return instance;
  }

  /** With the instance's timer rows known, the changes join the batch; else one round trip of its own. */
  override async syncInstanceTimers(instance: { id: string; definitionId: string; definitionKey: string }, armed: ArmedTimer[], createdAt: string) {
    const existing = this.known.timers.get(instance.id);
    if (!existing) return super.syncInstanceTimers(instance, armed, createdAt);
    const wanted = new Map<string, ArmedTimer>();
    for (const a of armed) if (!wanted.has(a.executionId)) wanted.set(a.executionId, a);
    const removed = existing.filter((t) => !wanted.has(t.executionId!));
    const kept = new Set(existing.map((t) => t.executionId));
    const added: TimerJobRecord[] = [...wanted.values()].filter((a) => !kept.has(a.executionId)).map((a) => {
      const dueAt = new Date(a.dueAt).toISOString();
      return {
        id: a.id, kind: 'instance', instanceId: instance.id, definitionId: instance.definitionId, definitionKey: instance.definitionKey, elementId: a.elementId,
        elementType: a.elementType, executionId: a.executionId, spec: a.spec, remaining: a.remaining, dueAt, runAt: dueAt, status: 'pending', attempts: 0,
        lastError: null, lockedBy: null, lockExpiresAt: null, createdAt: new Date(createdAt).toISOString(),
      };
    });
    if (removed.length || added.length) await this.batch.syncTimers(removed.map((t) => t.id), added);
    this.known.timers.set(instance.id, [...existing.filter((t) => wanted.has(t.executionId!)), ...added]);
    return { added, removed };
  }

  /** With the instance's subscriptions known, the changes join the batch; else one round trip of its own. */
  override async syncInstanceSubscriptions(instance: { id: string; definitionId: string; definitionKey: string }, wantedList: WantedSubscription[], createdAt: string) {
    const existing = this.known.subscriptions.get(instance.id);
    // (a subscription without execution id never matches one: the statement's own rules)
    if (!existing || wantedList.some((w) => w.executionId === null)) return super.syncInstanceSubscriptions(instance, wantedList, createdAt);
    const wanted = new Map<string, WantedSubscription>();
    for (const w of wantedList) if (!wanted.has(w.executionId!)) wanted.set(w.executionId!, w);
    const removed = existing.filter((s) => s.executionId === null || !wanted.has(s.executionId));
    const kept = new Set(existing.map((s) => s.executionId));
    const added: SubscriptionRecord[] = [...wanted.values()].filter((w) => !kept.has(w.executionId)).map((w) => ({
      id: w.id, kind: w.kind, name: w.name, correlationKey: w.correlationKey, instanceId: instance.id, definitionId: instance.definitionId,
      definitionKey: instance.definitionKey, elementId: w.elementId, elementType: w.elementType, executionId: w.executionId, createdAt: new Date(createdAt).toISOString(),
    }));
    if (removed.length || added.length) await this.batch.syncSubscriptions(removed.map((s) => s.id), added);
    this.known.subscriptions.set(instance.id, [...existing.filter((s) => s.executionId !== null && wanted.has(s.executionId)), ...added]);
    return { added, removed };
  }

  async updateInstance(id: string, expectedRevision: number, p: InstancePatch): Promise<void> {
    await this.batch.updateInstance(id, expectedRevision, p);
    if (p.status !== 'running') for (const children of this.known.children.values()) {
      const at = children.findIndex((c) => c.id === id);
      if (at >= 0) children.splice(at, 1);
    }
  }

  async getTask(id: string): Promise<TaskRecord | null> {
    const rows = await this.q.query(`SELECT ${TASK_COLUMNS} FROM user_task WHERE id = $1`, [id]);
    return rows[0] ? toTaskRecord(rows[0]) : null;
  }

  async insertTasks(tasks: TaskRecord[]): Promise<void> {
    if (!tasks.length) return;
    await this.batch.insertTasks(tasks);
    for (const t of tasks) this.open.get(t.instanceId)?.push({ ...t, status: 'open' });
  }

  async setTaskAssignee(id: string, assignee: string | null): Promise<void> {
    await this.q.query(`UPDATE user_task SET assignee = $2 WHERE id = $1 AND status = 'open'`, [id, assignee]);
    for (const tasks of this.open.values()) for (const t of tasks) if (t.id === id) t.assignee = assignee;
  }

  async closeTasks(instanceId: string, closures: TaskClosure[]): Promise<TaskRecord[]> {
    if (!closures.length) return [];
    const open = this.open.get(instanceId);
    if (open) {
      // The instance is locked by this transaction: its open tasks are known, the update joins the batch.
      const closing = new Map(closures.map((c) => [c.executionId, c]));
      const closed: TaskRecord[] = [];
      this.open.set(instanceId, open.filter((t) => {
        const c = closing.get(t.executionId);
        if (c) closed.push({ ...t, status: c.status, completedAt: c.at, completedBy: c.by, submitted: c.submitted });
        return !c;
      }));
      await this.batch.closeTasks(instanceId, closures.filter((c) => closed.some((t) => t.executionId === c.executionId)));
      return closed;
    }
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
    const known = this.open.get(instanceId);
    if (known) return known.map((t) => ({ ...t }));
    const rows = await this.q.query(`SELECT ${TASK_COLUMNS} FROM user_task WHERE instance_id = $1 AND status = 'open' ORDER BY created_at`, [instanceId]);
    const tasks: TaskRecord[] = rows.map(toTaskRecord);
    // Read under this transaction's lock: current until this store changes them.
    if (this.lockedIds.has(instanceId)) this.open.set(instanceId, tasks.map((t) => ({ ...t })));
    return tasks;
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
    if (events.length) await this.batch.appendHistory(events);
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
    const known = this.known.children.get(parentInstanceId);
    if (known) return known.map((c) => ({ ...c }));
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

/**
 * `q`, forgetting the known rows of a table when a statement other than this store's batch writes
 * it (the batch keeps them current itself).
 */
function forgetting(q: QueryRunner, known: KnownRows): QueryRunner {
  const byTable: Record<string, Map<string, unknown>> = { timer_job: known.timers, event_subscription: known.subscriptions, record: known.records, process_instance: known.children };
  const query = (text: string, params?: unknown[], structured?: boolean) => {
    for (const m of text.matchAll(WRITTEN_TABLES)) byTable[(m[1] ?? m[2] ?? m[3]).toLowerCase()]?.clear();
    return q.query(text, params, structured as true);
  };
  return new Proxy(q, { get: (target, prop) => (prop === 'query' ? query : Reflect.get(target, prop, target)) });
}

/** Advisory lock namespace of reserved record numbers: (hashtext(this || type), number). */
const RECORD_NUMBER_LOCK = 'record_number:';

/** The parts both read-aheads of a start share (the key is `$1`). */
const LATEST_DEFINITION = `SELECT ${DEFINITION_COLUMNS} FROM process_definition WHERE key = $1 ORDER BY version DESC LIMIT 1`;
const latestDecisions = (keys: string) => `SELECT DISTINCT ON (key) ${DECISION_COLUMNS} FROM decision_definition WHERE key = ANY(${keys}::text[]) ORDER BY key, version DESC`;
const ANCHOR_ROW = `(SELECT row_to_json(a) FROM (SELECT instances, mac FROM history_anchor WHERE id = 1) a)`;

/**
 * The read-ahead of a start that numbers no record, as one SELECT with no lock and no write (see
 * TypeormCommandStore.prefetchStart): the key's latest version, the latest decision versions, the
 * history anchor. LazyTransaction runs it outside the transaction.
 */
const START_READ_AHEAD = `SELECT (SELECT row_to_json(d) FROM (${LATEST_DEFINITION}) d) AS definition,
       (SELECT COALESCE(json_agg(k), '[]'::json) FROM (${latestDecisions('$2')}) k) AS decisions,
       ${ANCHOR_ROW} AS anchor`;
/** How many numbers past the committed ones a start looks at for one that no open transaction reserved. */
const RESERVE_WINDOW = 1000;

/**
 * Records whose instance this transaction locked are known from the lock; their writes join the batch.
 * A reserved number (prefetchStart with `reserve`) is counted when its record row is written: the
 * transaction first waits until the one that reserved the number before it has ended (its
 * advisory lock; a statement sent ahead of the batch's, in its round trip, so that PostgreSQL goes
 * on as soon as that one ends), then the batch's statement increments the counter row and inserts the record
 * only if the counter reached exactly this number, else the command fails with a retryable
 * RevisionConflict (the start before it rolled back, or a start that locked the counter took it) and
 * runs again with the counter locked. So committed numbers stay gapless, and the counter row is
 * locked only from that statement to the commit instead of for the whole run.
 */
class BatchedRecordStore extends TypeormRecordStore {
  /**
   * A number allocated ahead (TypeormCommandStore.prefetchStart), until the next allocation of its
   * type takes it; `after`: the committed last value when the number was only reserved (null: taken
   * from the locked counter row).
   */
  prefetched: { type: string; seq: number; after: number | null } | null = null;
  /** The reserved number this transaction's start took, until its record row is written. */
  private reserved: { type: string; seq: number; after: number } | null = null;

  /** True while a reserved number was taken but its record row not written (it would not be counted). */
  get reservedUncounted(): boolean {
    return this.reserved !== null;
  }

  constructor(
    q: QueryRunner,
    private readonly batch: WriteBatch,
    private readonly known: Map<string, RecordRow | null>,
  ) {
    super(q);
  }

  override async allocateRecordSeq(type: RecordType): Promise<number> {
    const ahead = this.prefetched;
    if (ahead?.type !== type) {
      // Another number of the same type in this transaction (a start in the same command): the reserved one is counted first.
      if (this.reserved?.type === type) await this.countReserved(this.reserved);
      return super.allocateRecordSeq(type);
    }
    this.prefetched = null;
    if (ahead.after !== null) this.reserved = { type, seq: ahead.seq, after: ahead.after };
    return ahead.seq;
  }

  /**
   * Numbers reserved before `reserved` by transactions still open: the lock of the one just before,
   * held until it ends (it waits for its own); null when `reserved` follows the committed ones.
   */
  private predecessor(reserved: { type: string; seq: number; after: number }): Prelude | null {
    if (reserved.seq <= reserved.after + 1) return null;
    return { text: `SELECT pg_advisory_xact_lock(hashtext($1), $2::int)`, values: [RECORD_NUMBER_LOCK + reserved.type, String(reserved.seq - 1)] };
  }

  /** Counts the reserved number on its own statement (the counter row stays locked until the commit). */
  private async countReserved(reserved: { type: string; seq: number; after: number }): Promise<void> {
    this.reserved = null;
    const predecessor = this.predecessor(reserved);
    if (predecessor) await this.q.query(predecessor.text, predecessor.values);
    if ((await super.allocateRecordSeq(reserved.type as RecordType)) !== reserved.seq) {
      throw new EngineError(EngineErrorCode.RevisionConflict, `record number ${reserved.seq} of ${reserved.type} is not the next one any more`, { retryable: true });
    }
  }

  override async insertRecord(r: NewRecord): Promise<void> {
    const reserved = this.reserved;
    if (reserved && reserved.type === r.type && reserved.seq === r.seq) {
      if (!this.known.has(r.instanceId)) {
        await this.countReserved(reserved);
        return super.insertRecord(r);
      }
      this.reserved = null;
      // The wait for the number before goes with the batch's statement (one round trip less, and no wait for this process in between).
      this.batch.countRecord(reserved.type, reserved.seq, this.predecessor(reserved));
    }
    if (!this.known.has(r.instanceId)) return super.insertRecord(r);
    await this.batch.insertRecord(r);
    this.known.set(r.instanceId, { number: r.number, type: r.type, instanceId: r.instanceId, state: r.state, acknowledgedAt: null, resolvedAt: null, closedAt: null });
  }

  override async recordOfInstance(instanceId: string): Promise<RecordRow | null> {
    if (!this.known.has(instanceId)) return super.recordOfInstance(instanceId);
    const known = this.known.get(instanceId);
    return known ? { ...known } : null;
  }

  override async updateRecord(number: string, p: RecordPatch): Promise<void> {
    const entry = [...this.known.values()].find((r) => r?.number === number);
    if (!entry) return super.updateRecord(number, p);
    await this.batch.updateRecord(number, p);
    Object.assign(entry, { state: p.state, acknowledgedAt: p.acknowledgedAt, resolvedAt: p.resolvedAt, closedAt: p.closedAt });
  }
}
