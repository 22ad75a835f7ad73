import { Inject, Injectable } from '@nestjs/common';
import { EngineError, EngineErrorCode, type DefinitionRecord } from '../../engine';
import { AccessService, SqlParams } from '../auth/access';
import type { AuthUser } from '../auth/auth-user';
import { Database } from '../database/database';
import { DEFINITION_COLUMNS, toDefinitionRecord } from '../engine-host/rows';
import {
  camundaDate,
  paging,
  queryBoolean,
  queryDate,
  queryInt,
  queryList,
  queryText,
  sorting,
  toTypedVariables,
  type TypedValue,
} from './camunda-values';

/**
 * Read side of the Camunda 7 compatible API: Camunda's query parameters and answer shapes over
 * our tables, with the same visibility rules as the native lists (AccessService predicates in
 * SQL, so paging counts only what the caller may see). Runtime resources answer running
 * instances and open tasks only, as Camunda's runtime API does (ended ones are history there).
 * Each process definition version stands for the deployment that created it (same id).
 */

export interface CamundaDeployment {
  id: string;
  name: string | null;
  source: string | null;
  deploymentTime: string | null;
  tenantId: null;
  processDefinitions?: null;
  links: { method: string; href: string; rel: string }[];
}

export interface CamundaProcessDefinition {
  id: string;
  key: string;
  category: string | null;
  description: string | null;
  name: string | null;
  version: number;
  resource: string;
  deploymentId: string;
  diagram: null;
  suspended: boolean;
  tenantId: null;
  versionTag: string | null;
  historyTimeToLive: null;
  startableInTasklist: boolean;
}

export interface CamundaProcessInstance {
  links: { method: string; href: string; rel: string }[];
  id: string;
  definitionId: string;
  definitionKey: string;
  businessKey: string | null;
  caseInstanceId: null;
  ended: boolean;
  suspended: boolean;
  tenantId: null;
}

export interface CamundaTask {
  id: string;
  name: string | null;
  assignee: string | null;
  owner: null;
  created: string | null;
  lastUpdated: null;
  due: string | null;
  followUp: string | null;
  delegationState: null;
  description: null;
  executionId: string;
  parentTaskId: null;
  priority: number;
  processDefinitionId: string;
  processInstanceId: string;
  caseExecutionId: null;
  caseDefinitionId: null;
  caseInstanceId: null;
  taskDefinitionKey: string;
  suspended: boolean;
  formKey: string | null;
  camundaFormRef: null;
  tenantId: null;
}

type Row = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- raw pg rows
type Query = Record<string, unknown>;

/** A LIKE pattern from Camunda's `…Like` parameter (`%` wildcards kept, `_` and `\` literal). */
function like(value: string): string {
  return value.replace(/[\\_]/g, (c) => `\\${c}`);
}

export function toCamundaDefinition(d: DefinitionRecord): CamundaProcessDefinition {
  return {
    id: d.id,
    key: d.key,
    category: null,
    description: null,
    name: d.name,
    version: d.version,
    resource: `${d.key}.bpmn`,
    deploymentId: d.id,
    diagram: null,
    suspended: d.state === 'suspended',
    tenantId: null,
    versionTag: d.versionTag,
    historyTimeToLive: null,
    startableInTasklist: true,
  };
}

export function toCamundaDeployment(d: DefinitionRecord, baseUrl: string): CamundaDeployment {
  return {
    id: d.id,
    name: d.name ?? d.key,
    source: null,
    deploymentTime: camundaDate(d.deployedAt),
    tenantId: null,
    links: [{ method: 'GET', href: `${baseUrl}/deployment/${d.id}`, rel: 'self' }],
  };
}

