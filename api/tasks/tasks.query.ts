import { Inject, Injectable } from '@nestjs/common';
import { EngineError, EngineErrorCode, type Clock, type TaskRecord } from '../../engine';
import { AccessService, SqlParams, viewerOf } from '../auth/access';
import type { AuthUser } from '../auth/auth-user';
import { COUNT_CAP, cappedPage, windowOf, type CappedPage } from '../common/list-window';
import { Database } from '../database/database';
import { TASK_COLUMNS, toTaskRecord } from '../engine-host/rows';
import { CLOCK } from '../engine-host/tokens';
import { SLA_DUE_AT, slaStatus, type SlaStatus } from '../records/records.query';

/** `assigned`: assigned to the caller; `groups`: unassigned and offered to the caller or one of their groups. */
export type TaskScope = 'assigned' | 'groups';
/** `priority` (default): high first, then soonest due; `due`: soonest due first (task due date, else the record's SLA target); `record`: by record number; `created`: oldest first. */
export type TaskSort = 'priority' | 'due' | 'record' | 'created';

export interface TaskFilter {
  assignee?: string;
  candidateGroup?: string;
  candidateUser?: string;
  instanceId?: string;
  status?: string;
  scope?: TaskScope;
  definitionKey?: string;
  /** Substring of the task name, the record number or the record title (case-insensitive). */
  q?: string;
  /** Only tasks past their due date (task due date, else the record's running SLA target). */
  overdue?: boolean;
  sort?: TaskSort;
  page: number;
  size: number;
}

/** The record a task works on (its instance's record, else its root instance's, for called processes). */
export interface TaskRecordSummary {
  number: string;
  type: string;
  title: string | null;
  state: string;
  priority: string | null;
  sla: {
    status: SlaStatus;
    /** The nearest running SLA target (response until acknowledged, then resolution); null when none runs. */
    dueAt: string | null;
    responseDueAt: string | null;
    resolutionDueAt: string | null;
    paused: boolean;
  };
}

export interface TaskView extends TaskRecord {
  formId: string | null;
  record: TaskRecordSummary | null;
}

/**
 * The task's due date, else its record's nearest running SLA target, as copied onto the task by
 * triggers (migration 1765100000000): equal to {@link dueExpr} and indexed.
 */
const LIST_DUE = 'COALESCE(user_task.due_at, user_task.sla_due_at)';

const ORDER: Record<TaskSort, string> = {
  priority: `user_task.priority DESC, ${LIST_DUE} ASC NULLS LAST, user_task.created_at ASC, user_task.id`,
  due: `${LIST_DUE} ASC NULLS LAST, user_task.priority DESC, user_task.created_at ASC, user_task.id`,
  record: 'r.number ASC NULLS LAST, user_task.priority DESC, user_task.created_at ASC, user_task.id',
  created: 'user_task.created_at ASC, user_task.id',
};

/**
 * The same orders over task_participant's copy (migrations 1765700000000, 1767100000000), as its
 * per-principal indexes hold them: a principal's tasks of one status come in list order from one
 * index range (ix_task_participant_priority, _due, _record, _created).
 */
const PARTICIPANT_ORDER: Record<TaskSort, string> = {
  priority: 'tp.priority DESC, tp.due ASC NULLS LAST, tp.created_at ASC, tp.task_id',
  due: 'tp.due ASC NULLS LAST, tp.priority DESC, tp.created_at ASC, tp.task_id',
  record: 'tp.record_number ASC NULLS LAST, tp.priority DESC, tp.created_at ASC, tp.task_id',
  created: 'tp.created_at ASC, tp.task_id',
};

/** The order columns of task_participant each order needs (read from the index, no table row). */
const PARTICIPANT_COLUMNS: Record<TaskSort, string> = {
  priority: 'tp.priority, tp.due, tp.created_at',
  due: 'tp.priority, tp.due, tp.created_at',
  record: 'tp.record_number, tp.priority, tp.created_at',
  created: 'tp.created_at',
};

