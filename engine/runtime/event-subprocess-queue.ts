/**
 * Queued starts of non-interrupting event sub-processes (BPMN 2.0.2 §10.3.5: each trigger starts
 * an event sub-process instance).
 *
 * bpmn-elements runs one execution of an activity at a time, so a non-interrupting event
 * sub-process that is still running cannot be started a second time. Instead of losing the
 * trigger (a message answering 404, a signal missed, a timer cycle firing skipped), the runner
 * queues it, with its payload, in the snapshot (`EngineSnapshot.eventStartQueue`), and runs the
 * queued starts one after another:
 *
 * - when the last inner activity of the running event sub-process ends (`activity.end` of a
 *   direct child while nothing else runs inside it) and a start is queued for it, its start event
 *   is run again INSIDE the running event sub-process, so the sub-process (and the process) does
 *   not end while a start is queued;
 * - once the run has settled, the runner hands each re-run start event its queued trigger (the
 *   message or signal with its variables, or fires its timer) and runs again.
 *
 * Consequence: the handlers run one after another, never at the same time (BPMN would run them
 * at once). Nothing is lost, including across a recover from the snapshot (the queue is kept).
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- bpmn-engine's typings are loose; this file is an adapter over them. */
import type { EventPayload } from '../messaging/runtime';

/** One trigger waiting for its event sub-process to finish its current run. */
export interface QueuedEventStart {
  subProcessId: string;
  /** The start event of the event sub-process that the trigger is for. */
  startEventId: string;
  kind: 'message' | 'signal' | 'timer';
  /** Message or signal payload (its variables are merged into the process variables when it starts). */
  payload?: EventPayload;
  /** The event sub-process timer job that fired (timer starts). */
  timerExecutionId?: string;
  /** True once its start event runs again inside the event sub-process and waits for this trigger. */
  armed?: boolean;
}

export function loadEventStartQueue(stored: unknown): QueuedEventStart[] {
  return Array.isArray(stored) ? (structuredClone(stored) as QueuedEventStart[]) : [];
}

/** The inner execution of a running (event) sub-process activity. */
function innerExecution(subProcess: any): any {
  return subProcess?.execution?.source?.execution ?? null;
}

/**
 * Watches `listener` for the end of the last inner activity of an event sub-process that has a
 * queued start, and runs that start event again inside it (see the module comment).
 */
export function watchEventStartQueue(listener: { on(event: string, fn: (api: any) => void): void }, queue: () => QueuedEventStart[], mainProcess: () => any): void {
  listener.on('activity.end', (api: any) => {
    const list = queue();
    if (!list.length) return;
    const parentId = api?.content?.parent?.id;
    const next = list.find((q) => !q.armed && q.subProcessId === parentId);
    if (!next || list.some((q) => q.armed && q.subProcessId === parentId)) return;
    const subProcess = mainProcess()?.getActivityById(parentId);
    const inner = innerExecution(subProcess);
    if (!inner) return;
    const others = ((inner.getPostponed?.() ?? []) as any[]).filter((a) => a.executionId !== api.executionId && !a.content?.isSequenceFlow);
    if (others.length) return;
    const start = inner.getActivityById?.(next.startEventId);
    if (!start || start.isRunning) return;
    next.armed = true;
    start.run();
  });
}

/** The running start event `startEventId` waiting inside event sub-process `subProcessId`, if any. */
export function waitingInnerStart(process: any, subProcessId: string, startEventId: string): any {
  const inner = innerExecution(process?.getActivityById(subProcessId));
  if (!inner) return null;
  return ((inner.getPostponed?.() ?? []) as any[]).find((a) => a.id === startEventId) ?? null;
}
