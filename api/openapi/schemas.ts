import type { ReferenceObject, SchemaObject } from '@nestjs/swagger';

/**
 * Response bodies of the API as OpenAPI components. The engine and the read side answer plain
 * interfaces (no DTO classes), so their shapes are written here once and referenced from the
 * routes with `@ApiOkResponse({ schema: ref('X') })`; `modeler/src/api/schema.d.ts` is
 * generated from them (scripts/generate-api-types.mjs). Keep each in step with its interface.
 */
type Schema = SchemaObject | ReferenceObject;

export const ref = (name: keyof typeof SCHEMAS): ReferenceObject => ({ $ref: `#/components/schemas/${name}` });
export const listOf = (name: keyof typeof SCHEMAS): SchemaObject => ({ type: 'array', items: ref(name) });
/** A `Page` of `name` items (`?page=&size=`). */
export const pageOf = (name: keyof typeof SCHEMAS): SchemaObject => ({
  type: 'object',
  required: ['items', 'page', 'size', 'total'],
  properties: { items: listOf(name), page: { type: 'integer' }, size: { type: 'integer' }, total: { type: 'integer' } },
});

/** A list page whose total is capped (api/common/list-window.ts): total at most 1000, totalCapped when there are more. */
export const cappedPageOf = (name: keyof typeof SCHEMAS): SchemaObject => ({
  type: 'object',
  required: ['items', 'page', 'size', 'total', 'totalCapped'],
  properties: {
    items: listOf(name),
    page: { type: 'integer' },
    size: { type: 'integer' },
    total: { type: 'integer', description: 'matches, counted up to 1000' },
    totalCapped: { type: 'boolean', description: 'true: more than 1000 match (total is then 1000)' },
  },
});

const str: SchemaObject = { type: 'string' };
const int: SchemaObject = { type: 'integer' };
const bool: SchemaObject = { type: 'boolean' };
const time: SchemaObject = { type: 'string', format: 'date-time' };
const nullable = (s: SchemaObject): SchemaObject => ({ ...s, nullable: true });
const strings: SchemaObject = { type: 'array', items: str };
const anyObject: SchemaObject = { type: 'object', additionalProperties: true };

function object(properties: Record<string, Schema>, optional: string[] = []): SchemaObject {
  return { type: 'object', required: Object.keys(properties).filter((k) => !optional.includes(k)), properties };
}

const draftFile = object({ name: str, content: str });
const ratio = object({ count: int, total: int, pct: nullable({ type: 'number', description: 'percentage, 2 decimals; null when total is 0' }) });
const incidentPriority = {
  priority: nullable(str),
  opened: int,
  mttaMs: nullable({ type: 'number', description: 'mean time to acknowledge, ms' }),
  mttrMs: nullable({ type: 'number', description: 'mean time to resolve, ms' }),
  responseMet: ratio,
  resolutionMet: ratio,
};

