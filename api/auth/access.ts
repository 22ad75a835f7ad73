import { Inject, Injectable } from '@nestjs/common';
import { EngineError, EngineErrorCode } from '../../engine';
import { Database } from '../database/database';
import { AccessDenied } from './access-denied';
import { hasRole, type AuthUser } from './auth-user';

/**
 * The object-level authorisation rules, in one place. Queries use the SQL predicates (lists are
 * filtered in the database, so pagination and totals count only what the caller may see);
 * controllers use the checks, which answer 404 for objects the caller may not see (the same body
 * as an unknown id) and 403 for visible objects the caller may not change.
 *
 * - Admins and auditors see every instance, task, incident and timer.
 * - A process owner (role `process-owner`) named an owner of a definition key (table
 *   definition_owner) sees every instance, task, incident and timer of that key, and may cancel
 *   its instances and pause or resume their SLA clocks.
 * - Everybody sees the tasks they are assigned to, offered to (candidate user or a member of a
 *   candidate group) or completed, and the instances they take part in: started, or any of
 *   whose tasks they are (or were) assigned to, offered to or completed.
 * - Only the assignee or a candidate (user, or member of a candidate group) may claim, unclaim
 *   or complete a task; admins reassign (POST /api/tasks/:id/assign).
 *
 * Names match exactly as stored (usernames, group names), as the engine compares assignees.
 */

/** Positional parameters of one SQL statement; `add` answers the placeholder. */
export class SqlParams {
  readonly values: unknown[];

  constructor(initial: unknown[] = []) {
    this.values = [...initial];
  }

  add(value: unknown, cast?: string): string {
    this.values.push(value);
    return `$${this.values.length}${cast ? `::${cast}` : ''}`;
  }
}

/** What the visibility rules need to know about the caller. */
export interface Viewer {
  username: string;
  groups: string[];
  /** Admins and auditors see everything. */
  seesAll: boolean;
  /** Holds the process-owner role: owning a key (definition_owner) counts. */
  processOwner: boolean;
}

export function viewerOf(user: AuthUser): Viewer {
  return { username: user.username, groups: user.groups, seesAll: hasRole(user, 'admin', 'auditor'), processOwner: hasRole(user, 'process-owner') };
}

/** SQL predicates for one viewer; each placeholder is added to `params` once. */
export class Visibility {
  private me?: string;
  private myGroups?: string;

  constructor(
    readonly viewer: Viewer,
    readonly params: SqlParams,
  ) {}

  private username(): string {
    return (this.me ??= this.params.add(this.viewer.username, 'text'));
  }

  private groups(): string {
    return (this.myGroups ??= this.params.add(this.viewer.groups, 'text[]'));
  }

  /** The viewer owns the key in `keyExpr` (and holds the process-owner role). */
  ownsKey(keyExpr: string): string {
    if (!this.viewer.processOwner) return 'false';
    return `EXISTS (SELECT 1 FROM definition_owner o JOIN app_user ou ON ou.id = o.user_id
                     WHERE o.definition_key = ${keyExpr} AND lower(ou.username) = lower(${this.username()}))`;
  }

  /** The task (alias `t`) is assigned to, offered to, or was completed by the viewer. */
  involvedIn(t: string): string {
    return `(${t}.assignee = ${this.username()} OR ${t}.completed_by = ${this.username()}
             OR ${t}.candidate_users @> ARRAY[${this.username()}] OR ${t}.candidate_groups && ${this.groups()})`;
  }

  /** The viewer may act on the task (alias `t`): its assignee or a candidate. */
  mayWorkOn(t: string): string {
    return `(${t}.assignee = ${this.username()} OR ${t}.candidate_users @> ARRAY[${this.username()}] OR ${t}.candidate_groups && ${this.groups()})`;
  }

  /** The viewer takes part in the instance (alias `i`). */
  participates(i: string): string {
    return `(${i}.started_by = ${this.username()} OR EXISTS (SELECT 1 FROM user_task pt WHERE pt.instance_id = ${i}.id AND ${this.involvedIn('pt')}))`;
  }

  task(t = 'user_task'): string {
    if (this.viewer.seesAll) return 'true';
    return `(${this.involvedIn(t)} OR ${this.ownsKey(`${t}.definition_key`)})`;
  }

  instance(i = 'process_instance'): string {
    if (this.viewer.seesAll) return 'true';
    return `(${this.participates(i)} OR ${this.ownsKey(`${i}.definition_key`)})`;
  }

  /**
   * The viewer's principals in instance_participant (migration 1765100000000): `u:<username>` and
   * `g:<group>` for each of their groups. An instance row with one of them is one they take part
   * in — the same set {@link participates} describes, kept by triggers.
   */
  principals(): string {
    return this.params.add([`u:${this.viewer.username}`, ...this.viewer.groups.map((g) => `g:${g}`)], 'text[]');
  }