// The record of the task's instance, else of its root instance (a called process keeps the caller's record).
const RECORD_JOIN = `JOIN process_instance ti ON ti.id = user_task.instance_id
  LEFT JOIN LATERAL (SELECT * FROM record rr WHERE rr.instance_id = user_task.instance_id OR rr.instance_id = ti.root_instance_id
                      ORDER BY (rr.instance_id = user_task.instance_id) DESC LIMIT 1) r ON true`;

/**
 * The task's form: TASK_FORM_ID_COLUMN (typeorm-form-store.ts) over the instance row RECORD_JOIN
 * already joined (`ti`), instead of a second look-up of it per task.
 */
const FORM_ID_COLUMN = `(SELECT f.form_id FROM form_definition f WHERE f.definition_id = ti.definition_id
    AND f.form_id = COALESCE((SELECT b.form_id FROM form_binding b WHERE b.definition_id = ti.definition_id AND b.element_id = user_task.element_id), user_task.form_key)
  ) AS form_id`;

/** Read side of user tasks, with the record each works on and its SLA status. */
@Injectable()
export class TasksQuery {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(AccessService) private readonly access: AccessService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * The tasks `viewer` may see (filtered in SQL, so pages and totals count only those); the records
   * are joined for the page's rows only; totals are capped (api/common/list-window.ts).
   * test/bench/READS.md has the plans.
   *
   * - Admins and auditors: the page's task ids come from one walk of the list-order index (the
   *   record's SLA target is copied onto the task, sla_due_at, so the order needs no join);
   *   sort=record merges the ranges of task_participant's `k:<key>` rows (one per task) of every key.
   * - A viewer who sees a part, without filters: the page is merged from the first page x size
   *   entries of each of their principals' ranges of task_participant (one index range each, in
   *   list order, read from the index alone), deduplicated and sorted; the capped count reads at
   *   most COUNT_CAP + 1 entries of each range. Both run at once.
   * - With filters: the capped count comes first; up to COUNT_CAP matches are fetched through the
   *   indexes of the filters and the visibility test and sorted; with more, the page is merged from
   *   the principals' ranges with the filters applied to each row.
   */
  async list(f: TaskFilter, viewer: AuthUser): Promise<CappedPage<TaskView>> {
    const now = this.clock.now().toISOString();
    const sort = f.sort ?? 'priority';
    const seesAll = viewerOf(viewer).seesAll;
    const plain = !filtered(f);
    let count: (p: SqlParams) => string;
    if (plain && !seesAll) {
      // the first COUNT_CAP + 1 entries of each principal's range (index only), deduplicated
      count = (p) => `SELECT count(*)::int AS total FROM (SELECT DISTINCT x.task_id FROM (${this.principals(viewer, p)}) pr
          CROSS JOIN LATERAL (SELECT tp.task_id FROM task_participant tp WHERE tp.principal = pr.principal AND tp.status = ${p.add(f.status ?? 'open', 'text')}
                               LIMIT ${COUNT_CAP + 1}) x) c`;
    } else {
      // in creation order (index ix_user_task_list_created): a scan in table order would read every
      // older task before the first open one, as the planner assumes matches spread evenly
      count = (p) => `SELECT count(*)::int AS total FROM (SELECT 1 FROM user_task ${this.recordJoinFor(f, true)} WHERE ${this.conditions(f, viewer, p)}
        AND $1::timestamptz IS NOT NULL ORDER BY user_task.created_at, user_task.id LIMIT ${COUNT_CAP + 1}) c`;
    }
    const counting = new SqlParams(plain && !seesAll ? [] : [now]);
    const countSql = count(counting);
    const pageOf = (few: boolean) => {
      const page = new SqlParams([now]);
      let ids: string;
      if (seesAll && sort === 'record' && plain) {
        ids = this.merged(`SELECT 'k:' || d.key AS principal FROM (SELECT DISTINCT key FROM process_definition) d`, f, page, null);
      } else if (seesAll || few) {
        // many, for admins and auditors: walk the list-order index; few matches: fetch them all
        // (the planner ORs the indexes of each part of the visibility test) and sort them
        const where = this.conditions(f, viewer, page);
        const filter = few ? `user_task.id IN (SELECT user_task.id FROM user_task ${this.recordJoinFor(f, true)} WHERE ${where} OFFSET 0)` : where;
        ids = `SELECT user_task.id FROM user_task ${this.recordJoinFor(f)} WHERE ${filter}
          ORDER BY ${ORDER[sort]} LIMIT ${page.add(f.size, 'int')} OFFSET ${page.add((f.page - 1) * f.size, 'int')}`;
      } else {
        // a viewer who sees a part: merged from their principals' ranges; with filters, the whole
        // WHERE (the visibility test included) is applied to each entry
        ids = this.merged(this.principals(viewer, page), f, page, plain ? null : this.conditions(f, viewer, page));
      }
      return this.db.query(
        `SELECT ${qualified()}, ${FORM_ID_COLUMN}, ${dueExpr()} AS due, ${RECORD_COLUMNS}, ${slaStatus('$1::timestamptz')}
           FROM (${ids}) pg JOIN user_task ON user_task.id = pg.id ${RECORD_JOIN} ORDER BY ${ORDER[sort]}`,
        page.values,
      ) as Promise<Record<string, unknown>[]>;
    };
    if (seesAll || plain) {
      const [rows, counted] = await Promise.all([pageOf(false), this.db.query(countSql, counting.values)]);
      return cappedPage(rows.map(toView), f, counted[0].total);
    }
    // filters, for a viewer who sees a part: how large a part (capped) decides how the page is read
    const [counted] = await this.db.query(countSql, counting.values);
    const rows = await pageOf(counted.total <= COUNT_CAP);
    return cappedPage(rows.map(toView), f, counted.total);
  }

  /** The viewer's principals in task_participant, one row each (`principal`): themselves, their groups, the keys they own. */
  private principals(viewer: AuthUser, p: SqlParams): string {
    const v = this.access.visibility(viewer, p);
    const owned = v.viewer.processOwner ? ` UNION ALL SELECT 'k:' || o.definition_key FROM (${v.ownedKeys()}) o` : '';
    return `SELECT unnest(${v.principals()}) AS principal${owned}`;
  }

  /**
   * The page's task ids merged from the ranges of task_participant of `principals` (a query of
   * `principal` rows): the first page x size entries of each range in list order, deduplicated,
   * sorted, cut. `where` (conditions on user_task, `r` the record where a filter needs it) is
   * applied to each entry; null: none (the range alone, read from the index).
   */
  private merged(principals: string, f: TaskFilter, p: SqlParams, where: string | null): string {
    const sort = f.sort ?? 'priority';
    const status = p.add(f.status ?? 'open', 'text');
    const range = where === null
      ? `SELECT tp.task_id, ${PARTICIPANT_COLUMNS[sort]} FROM task_participant tp WHERE tp.principal = pr.principal AND tp.status = ${status}`
      : `SELECT tp.task_id, ${PARTICIPANT_COLUMNS[sort]} FROM task_participant tp JOIN user_task ON user_task.id = tp.task_id ${this.recordJoinFor(f, true)}
          WHERE tp.principal = pr.principal AND tp.status = ${status} AND ${where}`;
    return `SELECT tp.task_id AS id FROM (SELECT DISTINCT x.* FROM (${principals}) pr
              CROSS JOIN LATERAL (${range} ORDER BY ${PARTICIPANT_ORDER[sort]} LIMIT ${p.add(windowOf(f), 'int')}) x) tp
      ORDER BY ${PARTICIPANT_ORDER[sort]} LIMIT ${p.add(f.size, 'int')} OFFSET ${p.add((f.page - 1) * f.size, 'int')}`;
  }

  /** The record join where a filter or the order needs it (the q search, sort=record). */
  private recordJoinFor(f: TaskFilter, counting = false): string {
    return f.q || (!counting && f.sort === 'record') ? RECORD_JOIN : '';
  }

  /** The WHERE of the list; `$1` is now. */
  private conditions(f: TaskFilter, viewer: AuthUser, p: SqlParams): string {
    const conditions = [`user_task.status = ${p.add(f.status ?? 'open', 'text')}`];
    if (f.assignee) conditions.push(`user_task.assignee = ${p.add(f.assignee, 'text')}`);
    if (f.candidateGroup) conditions.push(`user_task.candidate_groups @> ARRAY[${p.add(f.candidateGroup, 'text')}]`);
    if (f.candidateUser) conditions.push(`user_task.candidate_users @> ARRAY[${p.add(f.candidateUser, 'text')}]`);
    if (f.instanceId) conditions.push(`user_task.instance_id = ${p.add(f.instanceId, 'uuid')}`);
    if (f.definitionKey) conditions.push(`user_task.definition_key = ${p.add(f.definitionKey, 'text')}`);
    if (f.q) {
      const like = p.add(`%${escapeLike(f.q.toLowerCase())}%`, 'text');
      conditions.push(`(lower(coalesce(user_task.name, user_task.element_id)) LIKE ${like} OR lower(r.number) LIKE ${like} OR lower(r.title) LIKE ${like})`);
    }
    const v = this.access.visibility(viewer, p);
    // the keys the viewer owns, read once per statement (not per task row); without the process-owner
    // role there are none, and the bare involvement test lets the planner OR the indexes of each part
    if (!v.viewer.seesAll) conditions.push(v.viewer.processOwner ? `(${v.involvedIn('user_task')} OR user_task.definition_key IN (${v.ownedKeys()}))` : v.involvedIn('user_task'));
    if (f.scope === 'assigned') conditions.push(`user_task.assignee = ${p.add(viewer.username, 'text')}`);
    if (f.scope === 'groups') {
      conditions.push(`user_task.assignee IS NULL AND (user_task.candidate_groups && ${p.add(viewer.groups, 'text[]')} OR user_task.candidate_users @> ARRAY[${p.add(viewer.username, 'text')}])`);
    }
    if (f.overdue) conditions.push(`${LIST_DUE} < $1::timestamptz`);
    return conditions.join(' AND ');
  }

  async get(id: string): Promise<TaskView> {
    const rows = await this.db.query(
      `SELECT ${qualified()}, ${FORM_ID_COLUMN}, ${RECORD_COLUMNS}, ${slaStatus('$2::timestamptz')} FROM user_task ${RECORD_JOIN} WHERE user_task.id = $1`,
      [id, this.clock.now().toISOString()],
    );
    if (!rows[0]) throw new EngineError(EngineErrorCode.TaskNotFound, `no task with id "${id}"`);
    return toView(rows[0]);
  }
}

