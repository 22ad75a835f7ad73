import { EngineError, EngineErrorCode } from '../errors';
import type { BpmnBusinessError } from '../services/service-handler';
import { findErrorCatcher } from './business-errors';

/* eslint-disable @typescript-eslint/no-explicit-any -- bpmn-elements activities are untyped. */

type Callback = (error: Error | null, output?: unknown) => void;

/**
 * Routes a handler's `BpmnBusinessError` to whoever catches its code (see business-errors.ts):
 *  - an error boundary event on the task: the task fails with the code and bpmn-elements hands
 *    the error to the boundary (its own mechanism);
 *  - an error event sub-process of an enclosing scope, or an error boundary on an enclosing
 *    sub-process: the task throws the error the way an error end event does (an `activity.throw`
 *    delegated up through the scopes), with the error id that catcher listens for; for an event
 *    sub-process the task is then discarded (the sub-process interrupts it);
 *  - nobody: the command fails with PROCESS_FAILED (422) naming the code and the element, so the
 *    caller's transaction rolls back and nothing is stored.
 */
export function raiseBpmnError(activity: any, message: any, error: BpmnBusinessError, callback: Callback, sourceContext: unknown): void {
  const catcher = sourceContext ? findErrorCatcher(sourceContext, activity.id, error.code) : null;
  if (!catcher || (catcher.kind === 'boundary' && catcher.attachedTo === activity.id)) {
    return callback(Object.assign(new Error(error.message), { code: error.code }));
  }
  if (catcher.kind === 'uncaught') {
    return callback(
      new EngineError(
        EngineErrorCode.ProcessFailed,
        `BPMN error "${error.code}" raised by "${activity.id}" was not caught (no error boundary event or error event sub-process matches it): ${error.message}`,
        { details: { elementId: activity.id, errorCode: error.code, errorMessage: error.message } },
      ),
    );
  }
  const content = message.content;
  activity.broker.publish(
    'event',
    'activity.throw',
    {
      ...content,
      state: 'throw',
      message: { id: catcher.errorId, type: 'bpmn:Error', messageType: 'throw', name: error.message, code: error.code },
    },
    { type: 'throw', delegate: true },
  );
  if (catcher.kind === 'event-subprocess') activity.getApi(message).discard();
}