  /** The definition keys the viewer owns (a query for `IN (...)`/`FROM (...)`); none without the process-owner role. */
  ownedKeys(): string {
    if (!this.viewer.processOwner) return `SELECT NULL::text AS definition_key WHERE false`;
    return `SELECT o.definition_key FROM definition_owner o JOIN app_user ou ON ou.id = o.user_id WHERE lower(ou.username) = lower(${this.username()})`;
  }

  /** Incidents and timers: admins, auditors, and the owners of their key. */
  byKey(keyExpr: string): string {
    if (this.viewer.seesAll) return 'true';
    return this.ownsKey(keyExpr);
  }
}

export interface InstanceAccess {
  id: string;
  definitionKey: string;
  /** The caller takes part in it (started it, or is involved in one of its tasks). */
  participant: boolean;
  /** The caller is a process owner of its key. */
  owner: boolean;
}

export interface TaskAccess {
  id: string;
  instanceId: string;
  definitionKey: string;
  /** The caller is its assignee or a candidate. */
  worker: boolean;
}

const instanceNotFound = (id: string) => `no process instance with id "${id}"`;
const taskNotFound = (id: string) => `no task with id "${id}"`;

/** The checks controllers run before reading or changing one object. */
@Injectable()
export class AccessService {
  constructor(@Inject(Database) private readonly db: Database) {}

  visibility(user: AuthUser, params: SqlParams): Visibility {
    return new Visibility(viewerOf(user), params);
  }

  /** The instance if the caller may see it; 404 otherwise (unknown or hidden alike). */
  async readInstance(user: AuthUser, id: string): Promise<InstanceAccess> {
    const p = new SqlParams([id]);
    const v = this.visibility(user, p);
    const [row] = await this.db.query(
      `SELECT i.id, i.definition_key, ${v.participates('i')} AS participant, ${v.ownsKey('i.definition_key')} AS owner
         FROM process_instance i WHERE i.id = $1`,
      p.values,
    );
    if (!row) throw new EngineError(EngineErrorCode.InstanceNotFound, instanceNotFound(id));
    const access: InstanceAccess = { id: row.id, definitionKey: row.definition_key, participant: row.participant === true, owner: row.owner === true };
    if (!v.viewer.seesAll && !access.participant && !access.owner) {
      throw new AccessDenied(EngineErrorCode.InstanceNotFound, instanceNotFound(id), `instance ${id} (${access.definitionKey}) is not visible: not a participant, not a process owner of the key`);
    }
    return access;
  }

  /** Cancelling: admins and the process owners of the key. */
  async cancelInstance(user: AuthUser, id: string): Promise<InstanceAccess> {
    const access = await this.readInstance(user, id);
    if (hasRole(user, 'admin') || access.owner) return access;
    throw new AccessDenied(
      EngineErrorCode.Forbidden,
      `only an administrator or a process owner of "${access.definitionKey}" may cancel its instances`,
      `cancel of instance ${id}: not an admin, not a process owner of ${access.definitionKey}`,
    );
  }

  /** Pausing and resuming SLA clocks: admins, process owners of the key, participants holding staff. */
  async changeSla(user: AuthUser, id: string): Promise<InstanceAccess> {
    const access = await this.readInstance(user, id);
    if (hasRole(user, 'admin') || access.owner || (access.participant && hasRole(user, 'staff'))) return access;
    throw new AccessDenied(
      EngineErrorCode.Forbidden,
      `only an administrator, a process owner of "${access.definitionKey}" or staff taking part in the instance may pause or resume its SLA clocks`,
      `SLA change on instance ${id}: not an admin, owner, or participating staff`,
    );
  }

  /** The task if the caller may see it; 404 otherwise. */
  async readTask(user: AuthUser, id: string): Promise<TaskAccess> {
    const p = new SqlParams([id]);
    const v = this.visibility(user, p);
    const [row] = await this.db.query(
      `SELECT t.id, t.instance_id, t.definition_key, ${v.task('t')} AS visible, ${v.mayWorkOn('t')} AS worker FROM user_task t WHERE t.id = $1`,
      p.values,
    );
    if (!row) throw new EngineError(EngineErrorCode.TaskNotFound, taskNotFound(id));
    if (row.visible !== true) {
      throw new AccessDenied(EngineErrorCode.TaskNotFound, taskNotFound(id), `task ${id} (${row.definition_key}) is not visible: not its assignee or a candidate, not a process owner of the key`);
    }
    return { id: row.id, instanceId: row.instance_id, definitionKey: row.definition_key, worker: row.worker === true };
  }

  /** Claiming, unclaiming, completing: the assignee or a candidate (user, or member of a candidate group). */
  async workOnTask(user: AuthUser, id: string, action: 'claim' | 'unclaim' | 'complete'): Promise<TaskAccess> {
    const access = await this.readTask(user, id);
    if (access.worker) return access;
    throw new AccessDenied(
      EngineErrorCode.Forbidden,
      `only the assignee or a candidate of task ${id} may ${action} it${hasRole(user, 'admin') ? ' (administrators reassign it: POST /api/tasks/:id/assign)' : ''}`,
      `${action} of task ${id}: not its assignee or a candidate`,
    );
  }
}
