/**
 * The engine's one error taxonomy. Every failure the engine reports to a caller is an
 * {@link EngineError} with a stable {@link EngineErrorCode}; `api/` maps codes to HTTP once
 * (RFC 9457 problem details). Domain code never throws transport errors.
 */
export enum EngineErrorCode {
  /** The request itself is malformed (bad JSON shape, wrong variable type, missing field). */
  InvalidRequest = 'INVALID_REQUEST',
  /** A BPMN document failed deploy validation; `details.problems` lists element ids and reasons. */
  InvalidDefinition = 'INVALID_DEFINITION',
  /** The document is larger than the configured limit. */
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  /** The uploaded media type is not accepted. */
  UnsupportedMediaType = 'UNSUPPORTED_MEDIA_TYPE',
  DefinitionNotFound = 'DEFINITION_NOT_FOUND',
  InstanceNotFound = 'INSTANCE_NOT_FOUND',
  TaskNotFound = 'TASK_NOT_FOUND',
  IncidentNotFound = 'INCIDENT_NOT_FOUND',
  /** The instance has no SLA clock of that name. */
  SlaNotFound = 'SLA_NOT_FOUND',
  /** Pausing a paused SLA clock, resuming a running one. */
  SlaStateConflict = 'SLA_STATE_CONFLICT',
  /** The incident was already resolved. */
  IncidentResolved = 'INCIDENT_RESOLVED',
  /** The instance is not running (completed, cancelled, failed). */
  InstanceNotRunning = 'INSTANCE_NOT_RUNNING',
  /** The task is no longer open (completed or cancelled), e.g. the loser of a completion race. */
  TaskNotOpen = 'TASK_NOT_OPEN',
  /** The task is claimed by somebody else. */
  TaskClaimedByOther = 'TASK_CLAIMED_BY_OTHER',
  /** The definition is suspended and cannot start instances. */
  DefinitionSuspended = 'DEFINITION_SUSPENDED',
  /** Optimistic revision check failed; retryable. */
  RevisionConflict = 'REVISION_CONFLICT',
  /** The same idempotency key was used for a different request. */
  IdempotencyKeyReused = 'IDEMPOTENCY_KEY_REUSED',
  /** An element failed while the process ran (uncaught BPMN error, failing handler, bad expression). */
  ProcessFailed = 'PROCESS_FAILED',
  /**
   * The command exceeded its execution budget (CPU time, memory, automatic steps, user tasks,
   * loop instances, one expression's time, memory or result size); `details` names the element,
   * the limit and its setting. Nothing was changed.
   */
  BudgetExceeded = 'BUDGET_EXCEEDED',
  /** The engine run did not settle (no activity while an element still executes): a server bug, 500. */
  EngineStalled = 'ENGINE_STALLED',
  /** The caller is not allowed to do this. */
  Forbidden = 'FORBIDDEN',
  /** No valid credentials: missing, wrong, expired or tampered (login, access or refresh token). */
  Unauthenticated = 'UNAUTHENTICATED',
  /** Too many attempts (login rate limit); `details.retryAfterSeconds` says when to try again. */
  TooManyRequests = 'TOO_MANY_REQUESTS',
  UserNotFound = 'USER_NOT_FOUND',
  GroupNotFound = 'GROUP_NOT_FOUND',
  /** No ITSM record with that number (or one the caller may not see). */
  RecordNotFound = 'RECORD_NOT_FOUND',
  /** No waiting subscription and no start event matched a message (and it was not buffered). */
  MessageNotCorrelated = 'MESSAGE_NOT_CORRELATED',
  /** Something with that unique name (user, group) already exists, or the change would break an invariant of it. */
  Conflict = 'CONFLICT',
  /** A decision table could not give a result for these inputs (UNIQUE with several matches, a wrong input type). */
  DecisionFailed = 'DECISION_FAILED',
  /** The task has no form (GET /api/tasks/:id/form). */
  FormNotFound = 'FORM_NOT_FOUND',
  /** Submitted task variables do not satisfy the task's form; `details.errors` lists `{field, message}`. */
  FormValidationFailed = 'FORM_VALIDATION_FAILED',
  /** No external task with that id (completed, cancelled or never existed). */
  ExternalTaskNotFound = 'EXTERNAL_TASK_NOT_FOUND',
  /** The worker does not hold the external task's lock (`details.reason`: not-locked, lock-expired, locked-by-other). */
  ExternalTaskLockConflict = 'EXTERNAL_TASK_LOCK_CONFLICT',
}

export interface EngineErrorOptions {
  retryable?: boolean;
  details?: Record<string, unknown>;
  cause?: unknown;
}

/** A serialisable, coded engine error. `details` must be JSON-safe: it is sent to clients. */
export class EngineError extends Error {
  override readonly name = 'EngineError';
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    readonly code: EngineErrorCode,
    message: string,
    options: EngineErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options.retryable ?? false;
    this.details = options.details;
  }

  toJSON(): Record<string, unknown> {
    return { type: this.name, code: this.code, message: this.message, details: this.details };
  }
}

/** One reason a definition was refused, naming the element where there is one. */
export interface DefinitionProblem {
  /** Id of the offending BPMN element, when the problem belongs to one. */
  elementId?: string;
  /** Machine-readable rule name, e.g. `no-script-task`, `unknown-handler`, `xml-malformed`. */
  rule: string;
  message: string;
}

/** Convenience constructor for a refused deploy. */
export function invalidDefinition(problems: DefinitionProblem[], message?: string): EngineError {
  const first = problems[0];
  const summary =
    message ??
    (first
      ? `${first.elementId ? `element "${first.elementId}": ` : ''}${first.message}` +
        (problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '')
      : 'invalid process definition');
  return new EngineError(EngineErrorCode.InvalidDefinition, summary, { details: { problems } });
}
