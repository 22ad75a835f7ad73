import { EngineError, type EngineErrorCode } from '../../engine';

/**
 * The messages of instance affinity on the cluster IPC channel (structured clone: dates stay
 * dates). Workers talk to each other through the primary, which relays by worker index.
 */

/** A command for the worker `to` (worker → primary), or from the worker `from` (primary → worker). */
export interface CallMessage {
  affinity: 'call';
  /** The caller's number for this call. */
  id: number;
  to: number;
  from?: number;
  /** An orchestrator method, e.g. `completeTask` or `externalTasks.complete`. */
  method: string;
  args: unknown[];
  requestId: string | null;
}

/**
 * The answer to call `id` of worker `to`; `undelivered` when the owner did not run it: `unavailable`
 * (the primary has no listening worker of that index, or it exited before answering) or `timeout`
 * (the caller stopped waiting).
 */
export interface ReplyMessage {
  affinity: 'reply';
  id: number;
  to: number;
  ok: boolean;
  value?: unknown;
  error?: TransportedError;
  undelivered?: 'unavailable' | 'timeout';
}

/** A command that did not run the engine moved the revision of an instance another worker may hold warm. */
export interface BumpMessage {
  affinity: 'bump';
  target: number;
  instanceId: string;
  from: number;
  revision: number;
}

export type AffinityMessage = CallMessage | ReplyMessage | BumpMessage;

export function isAffinityMessage(message: unknown): message is AffinityMessage {
  return typeof message === 'object' && message !== null && typeof (message as { affinity?: unknown }).affinity === 'string';
}

/** An error as it crosses the channel: engine errors keep code, message, details and retryable flag. */
export interface TransportedError {
  engine: boolean;
  code?: string;
  message: string;
  details?: Record<string, unknown>;
  retryable?: boolean;
}

export function transportError(error: unknown): TransportedError {
  if (error instanceof EngineError) return { engine: true, code: error.code, message: error.message, details: error.details, retryable: error.retryable };
  return { engine: false, message: error instanceof Error ? error.message : String(error) };
}

/** The error the owner threw, rebuilt so that the problem filter answers exactly what it would have answered there. */
export function rebuildError(error: TransportedError): Error {
  if (error.engine && error.code) return new EngineError(error.code as EngineErrorCode, error.message, { details: error.details, retryable: error.retryable });
  return new Error(error.message);
}
