import { HttpStatus } from '@nestjs/common';
import { EngineErrorCode } from '../../engine';

/** RFC 9457 problem details body. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code: string;
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const TYPE_BASE = 'https://itsm-orchestrator.dev/problems/';

/** The one mapping from engine error codes to HTTP. Exhaustive: a new code fails to compile here. */
export function statusFor(code: EngineErrorCode): HttpStatus {
  switch (code) {
    case EngineErrorCode.InvalidRequest:
      return HttpStatus.BAD_REQUEST;
    case EngineErrorCode.InvalidDefinition:
      return HttpStatus.UNPROCESSABLE_ENTITY;
    case EngineErrorCode.PayloadTooLarge:
      return HttpStatus.PAYLOAD_TOO_LARGE;
    case EngineErrorCode.UnsupportedMediaType:
      return HttpStatus.UNSUPPORTED_MEDIA_TYPE;
    case EngineErrorCode.DefinitionNotFound:
    case EngineErrorCode.InstanceNotFound:
    case EngineErrorCode.TaskNotFound:
    case EngineErrorCode.IncidentNotFound:
    case EngineErrorCode.SlaNotFound:
    case EngineErrorCode.MessageNotCorrelated:
      return HttpStatus.NOT_FOUND;
    case EngineErrorCode.InstanceNotRunning:
    case EngineErrorCode.TaskNotOpen:
    case EngineErrorCode.TaskClaimedByOther:
    case EngineErrorCode.DefinitionSuspended:
    case EngineErrorCode.RevisionConflict:
    case EngineErrorCode.IncidentResolved:
    case EngineErrorCode.SlaStateConflict:
      return HttpStatus.CONFLICT;
    case EngineErrorCode.IdempotencyKeyReused:
    case EngineErrorCode.ProcessFailed:
    case EngineErrorCode.DecisionFailed:
    case EngineErrorCode.BudgetExceeded:
      return HttpStatus.UNPROCESSABLE_ENTITY;
    case EngineErrorCode.Forbidden:
      return HttpStatus.FORBIDDEN;
    case EngineErrorCode.Unauthenticated:
      return HttpStatus.UNAUTHORIZED;
    case EngineErrorCode.TooManyRequests:
      return HttpStatus.TOO_MANY_REQUESTS;
    case EngineErrorCode.UserNotFound:
    case EngineErrorCode.GroupNotFound:
    case EngineErrorCode.RecordNotFound:
      return HttpStatus.NOT_FOUND;
    case EngineErrorCode.Conflict:
      return HttpStatus.CONFLICT;
    case EngineErrorCode.FormNotFound:
    case EngineErrorCode.ExternalTaskNotFound:
      return HttpStatus.NOT_FOUND;
    case EngineErrorCode.ExternalTaskLockConflict:
      return HttpStatus.CONFLICT;
    case EngineErrorCode.FormValidationFailed:
      return HttpStatus.UNPROCESSABLE_ENTITY;
    case EngineErrorCode.EngineStalled:
      return HttpStatus.INTERNAL_SERVER_ERROR;
    default:
      return assertNever(code);
  }
}

const TITLES: Partial<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function problem(status: number, code: string, detail: string, extensions: Record<string, unknown> = {}): Problem {
  // Extensions never override the standard members (a detail named `status` stays an extension).
  const { type: _t, title: _ti, status: extensionStatus, detail: _d, code: _c, instance: _i, ...rest } = extensions;
  return {
    type: `${TYPE_BASE}${code.toLowerCase().replace(/_/g, '-')}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
    ...(extensionStatus === undefined ? {} : { state: extensionStatus }),
    ...rest,
  };
}

function assertNever(value: never): never {
  throw new Error(`unmapped engine error code ${String(value)}`);
}