const RECORD_COLUMNS = `r.number AS record_number, r.type AS record_type, r.title AS record_title, r.state AS record_state,
  r.priority AS record_priority, r.response_due_at AS record_response_due_at, r.resolution_due_at AS record_resolution_due_at,
  r.sla_paused AS record_sla_paused, ${SLA_DUE_AT} AS record_sla_due_at`;

/** The task's due date, else its record's nearest running SLA target. */
function dueExpr(): string {
  return `COALESCE(user_task.due_at, ${SLA_DUE_AT})`;
}

/** The list has a filter beyond status and order (each narrows the rows of the visibility ranges). */
function filtered(f: TaskFilter): boolean {
  return Boolean(f.assignee || f.candidateGroup || f.candidateUser || f.instanceId || f.definitionKey || f.q || f.overdue || f.scope);
}

function qualified(): string {
  return TASK_COLUMNS.split(',').map((c) => `user_task.${c.trim()}`).join(', ');
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw pg row
function toView(row: Record<string, any>): TaskView {
  return {
    ...toTaskRecord(row),
    formId: row.form_id ?? null,
    record: row.record_number
      ? {
          number: row.record_number,
          type: row.record_type,
          title: row.record_title,
          state: row.record_state,
          priority: row.record_priority,
          sla: {
            status: row.sla_status ?? null,
            dueAt: iso(row.record_sla_due_at),
            responseDueAt: iso(row.record_response_due_at),
            resolutionDueAt: iso(row.record_resolution_due_at),
            paused: row.record_sla_paused === true,
          },
        }
      : null,
  };
}

function iso(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const d = value instanceof Date ? value : new Date(String(value));
  return Number.isFinite(d.getTime()) ? d.toISOString() : null;
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