export function toCamundaInstance(row: { id: string; definitionId: string; definitionKey: string; businessKey: string | null; ended: boolean }, baseUrl: string): CamundaProcessInstance {
  return {
    links: [{ method: 'GET', href: `${baseUrl}/process-instance/${row.id}`, rel: 'self' }],
    id: row.id,
    definitionId: row.definitionId,
    definitionKey: row.definitionKey,
    businessKey: row.businessKey,
    caseInstanceId: null,
    ended: row.ended,
    suspended: false,
    tenantId: null,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const uuids = (values: string[]) => values.filter((v) => UUID.test(v));

@Injectable()
export class EngineRestQuery {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(AccessService) private readonly access: AccessService,
  ) {}

  // -- deployments and definitions (every signed-in user reads them, as in the native API) --

  private definitionFilter(q: Query, p: SqlParams, deployments: boolean): string[] {
    const c: string[] = [];
    const id = queryText(q, deployments ? 'id' : 'processDefinitionId');
    if (id !== undefined) c.push(UUID.test(id) ? `id = ${p.add(id, 'uuid')}` : 'false');
    const ids = queryList(q, deployments ? 'idIn' : 'processDefinitionIdIn');
    if (ids) c.push(`id = ANY (${p.add(uuids(ids), 'uuid[]')})`);
    const deploymentId = deployments ? undefined : queryText(q, 'deploymentId');
    if (deploymentId !== undefined) c.push(UUID.test(deploymentId) ? `id = ${p.add(deploymentId, 'uuid')}` : 'false');
    const name = queryText(q, 'name');
    if (name !== undefined) c.push(`coalesce(name, key) = ${p.add(name, 'text')}`);
    const nameLike = queryText(q, 'nameLike');
    if (nameLike !== undefined) c.push(`coalesce(name, key) LIKE ${p.add(like(nameLike), 'text')}`);
    if (deployments) {
      const after = queryDate(q, 'after');
      if (after) c.push(`deployed_at > ${p.add(after, 'timestamptz')}`);
      const before = queryDate(q, 'before');
      if (before) c.push(`deployed_at < ${p.add(before, 'timestamptz')}`);
      if (queryText(q, 'source') !== undefined) c.push('false');
      return c;
    }
    const key = queryText(q, 'key');
    if (key !== undefined) c.push(`key = ${p.add(key, 'text')}`);
    const keys = queryList(q, 'keysIn') ?? queryList(q, 'keyIn');
    if (keys) c.push(`key = ANY (${p.add(keys, 'text[]')})`);
    const keyLike = queryText(q, 'keyLike');
    if (keyLike !== undefined) c.push(`key LIKE ${p.add(like(keyLike), 'text')}`);
    const version = queryInt(q, 'version', 1, 2_000_000_000);
    if (version !== undefined) c.push(`version = ${p.add(version, 'int')}`);
    if (queryBoolean(q, 'latestVersion')) c.push(`version = (SELECT max(v.version) FROM process_definition v WHERE v.key = process_definition.key)`);
    if (queryBoolean(q, 'suspended')) c.push(`state = 'suspended'`);
    if (queryBoolean(q, 'active')) c.push(`state = 'active'`);
    const versionTag = queryText(q, 'versionTag');
    if (versionTag !== undefined) c.push(`version_tag = ${p.add(versionTag, 'text')}`);
    return c;
  }

  async deployments(q: Query, baseUrl: string): Promise<CamundaDeployment[]> {
    const p = new SqlParams();
    const where = ['true', ...this.definitionFilter(q, p, true)].join(' AND ');
    const order = sorting(q, { id: 'id', name: 'coalesce(name, key)', deploymentTime: 'deployed_at', tenantId: 'id' }, 'deployed_at ASC', 'id');
    const { offset, limit } = paging(q);
    const rows = await this.db.dataSource.query(
      `SELECT ${DEFINITION_COLUMNS} FROM process_definition WHERE ${where} ORDER BY ${order} LIMIT ${p.add(limit, 'int')} OFFSET ${p.add(offset, 'int')}`,
      p.values,
    );
    return rows.map((r: Row) => toCamundaDeployment(toDefinitionRecord(r), baseUrl));
  }

  async countDeployments(q: Query): Promise<number> {
    const p = new SqlParams();
    const where = ['true', ...this.definitionFilter(q, p, true)].join(' AND ');
    return (await this.db.dataSource.query(`SELECT count(*)::int AS n FROM process_definition WHERE ${where}`, p.values))[0].n;
  }

  async definitions(q: Query): Promise<CamundaProcessDefinition[]> {
    const p = new SqlParams();
    const where = ['true', ...this.definitionFilter(q, p, false)].join(' AND ');
    const order = sorting(
      q,
      { category: 'key', key: 'key', id: 'id', name: 'coalesce(name, key)', version: 'version', deploymentId: 'id', deployTime: 'deployed_at', tenantId: 'id', versionTag: 'version_tag' },
      'key ASC, version ASC',
      'id',
    );
    const { offset, limit } = paging(q);
    const rows = await this.db.dataSource.query(
      `SELECT ${DEFINITION_COLUMNS} FROM process_definition WHERE ${where} ORDER BY ${order} LIMIT ${p.add(limit, 'int')} OFFSET ${p.add(offset, 'int')}`,
      p.values,
    );
    return rows.map((r: Row) => toCamundaDefinition(toDefinitionRecord(r)));
  }

  async countDefinitions(q: Query): Promise<number> {
    const p = new SqlParams();
    const where = ['true', ...this.definitionFilter(q, p, false)].join(' AND ');
    return (await this.db.dataSource.query(`SELECT count(*)::int AS n FROM process_definition WHERE ${where}`, p.values))[0].n;
  }

  /** The latest version of a key (Camunda's `…/key/{key}`). */
  async latestByKey(key: string): Promise<DefinitionRecord> {
    const rows = await this.db.dataSource.query(`SELECT ${DEFINITION_COLUMNS} FROM process_definition WHERE key = $1 ORDER BY version DESC LIMIT 1`, [key]);
    if (!rows[0]) throw new EngineError(EngineErrorCode.DefinitionNotFound, `No matching process definition with key: ${key} and no tenant-id`);
    return toDefinitionRecord(rows[0]);
  }

  async definition(id: string): Promise<DefinitionRecord> {
    const rows = UUID.test(id) ? await this.db.dataSource.query(`SELECT ${DEFINITION_COLUMNS} FROM process_definition WHERE id = $1`, [id]) : [];
    if (!rows[0]) throw new EngineError(EngineErrorCode.DefinitionNotFound, `No matching definition with id ${id}`);
    return toDefinitionRecord(rows[0]);
  }

  async xml(id: string): Promise<string> {
    const rows = await this.db.dataSource.query(`SELECT xml FROM process_definition WHERE id = $1`, [id]);
    if (!rows[0]) throw new EngineError(EngineErrorCode.DefinitionNotFound, `No matching definition with id ${id}`);
    return rows[0].xml;
  }

  // -- process instances: the running ones the caller may see --

  private instanceFilter(q: Query, p: SqlParams, user: AuthUser): string[] {
    const c = [`i.status = 'running'`, this.access.visibility(user, p).instance('i')];
    const ids = queryList(q, 'processInstanceIds');
    if (ids) c.push(`i.id = ANY (${p.add(uuids(ids), 'uuid[]')})`);
    const businessKey = queryText(q, 'businessKey');
    if (businessKey !== undefined) c.push(`i.business_key = ${p.add(businessKey, 'text')}`);
    const businessKeyLike = queryText(q, 'businessKeyLike');
    if (businessKeyLike !== undefined) c.push(`i.business_key LIKE ${p.add(like(businessKeyLike), 'text')}`);
    const definitionId = queryText(q, 'processDefinitionId');
    if (definitionId !== undefined) c.push(UUID.test(definitionId) ? `i.definition_id = ${p.add(definitionId, 'uuid')}` : 'false');
    const key = queryText(q, 'processDefinitionKey');
    if (key !== undefined) c.push(`i.definition_key = ${p.add(key, 'text')}`);
    const keys = queryList(q, 'processDefinitionKeyIn');
    if (keys) c.push(`i.definition_key = ANY (${p.add(keys, 'text[]')})`);
    const superInstance = queryText(q, 'superProcessInstance');
    if (superInstance !== undefined) c.push(UUID.test(superInstance) ? `i.parent_instance_id = ${p.add(superInstance, 'uuid')}` : 'false');
    if (queryBoolean(q, 'suspended')) c.push('false');
    if (queryBoolean(q, 'rootProcessInstances')) c.push('i.parent_instance_id IS NULL');
    if (queryBoolean(q, 'withIncident')) c.push(`EXISTS (SELECT 1 FROM incident x WHERE x.instance_id = i.id AND x.status = 'open')`);
    return c;
  }

  async instances(q: Query, user: AuthUser, baseUrl: string): Promise<CamundaProcessInstance[]> {
    const p = new SqlParams();
    const where = this.instanceFilter(q, p, user).join(' AND ');
    const order = sorting(q, { instanceId: 'i.id', definitionKey: 'i.definition_key', definitionId: 'i.definition_id', businessKey: 'i.business_key', tenantId: 'i.id' }, 'i.started_at ASC', 'i.id');
    const { offset, limit } = paging(q);
    const rows = await this.db.dataSource.query(
      `SELECT i.id, i.definition_id, i.definition_key, i.business_key, i.status FROM process_instance i WHERE ${where} ORDER BY ${order} LIMIT ${p.add(limit, 'int')} OFFSET ${p.add(offset, 'int')}`,
      p.values,
    );
    return rows.map((r: Row) => toCamundaInstance({ id: r.id, definitionId: r.definition_id, definitionKey: r.definition_key, businessKey: r.business_key, ended: r.status !== 'running' }, baseUrl));
  }

  async countInstances(q: Query, user: AuthUser): Promise<number> {
    const p = new SqlParams();
    const where = this.instanceFilter(q, p, user).join(' AND ');
    return (await this.db.dataSource.query(`SELECT count(*)::int AS n FROM process_instance i WHERE ${where}`, p.values))[0].n;
  }

  /** A running instance (the caller's visibility is checked by AccessService first). */
  async instance(id: string, baseUrl: string): Promise<CamundaProcessInstance & { variables: Record<string, unknown> }> {
    const [r] = await this.db.dataSource.query(`SELECT id, definition_id, definition_key, business_key, status, variables FROM process_instance WHERE id = $1 AND status = 'running'`, [id]);
    if (!r) throw new EngineError(EngineErrorCode.InstanceNotFound, `Process instance with id ${id} does not exist`);
    return { ...toCamundaInstance({ id: r.id, definitionId: r.definition_id, definitionKey: r.definition_key, businessKey: r.business_key, ended: false }, baseUrl), variables: r.variables ?? {} };
  }

  /** The variables of an instance (running or not: what a command answered), typed. */
  async variablesOf(instanceId: string, names?: string[]): Promise<Record<string, TypedValue>> {
    const [r] = await this.db.dataSource.query(`SELECT variables FROM process_instance WHERE id = $1`, [instanceId]);
    return toTypedVariables((r?.variables as Record<string, unknown>) ?? {}, names);
  }

  // -- tasks: the open ones the caller may see --

  private taskFilter(q: Query, p: SqlParams, user: AuthUser): string[] {
    const c = [`t.status = 'open'`, this.access.visibility(user, p).task('t')];
    const instanceId = queryText(q, 'processInstanceId');
    if (instanceId !== undefined) c.push(UUID.test(instanceId) ? `t.instance_id = ${p.add(instanceId, 'uuid')}` : 'false');
    const instanceIds = queryList(q, 'processInstanceIdIn');
    if (instanceIds) c.push(`t.instance_id = ANY (${p.add(uuids(instanceIds), 'uuid[]')})`);
    const businessKey = queryText(q, 'processInstanceBusinessKey');
    if (businessKey !== undefined) c.push(`i.business_key = ${p.add(businessKey, 'text')}`);
    const definitionId = queryText(q, 'processDefinitionId');
    if (definitionId !== undefined) c.push(UUID.test(definitionId) ? `i.definition_id = ${p.add(definitionId, 'uuid')}` : 'false');
    const key = queryText(q, 'processDefinitionKey');
    if (key !== undefined) c.push(`t.definition_key = ${p.add(key, 'text')}`);
    const keys = queryList(q, 'processDefinitionKeyIn');
    if (keys) c.push(`t.definition_key = ANY (${p.add(keys, 'text[]')})`);
    const elementId = queryText(q, 'taskDefinitionKey');
    if (elementId !== undefined) c.push(`t.element_id = ${p.add(elementId, 'text')}`);
    const elementIds = queryList(q, 'taskDefinitionKeyIn');
    if (elementIds) c.push(`t.element_id = ANY (${p.add(elementIds, 'text[]')})`);
    const name = queryText(q, 'name');
    if (name !== undefined) c.push(`t.name = ${p.add(name, 'text')}`);
    const nameLike = queryText(q, 'nameLike');
    if (nameLike !== undefined) c.push(`t.name LIKE ${p.add(like(nameLike), 'text')}`);
    const assignee = queryText(q, 'assignee');
    if (assignee !== undefined) c.push(`t.assignee = ${p.add(assignee, 'text')}`);
    const assigneeLike = queryText(q, 'assigneeLike');
    if (assigneeLike !== undefined) c.push(`t.assignee LIKE ${p.add(like(assigneeLike), 'text')}`);
    const assigneeIn = queryList(q, 'assigneeIn');
    if (assigneeIn) c.push(`t.assignee = ANY (${p.add(assigneeIn, 'text[]')})`);
    if (queryBoolean(q, 'assigned')) c.push('t.assignee IS NOT NULL');
    if (queryBoolean(q, 'unassigned')) c.push('t.assignee IS NULL');
    // Camunda: candidate queries find unassigned tasks unless includeAssignedTasks=true.
    const includeAssigned = queryBoolean(q, 'includeAssignedTasks') === true;
    const candidateGroup = queryText(q, 'candidateGroup');
    const candidateGroups = queryList(q, 'candidateGroups');
    const candidateUser = queryText(q, 'candidateUser');
    if (candidateGroup !== undefined) c.push(`t.candidate_groups @> ARRAY[${p.add(candidateGroup, 'text')}]`);
    if (candidateGroups) c.push(`t.candidate_groups && ${p.add(candidateGroups, 'text[]')}`);
    if (candidateUser !== undefined) c.push(`t.candidate_users @> ARRAY[${p.add(candidateUser, 'text')}]`);
    if ((candidateGroup !== undefined || candidateGroups || candidateUser !== undefined) && !includeAssigned) c.push('t.assignee IS NULL');
    if (queryBoolean(q, 'withCandidateGroups')) c.push(`cardinality(t.candidate_groups) > 0`);
    if (queryBoolean(q, 'withoutCandidateGroups')) c.push(`cardinality(t.candidate_groups) = 0`);
    const dueBefore = queryDate(q, 'dueBefore');
    if (dueBefore) c.push(`t.due_at < ${p.add(dueBefore, 'timestamptz')}`);
    const dueAfter = queryDate(q, 'dueAfter');
    if (dueAfter) c.push(`t.due_at > ${p.add(dueAfter, 'timestamptz')}`);
    const createdBefore = queryDate(q, 'createdBefore');
    if (createdBefore) c.push(`t.created_at < ${p.add(createdBefore, 'timestamptz')}`);
    const createdAfter = queryDate(q, 'createdAfter');
    if (createdAfter) c.push(`t.created_at > ${p.add(createdAfter, 'timestamptz')}`);
    const priority = queryInt(q, 'priority', -2_000_000_000, 2_000_000_000);
    if (priority !== undefined) c.push(`t.priority = ${p.add(priority, 'int')}`);
    if (queryBoolean(q, 'suspended')) c.push('false');
    return c;
  }

  async tasks(q: Query, user: AuthUser): Promise<CamundaTask[]> {
    const p = new SqlParams();
    const where = this.taskFilter(q, p, user).join(' AND ');
    const order = sorting(
      q,
      {
        instanceId: 't.instance_id',
        processInstanceId: 't.instance_id',
        dueDate: 't.due_at',
        followUpDate: 't.follow_up_at',
        executionId: 't.execution_id',
        assignee: 't.assignee',
        created: 't.created_at',
        id: 't.id',
        name: 't.name',
        nameCaseInsensitive: 'lower(t.name)',
        priority: 't.priority',
        tenantId: 't.id',
      },
      't.created_at ASC',
      't.id',
    );
    const { offset, limit } = paging(q);
    const rows = await this.db.dataSource.query(
      `SELECT t.*, i.definition_id FROM user_task t JOIN process_instance i ON i.id = t.instance_id WHERE ${where} ORDER BY ${order} LIMIT ${p.add(limit, 'int')} OFFSET ${p.add(offset, 'int')}`,
      p.values,
    );
    return rows.map(toCamundaTask);
  }

  async countTasks(q: Query, user: AuthUser): Promise<number> {
    const p = new SqlParams();
    const where = this.taskFilter(q, p, user).join(' AND ');
    return (await this.db.dataSource.query(`SELECT count(*)::int AS n FROM user_task t JOIN process_instance i ON i.id = t.instance_id WHERE ${where}`, p.values))[0].n;
  }

  /** An open task (visibility is checked by AccessService first). */
  async task(id: string): Promise<CamundaTask> {
    const [r] = await this.db.dataSource.query(
      `SELECT t.*, i.definition_id FROM user_task t JOIN process_instance i ON i.id = t.instance_id WHERE t.id = $1 AND t.status = 'open'`,
      [id],
    );
    if (!r) throw new EngineError(EngineErrorCode.TaskNotFound, `No matching task with id ${id}`);
    return toCamundaTask(r);
  }
}

function toCamundaTask(r: Row): CamundaTask {
  return {
    id: r.id,
    name: r.name ?? null,
    assignee: r.assignee ?? null,
    owner: null,
    created: camundaDate(r.created_at),
    lastUpdated: null,
    due: camundaDate(r.due_at),
    followUp: camundaDate(r.follow_up_at),
    delegationState: null,
    description: null,
    executionId: r.execution_id,
    parentTaskId: null,
    priority: r.priority,
    processDefinitionId: r.definition_id,
    processInstanceId: r.instance_id,
    caseExecutionId: null,
    caseDefinitionId: null,
    caseInstanceId: null,
    taskDefinitionKey: r.element_id,
    suspended: false,
    formKey: r.form_key ?? null,
    camundaFormRef: null,
    tenantId: null,
  };
}
