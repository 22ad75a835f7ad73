import type { DefinitionRecord, IncidentRecord, InstanceRecord, TaskRecord, TimerJobRecord } from '../../engine';

/** Column lists and row → record mappers shared by the command store and the read queries. */
export const DEFINITION_COLUMNS = 'id, key, version, version_tag, name, sha256, state, warnings, deployed_by, deployed_at';
export const INSTANCE_COLUMNS =
  'id, definition_id, definition_key, definition_version, business_key, status, variables, active_element_ids, revision, ' +
  'started_by, started_at, ended_at, end_reason, history_seq, history_hash, parent_instance_id, parent_element_id, parent_execution_id, root_instance_id';
export const TASK_COLUMNS =
  'id, instance_id, definition_key, element_id, execution_id, name, assignee, candidate_users, candidate_groups, due_at, follow_up_at, ' +
  'priority, form_key, status, created_at, completed_at, completed_by, submitted';

type Row = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- raw pg rows

/** ISO text of a timestamp; null for NULL and for 'infinity' (a parked timer). */
const iso = (v: Date | string | null): string | null => {
  if (v === null || v === undefined) return null;
  const d = new Date(v);
  return Number.isFinite(d.getTime()) ? d.toISOString() : null;
};

export function toDefinitionRecord(r: Row): DefinitionRecord {
  return {
    id: r.id,
    key: r.key,
    version: r.version,
    versionTag: r.version_tag,
    name: r.name,
    sha256: r.sha256,
    state: r.state,
    deployedBy: r.deployed_by,
    deployedAt: iso(r.deployed_at)!,
    warnings: r.warnings ?? [],
  };
}

export function toInstanceRecord(r: Row): InstanceRecord {
  return {
    id: r.id,
    definitionId: r.definition_id,
    definitionKey: r.definition_key,
    definitionVersion: r.definition_version,
    businessKey: r.business_key,
    status: r.status,
    snapshot: r.snapshot ?? null,
    variables: r.variables ?? {},
    activeElementIds: r.active_element_ids ?? [],
    revision: r.revision,
    startedBy: r.started_by,
    startedAt: iso(r.started_at)!,
    endedAt: iso(r.ended_at),
    endReason: r.end_reason,
    history: { seq: r.history_seq, hash: r.history_hash },
    parentInstanceId: r.parent_instance_id ?? null,
    parentElementId: r.parent_element_id ?? null,
    parentExecutionId: r.parent_execution_id ?? null,
    rootInstanceId: r.root_instance_id ?? null,
  };
}

export function toTaskRecord(r: Row): TaskRecord {
  return {
    id: r.id,
    instanceId: r.instance_id,
    definitionKey: r.definition_key,
    elementId: r.element_id,
    executionId: r.execution_id,
    name: r.name,
    assignee: r.assignee,
    candidateUsers: r.candidate_users ?? [],
    candidateGroups: r.candidate_groups ?? [],
    dueAt: iso(r.due_at),
    followUpAt: iso(r.follow_up_at),
    priority: r.priority,
    formKey: r.form_key,
    status: r.status,
    createdAt: iso(r.created_at)!,
    completedAt: iso(r.completed_at),
    completedBy: r.completed_by,
    submitted: r.submitted ?? null,
  };
}

export const TIMER_JOB_COLUMNS =
  'id, kind, instance_id, definition_id, definition_key, element_id, element_type, execution_id, spec, remaining, due_at, run_at, status, ' +
  'attempts, last_error, locked_by, lock_expires_at, created_at';
export const INCIDENT_COLUMNS =
  'id, type, status, instance_id, definition_id, job_id, element_id, message, attempts, created_at, resolved_at, resolved_by';

export function toTimerJobRecord(r: Row): TimerJobRecord {
  return {
    id: r.id,
    kind: r.kind,
    instanceId: r.instance_id,
    definitionId: r.definition_id,
    definitionKey: r.definition_key,
    elementId: r.element_id,
    elementType: r.element_type,
    executionId: r.execution_id,
    spec: r.spec,
    remaining: r.remaining,
    dueAt: iso(r.due_at),
    runAt: iso(r.run_at),
    status: r.status,
    attempts: r.attempts,
    lastError: r.last_error,
    lockedBy: r.locked_by,
    lockExpiresAt: iso(r.lock_expires_at),
    createdAt: iso(r.created_at)!,
  };
}

export function toIncidentRecord(r: Row): IncidentRecord {
  return {
    id: r.id,
    type: r.type,
    status: r.status,
    instanceId: r.instance_id,
    definitionId: r.definition_id,
    jobId: r.job_id,
    elementId: r.element_id,
    message: r.message,
    attempts: r.attempts,
    createdAt: iso(r.created_at)!,
    resolvedAt: iso(r.resolved_at),
    resolvedBy: r.resolved_by,
  };
}
