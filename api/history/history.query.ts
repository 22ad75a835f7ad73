import { Inject, Injectable } from '@nestjs/common';
import {
  canonicalJson,
  EngineError,
  EngineErrorCode,
  HistoryKeyring,
  anchorMessage,
  auditInstance,
  type HistoryEventRecord,
  type HistoryProblem,
  type InstanceFacts,
  type InstanceView,
  type SealedEvent,
  type TaskFact,
} from '../../engine';
import { Database } from '../database/database';
import { INSTANCE_COLUMNS, toInstanceRecord } from '../engine-host/rows';
import { EVENT_COLUMNS, toEvent, withoutSeal } from './history-rows';
import { replaySteps, type ReplayStep } from './replay';

export interface InstanceReplay {
  instance: InstanceView;
  steps: ReplayStep[];
  /** The replayed variables after the last event equal the instance's stored variables. */
  consistent: boolean;
}

/** One instance's verification, as `GET /api/instances/:id/history/verify` answers it. */
export interface InstanceVerdict {
  valid: boolean;
  /** Events checked. */
  checked: number;
  /** The first problem (by event), or null. */
  firstInvalid: { seq: number | null; reason: string } | null;
  firstInvalidEvent: HistoryEventRecord | null;
  /** Every problem found: chain, seals, head, variables, tasks. */
  problems: HistoryProblem[];
}

/** One page of `GET /api/history/verify`. */
export interface VerifyPage {
  valid: boolean;
  /** Instances checked on this page, and events among them. */
  checked: number;
  events: number;
  /** Instances up to and including this page, of `total`: the progress of a full run. */
  position: number;
  total: number;
  /** Pass as `after` for the next page; null when this was the last. */
  next: string | null;
  problems: HistoryProblem[];
  /** The sealed instance count (checked on the first page, without `after`). */
  anchor?: { instances: number | null; sealed: boolean; sealedAt: string | null };
}

interface InstanceRow {
  id: string;
  history_seq: number;
  history_hash: string | null;
  history_mac: string | null;
  variables: Record<string, unknown>;
}

/**
 * Reads instances' append-only history and verifies it against the server's history key. Every
 * query goes to the read source (DATABASE_READ_URL, a replica, when set, through
 * `Database.lagging`): a reader may see history up to the replica's replay lag behind the primary;
 * an instance the replica does not have yet is read from the primary, and so is everything while
 * the replica does not answer. No command reads from here.
 */