export const SCHEMAS = {
  Problem: object(
    {
      type: str,
      title: str,
      status: int,
      detail: { type: 'string', description: 'what is wrong' },
      code: { type: 'string', description: 'stable error code' },
      instance: str,
      problems: { type: 'array', items: object({ elementId: str, rule: str, message: str }, ['elementId']) },
      requestId: { type: 'string', description: 'id of the request in the server log (the X-Request-Id answer header)' },
    },
    ['instance', 'problems', 'requestId'],
  ),
  HistoryEvent: object({
    instanceId: { type: 'string', format: 'uuid' },
    seq: { type: 'integer', description: '1, 2, 3 ... per instance, without gaps' },
    type: { type: 'string', example: 'element.completed' },
    elementId: nullable(str),
    elementType: nullable(str),
    executionId: nullable(str),
    actor: nullable(str),
    payload: nullable(anyObject),
    occurredAt: time,
    prevHash: nullable(str),
    hash: { type: 'string', description: 'sha256 over every other field (canonical JSON)' },
  }),
  ChainVerdict: object({
    valid: bool,
    checked: { type: 'integer', description: 'events checked' },
    firstInvalid: nullable(object({ seq: int, reason: str })),
    firstInvalidEvent: { allOf: [{ $ref: '#/components/schemas/HistoryEvent' }], nullable: true } as SchemaObject,
  }),
  ReplayStep: object(
    {
      event: { $ref: '#/components/schemas/HistoryEvent' },
      tokens: { ...strings, description: 'element ids holding a token after this event' },
      changed: { ...strings, description: 'variables this event set, changed or removed' },
      variables: { ...anyObject, description: 'every variable after this event; only where `changed` is not empty (and on the first step)' },
    },
    ['variables'],
  ),
  Replay: object({
    instance: { $ref: '#/components/schemas/Instance' },
    steps: { type: 'array', items: { $ref: '#/components/schemas/ReplayStep' } },
    consistent: { type: 'boolean', description: 'the replayed variables after the last event equal the instance’s stored variables' },
  }),
  Instance: object(
    {
      id: { type: 'string', format: 'uuid' },
      definitionId: { type: 'string', format: 'uuid' },
      definitionKey: str,
      definitionVersion: int,
      businessKey: nullable(str),
      status: { type: 'string', enum: ['running', 'completed', 'cancelled', 'failed'] },
      variables: anyObject,
      activeElementIds: strings,
      revision: int,
      startedBy: nullable(str),
      startedAt: time,
      endedAt: nullable(time),
      endReason: nullable(str),
      parentInstanceId: nullable(str),
      parentElementId: nullable(str),
      parentExecutionId: nullable(str),
      rootInstanceId: nullable(str),
    },
    ['parentInstanceId', 'parentElementId', 'parentExecutionId', 'rootInstanceId'],
  ),
  InstanceListItem: {
    allOf: [
      { $ref: '#/components/schemas/Instance' },
      object({
        recordNumber: { ...nullable(str), description: 'the record of the instance, else of its root instance; null: none' },
        recordTitle: nullable(str),
      }),
    ],
  },
  InstanceDetail: {
    allOf: [
      { $ref: '#/components/schemas/InstanceListItem' },
      object({
        openTasks: { type: 'array', items: { $ref: '#/components/schemas/Task' } },
        children: {
          type: 'array',
          description: 'instances its call activities started (those the caller may see), oldest first',
          items: object({
            id: str,
            definitionKey: str,
            definitionVersion: int,
            businessKey: nullable(str),
            status: str,
            parentElementId: nullable(str),
            parentExecutionId: nullable(str),
            startedAt: time,
            endedAt: nullable(time),
          }),
        },
      }),
    ],
  },
  InstanceResult: object({
    instance: { $ref: '#/components/schemas/Instance' },
    tasks: { type: 'array', items: { $ref: '#/components/schemas/Task' }, description: 'the open tasks after the command' },
  }),
  Task: object({
    id: { type: 'string', format: 'uuid' },
    instanceId: { type: 'string', format: 'uuid' },
    definitionKey: str,
    elementId: str,
    executionId: str,
    name: nullable(str),
    assignee: nullable(str),
    candidateUsers: strings,
    candidateGroups: strings,
    dueAt: nullable(time),
    followUpAt: nullable(time),
    priority: int,
    formKey: nullable(str),
    status: { type: 'string', enum: ['open', 'completed', 'cancelled'] },
    createdAt: time,
    completedAt: nullable(time),
    completedBy: nullable(str),
    submitted: nullable(anyObject),
  }),
  TaskView: {
    allOf: [
      { $ref: '#/components/schemas/Task' },
      object({
        formId: nullable(str),
        record: {
          ...object({
            number: str,
            type: str,
            title: nullable(str),
            state: str,
            priority: nullable(str),
            sla: object({
              status: nullable({ type: 'string', enum: ['on track', 'at risk', 'breached', 'paused'] }),
              dueAt: { ...nullable(time), description: 'the nearest running SLA target (response until acknowledged, then resolution); null when none runs' },
              responseDueAt: nullable(time),
              resolutionDueAt: nullable(time),
              paused: bool,
            }),
          }),
          nullable: true,
          description: "the record the task works on (its instance's, else its root instance's); null: none",
        },
      }),
    ],
  },
  TaskForm: object({
    formId: str,
    schema: { ...anyObject, description: "the form-js schema as deployed with the task's definition version" },
    data: { ...anyObject, description: "the current process variables restricted to the form's field keys" },
  }),
  DefinitionForm: object({
    formId: str,
    sha256: str,
    elementIds: { ...strings, description: 'the user tasks and start events bound to it' },
    schema: { ...anyObject, description: 'the form-js schema' },
  }),
  Definition: object(
    {
      id: { type: 'string', format: 'uuid' },
      key: str,
      version: int,
      versionTag: nullable(str),
      name: nullable(str),
      sha256: str,
      state: { type: 'string', enum: ['active', 'suspended'] },
      deployedBy: nullable(str),
      deployedAt: time,
      warnings: { type: 'array', items: object({ elementId: str, rule: str, message: str }, ['elementId']) },
      created: { type: 'boolean', description: 'deploy answers only: false when identical to the latest version' },
    },
    ['created'],
  ),
  DefinitionOwners: object({
    key: str,
    owners: { type: 'array', items: object({ username: str, displayName: nullable(str), processOwner: { type: 'boolean', description: 'false: the user lacks the process-owner role, so owning has no effect' } }) },
  }),
  User: object({
    id: { type: 'string', format: 'uuid' },
    username: str,
    displayName: nullable(str),
    email: nullable(str),
    roles: { type: 'array', items: { type: 'string', enum: ['admin', 'process-owner', 'staff', 'auditor', 'worker'] } },
    groups: strings,
    disabled: bool,
    hasPassword: bool,
    createdAt: time,
    updatedAt: time,
    passwordChangedAt: nullable(time),
  }),
  Group: object({ id: { type: 'string', format: 'uuid' }, name: str, description: nullable(str), createdAt: time, members: strings }),
  Incident: object({
    id: { type: 'string', format: 'uuid' },
    type: { type: 'string', enum: ['timer-failed', 'service-failed', 'external-task-failed'] },
    status: { type: 'string', enum: ['open', 'resolved'] },
    instanceId: nullable(str),
    definitionId: str,
    jobId: nullable(str),
    elementId: nullable(str),
    message: str,
    attempts: int,
    createdAt: time,
    resolvedAt: nullable(time),
    resolvedBy: nullable(str),
  }),
  TimerJob: object({
    id: { type: 'string', format: 'uuid' },
    kind: { type: 'string', enum: ['instance', 'start'] },
    instanceId: nullable(str),
    definitionId: str,
    definitionKey: str,
    elementId: str,
    elementType: nullable(str),
    executionId: nullable(str),
    spec: nullable(str),
    remaining: nullable(int),
    dueAt: nullable(time),
    runAt: nullable(time),
    status: { type: 'string', enum: ['pending', 'failed'] },
    attempts: int,
    lastError: nullable(str),
    lockedBy: nullable(str),
    lockExpiresAt: nullable(time),
    createdAt: time,
  }),
  ExternalTask: object({
    id: { type: 'string', format: 'uuid' },
    topicName: str,
    workerId: { ...nullable(str), description: 'the worker holding (or that last held) the lock' },
    lockExpirationTime: { ...nullable(time), description: 'null when unlocked; a past time means the lock expired' },
    processInstanceId: { type: 'string', format: 'uuid' },
    processDefinitionId: { type: 'string', format: 'uuid' },
    processDefinitionKey: str,
    processDefinitionVersion: int,
    activityId: str,
    activityInstanceId: str,
    activityType: str,
    businessKey: nullable(str),
    retries: { ...nullable(int), description: 'retries left as the last failure reported them; null before the first failure' },
    errorMessage: nullable(str),
    retryAt: { ...nullable(time), description: 'not fetchable before this time (a failure\'s retryTimeout)' },
    priority: int,
    suspended: { type: 'boolean', description: 'retries reached 0: an incident is open and the task is not fetchable' },
    incidentId: nullable({ type: 'string', format: 'uuid' }),
    createdAt: time,
  }),
  LockedExternalTask: {
    allOf: [
      { $ref: '#/components/schemas/ExternalTask' },
      object(
        {
          workerId: str,
          lockExpirationTime: time,
          variables: { ...anyObject, description: 'process variables and the task\'s local variables (input parameters), as the topic asked' },
          errorDetails: nullable(str),
        },
        ['errorDetails'],
      ),
    ],
  },
  ExternalTaskCommandResult: object({
    task: { allOf: [{ $ref: '#/components/schemas/ExternalTask' }], nullable: true, description: 'null when the command removed the task (complete, bpmnError)' } as SchemaObject,
    instance: object({ id: { type: 'string', format: 'uuid' }, status: { type: 'string', enum: ['running', 'completed', 'cancelled', 'failed'] }, revision: int }),
  }),
  RecordSummary: object({
    number: str,
    type: str,
    instanceId: str,
    definitionKey: str,
    state: str,
    title: nullable(str),
    priority: nullable(str),
    assignee: nullable(str),
    openedBy: nullable(str),
    openedAt: time,
    acknowledgedAt: nullable(time),
    resolvedAt: nullable(time),
    closedAt: nullable(time),
    sla: object({
      status: nullable({ type: 'string', enum: ['on track', 'at risk', 'breached', 'paused'] }),
      responseDueAt: nullable(time),
      responseMet: nullable(bool),
      resolutionDueAt: nullable(time),
      resolutionMet: nullable(bool),
      paused: bool,
    }),
    updatedAt: time,
  }),
  RecordDetail: {
    allOf: [
      { $ref: '#/components/schemas/RecordSummary' },
      object({
        fields: anyObject,
        instances: {
          type: 'array',
          items: object({ id: str, definitionKey: str, definitionVersion: int, status: str, parentInstanceId: nullable(str), startedAt: time, endedAt: nullable(time) }),
        },
        links: {
          type: 'array',
          items: object({
            number: str,
            kind: str,
            direction: { type: 'string', enum: ['outgoing', 'incoming'], description: 'outgoing: this record → number; incoming: number → this record' },
            type: str,
            state: str,
            title: nullable(str),
            createdAt: time,
            createdBy: nullable(str),
          }),
        },
        timeline: { type: 'array', items: { $ref: '#/components/schemas/HistoryEvent' } },
      }),
    ],
  },
  DraftSummary: object({
    id: { type: 'string', format: 'uuid' },
    key: str,
    name: nullable(str),
    revision: { type: 'integer', description: 'the latest revision (every save appends one)' },
    baseDefinitionId: { ...nullable(str), description: 'the deployed version the draft started from, if any' },
    baseVersion: nullable(int),
    createdBy: str,
    createdAt: time,
    updatedBy: str,
    updatedAt: time,
    comment: { type: 'string', description: 'the comment of the latest revision' },
    formCount: int,
    decisionCount: int,
    pendingRequestId: { ...nullable(str), description: 'the open deploy request of this draft, if any' },
  }),
  DraftDetail: {
    allOf: [
      { $ref: '#/components/schemas/DraftSummary' },
      object({
        shownRevision: { type: 'integer', description: 'the revision shown (the latest unless ?revision= asked for another)' },
        author: str,
        savedAt: time,
        revisionComment: str,
        sha256: str,
        bpmn: str,
        forms: { type: 'array', items: draftFile },
        decisions: { type: 'array', items: draftFile },
      }),
    ],
  },
  DraftRevision: object({ revision: int, author: str, savedAt: time, comment: str, sha256: str }),
  DeployRequest: object({
    id: { type: 'string', format: 'uuid' },
    draftId: { type: 'string', format: 'uuid' },
    draftRevision: int,
    key: str,
    kind: { type: 'string', enum: ['request', 'direct'], description: 'request: submitted by a process owner; direct: deployed by an administrator without a request' },
    state: { type: 'string', enum: ['pending', 'approved', 'rejected', 'withdrawn'] },
    comment: str,
    submittedBy: str,
    submittedAt: time,
    decidedBy: nullable(str),
    decidedAt: nullable(time),
    reason: { ...nullable(str), description: "why it was rejected or withdrawn (or the approver's note)" },
    definitionId: { ...nullable(str), description: 'the version the approval deployed (or found identical, `created` false)' },
    definitionVersion: nullable(int),
    created: nullable(bool),
  }),
  DeployOutcome: object({
    request: { $ref: '#/components/schemas/DeployRequest' },
    definition: { $ref: '#/components/schemas/Definition' },
    created: { type: 'boolean', description: 'false when the content was identical to the latest version: no new version' },
  }),
  KpiReport: object(
    {
      from: time,
      to: time,
      incident: object({
        ...incidentPriority,
        byPriority: { type: 'array', items: object(incidentPriority) },
        reopenRate: ratio,
        backlog: object({ '0-2d': int, '3-7d': int, '>7d': int, total: int }),
      }),
      request: object({ opened: int, fulfilledWithinTarget: ratio }),
      problem: object({ opened: int, rcaOnTime: ratio }),
      change: object({ closed: int, successRate: ratio, emergency: ratio, reviewCompleted: ratio }),
      nc: object({ closed: int, avgClosureMs: nullable({ type: 'number' }), effectiveAtFirstCheck: ratio }),
    },
    ['incident', 'request', 'problem', 'change', 'nc'],
  ),
} satisfies Record<string, Schema>;
