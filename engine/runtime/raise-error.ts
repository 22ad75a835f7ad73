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
 *    delegated up through the scopes), with the error id that catcher listens for; the catcher
 *    then cancels the task with its scope;
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
  // An event sub-process that caught it has interrupted its scope, this task included
  // (interrupt-scope.ts); a boundary on an enclosing sub-process cancelled that sub-process.
  // Should neither have happened, the task must not stay running (the command would never end).
  if (activity.isRunning) activity.getApi(message).discard();
}

const kReferenceElement = Symbol.for('referenceElement');

/**
 * bpmn-elements matches a thrown error to an event sub-process start or a boundary event by the
 * id of the `bpmn:Error` element only: a catch-all error start (no errorRef) catches anonymous
 * errors only, and an error with the same `errorCode` under another id is not caught at all. For
 * each throwing error event with a code, the catcher BPMN designates (business-errors.ts) is
 * decided from the model, and the thrown error is re-targeted at the id that catcher listens
 * for (none for a catch-all); the code travels along.
 */
export function retargetErrorThrow(activity: any, sourceContext: unknown): void {
  for (const definition of (activity.eventDefinitions ?? []) as any[]) {
    if (definition?.type !== 'bpmn:ErrorEventDefinition' || !definition.isThrowing) continue;
    const ref: string | undefined = definition.reference?.id;
    const code = ref ? errorCodeOf(sourceContext, ref) : undefined;
    if (!ref || !code) continue;
    const catcher = findErrorCatcher(sourceContext, activity.id, code);
    if (catcher.kind === 'uncaught' || catcher.errorId === ref) continue;
    if (catcher.errorId) {
      const target = activity.getActivityById?.(catcher.errorId);
      if (target) definition[kReferenceElement] = target;
    } else {
      definition[kReferenceElement] = undefined;
      definition.reference = { name: definition.reference?.name ?? 'anonymous', code, referenceType: 'throw' };
    }
  }
}

function errorCodeOf(sourceContext: unknown, errorId: string): string | undefined {
  const found = ((sourceContext as any).getActivities() as any[]).find((a) => a.id === errorId && a.type === 'bpmn:Error');
  return found?.behaviour?.errorCode ?? undefined;
}
