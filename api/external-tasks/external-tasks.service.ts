import { Injectable } from '@nestjs/common';
import { EngineError, EngineErrorCode } from '../../engine';
import type {
  BpmnErrorInput,
  CompleteInput,
  ExtendLockInput,
  ExternalTaskCommandResult,
  ExternalTaskOperations,
  ExternalTaskQuery,
  ExternalTaskView,
  FailureInput,
  FetchAndLockInput,
  LockInput,
  LockedExternalTask,
} from '../../engine/external-tasks/ports';
import type { AuthUser } from '../auth/auth-user';

/**
 * External tasks for workers: the one implementation behind `/api/external-tasks` and
 * `/engine-rest/external-task`. Contract, types and error codes: engine/external-tasks/ports.ts.
 * Provided and exported by `ExternalTasksModule` (api/external-tasks/external-tasks.module.ts).
 */
@Injectable()
export class ExternalTasksService implements ExternalTaskOperations<AuthUser> {
  fetchAndLock(_input: FetchAndLockInput, _principal: AuthUser, _signal?: AbortSignal): Promise<LockedExternalTask[]> {
    return pending();
  }
  complete(_id: string, _input: CompleteInput, _principal: AuthUser): Promise<ExternalTaskCommandResult> {
    return pending();
  }
  handleFailure(_id: string, _input: FailureInput, _principal: AuthUser): Promise<ExternalTaskCommandResult> {
    return pending();
  }
  handleBpmnError(_id: string, _input: BpmnErrorInput, _principal: AuthUser): Promise<ExternalTaskCommandResult> {
    return pending();
  }
  extendLock(_id: string, _input: ExtendLockInput, _principal: AuthUser): Promise<ExternalTaskView> {
    return pending();
  }
  lock(_id: string, _input: LockInput, _principal: AuthUser): Promise<ExternalTaskView> {
    return pending();
  }
  unlock(_id: string, _principal: AuthUser): Promise<ExternalTaskView> {
    return pending();
  }
  setRetries(_id: string, _retries: number, _principal: AuthUser): Promise<ExternalTaskView> {
    return pending();
  }
  get(_id: string, _principal: AuthUser): Promise<ExternalTaskView> {
    return pending();
  }
  list(_query: ExternalTaskQuery, _principal: AuthUser): Promise<{ items: ExternalTaskView[]; page: number; size: number; total: number }> {
    return pending();
  }
}

// Interface-first commit: the implementation lands in the following commits of feat/h12-ext.
function pending(): Promise<never> {
  return Promise.reject(new EngineError(EngineErrorCode.EngineStalled, 'external tasks: implementation in progress'));
}