@Injectable()
export class HistoryQuery {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(HistoryKeyring) private readonly ring: HistoryKeyring,
  ) {}

  async events(instanceId: string): Promise<HistoryEventRecord[]> {
    const { read } = await this.instance(instanceId);
    const rows = await read(`SELECT ${EVENT_COLUMNS} FROM history_event WHERE instance_id = $1 ORDER BY seq`, [instanceId]);
    return rows.map((r: Record<string, unknown>) => withoutSeal(toEvent(r)));
  }

  async verify(instanceId: string): Promise<InstanceVerdict> {
    const { row, read } = await this.instance(instanceId);
    const [facts] = await this.facts([row], read);
    const problems = auditInstance(facts!, this.ring);
    const first = problems.find((p) => p.seq !== null) ?? problems[0] ?? null;
    const firstEvent = first?.seq != null ? facts!.events.find((e) => e.seq === first.seq) : undefined;
    return {
      valid: problems.length === 0,
      checked: facts!.events.length,
      firstInvalid: first ? { seq: first.seq, reason: first.reason } : null,
      firstInvalidEvent: firstEvent ? withoutSeal(firstEvent) : null,
      problems,
    };
  }

  /** The history with the tokens and variables after every event (see replay.ts). */
  async replay(instanceId: string): Promise<InstanceReplay> {
    const sql = `SELECT ${INSTANCE_COLUMNS} FROM process_instance WHERE id = $1`;
    let read: Reader = this.lagging;
    let [row] = await read(sql, [instanceId]);
    // Not on the replica yet (its replay lag): the primary has it.
    if (!row && this.db.hasReplica) [row] = await (read = this.primary)(sql, [instanceId]);
    if (!row) throw new EngineError(EngineErrorCode.InstanceNotFound, `no process instance with id "${instanceId}"`);
    const { snapshot: _s, history: _h, ...instance } = toInstanceRecord(row);
    const rows = await read(`SELECT ${EVENT_COLUMNS} FROM history_event WHERE instance_id = $1 ORDER BY seq`, [instanceId]);
    const { steps, variables } = replaySteps(rows.map((r: Record<string, unknown>) => withoutSeal(toEvent(r))));
    return { instance, steps, consistent: canonicalJson(withoutNulls(variables)) === canonicalJson(withoutNulls(instance.variables)) };
  }

  /** Verifies the instances after `after` (by id), `limit` of them, and on the first page the anchor. */
  async verifyPage(after: string | null, limit: number): Promise<VerifyPage> {
    const read = this.lagging;
    const rows: InstanceRow[] = await read(
      `SELECT id, history_seq, history_hash, history_mac, variables FROM process_instance WHERE ($1::uuid IS NULL OR id > $1::uuid) ORDER BY id LIMIT $2`,
      [after, limit],
    );
    const facts = await this.facts(rows, read);
    const problems = facts.flatMap((f) => auditInstance(f, this.ring));
    const last = rows[rows.length - 1]?.id ?? after;
    const [{ total, position }] = await read(
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE $1::uuid IS NOT NULL AND id <= $1::uuid)::int AS position FROM process_instance`,
      [last],
    );
    const page: VerifyPage = {
      valid: problems.length === 0,
      checked: rows.length,
      events: facts.reduce((n, f) => n + f.events.length, 0),
      position,
      total,
      next: rows.length === limit && position < total ? last : null,
      problems,
    };
    if (after === null) {
      const anchor = await this.anchor(total);
      page.anchor = anchor.state;
      page.problems = [...anchor.problems, ...page.problems];
      page.valid = page.problems.length === 0;
    }
    return page;
  }

  /** The sealed instance count against the instances that exist. */
  private async anchor(total: number): Promise<{ state: NonNullable<VerifyPage['anchor']>; problems: HistoryProblem[] }> {
    const rows: { instances: string; mac: string | null; sealed_at: Date | null }[] = await this.lagging(`SELECT instances, mac, sealed_at FROM history_anchor WHERE id = 1`);
    const problem = (reason: string): HistoryProblem => ({ instanceId: '*', seq: null, kind: 'anchor', reason });
    if (!rows[0]) return { state: { instances: null, sealed: false, sealedAt: null }, problems: [problem('the history anchor (the sealed count of instances) is missing: it was deleted')] };
    const instances = Number(rows[0].instances);
    const state = { instances, sealed: Boolean(rows[0].mac), sealedAt: rows[0].sealed_at ? new Date(rows[0].sealed_at).toISOString() : null };
    const check = this.ring.check('anchor', anchorMessage(instances), rows[0].mac);
    const problems: HistoryProblem[] = [];
    if (check === 'missing') problems.push(problem('the history anchor is not sealed: history written before keyed history (restart once with HISTORY_SEAL_LEGACY=true), or its seal was removed'));
    else if (check === 'unknown-key') problems.push(problem(`the history anchor is sealed with a key this server does not hold (${HistoryKeyring.keyIdOfSeal(rows[0].mac)})`));
    else if (check === 'invalid') problems.push(problem(`the history anchor's count (${instances}) does not match its seal: it was changed`));
    if (instances !== total) {
      problems.push(problem(
        instances > total
          ? `${instances - total} instance(s) with their whole history are missing: the anchor counts ${instances} instances, ${total} exist`
          : `${total - instances} instance(s) exist that the anchor does not count (${instances} counted, ${total} exist): rows were inserted`,
      ));
    }
    return { state, problems };
  }

  /** Reads that may lag (the replica, if any). */
  private readonly lagging: Reader = (text, params) => this.db.lagging(text, params);
  /** Reads on the primary. */
  private readonly primary: Reader = (text, params) => this.db.query(text, params);

  /**
   * One instance's row and where to read the rest of its history: the replica, or the primary when
   * the instance is not on the replica yet (started within its replay lag).
   */
  private async instance(id: string): Promise<{ row: InstanceRow; read: Reader }> {
    const sql = `SELECT id, history_seq, history_hash, history_mac, variables FROM process_instance WHERE id = $1`;
    for (const read of this.db.hasReplica ? [this.lagging, this.primary] : [this.primary]) {
      const [row] = await read(sql, [id]);
      if (row) return { row, read };
    }
    throw new EngineError(EngineErrorCode.InstanceNotFound, `no process instance with id "${id}"`);
  }

  /** Events and finished tasks of the given instances, two queries for the whole page. */
  private async facts(rows: InstanceRow[], read: Reader): Promise<InstanceFacts[]> {
    if (!rows.length) return [];
    const ids = rows.map((r) => r.id);
    const events: SealedEvent[] = (await read(`SELECT ${EVENT_COLUMNS} FROM history_event WHERE instance_id = ANY($1::uuid[]) ORDER BY instance_id, seq`, [ids])).map(toEvent);
    const tasks: (TaskFact & { instanceId: string })[] = (
      await read(`SELECT id, instance_id, element_id, status, completed_by, submitted FROM user_task WHERE instance_id = ANY($1::uuid[]) AND status <> 'open'`, [ids])
    ).map((t: Record<string, any>) => ({ id: t.id, instanceId: t.instance_id, elementId: t.element_id, status: t.status, completedBy: t.completed_by, submitted: t.submitted })); // eslint-disable-line @typescript-eslint/no-explicit-any -- raw pg row
    const eventsOf = groupBy(events, (e) => e.instanceId);
    const tasksOf = groupBy(tasks, (t) => t.instanceId);
    return rows.map((r) => ({
      instanceId: r.id,
      head: { seq: r.history_seq, hash: r.history_hash },
      headSeal: r.history_mac,
      events: eventsOf.get(r.id) ?? [],
      variables: r.variables ?? {},
      tasks: tasksOf.get(r.id) ?? [],
    }));
  }
}

/** Runs one read-only statement somewhere (the replica or the primary). */
type Reader = (text: string, params?: unknown[]) => Promise<any[]>; // eslint-disable-line @typescript-eslint/no-explicit-any -- raw pg rows

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}

/** The engine records a removed variable as null: compare without them. */
function withoutNulls(variables: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(variables ?? {}).filter(([, v]) => v !== null));
}
