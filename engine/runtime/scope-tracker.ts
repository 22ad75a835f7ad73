import type { EventEmitter } from 'node:events';

/* eslint-disable @typescript-eslint/no-explicit-any -- bpmn-elements internals, read defensively. */

/** bpmn-elements' ProcessExecution keeps its ActivityTracker under this global symbol. */
const kTracker = Symbol.for('activity tracker');

interface TrackerLike {
  status: { wait: Set<string>; execute: Set<string>; timer: Set<string> };
}

/**
 * bpmn-elements' activity tracker (what `engine.activityStatus`, and so our quiescence check,
 * reads) counts an activity as executing from its `activity.start`/`end` until its
 * `activity.leave`. When a sub-process is left in the middle of a synchronous chain (an error
 * end event inside it caught by a boundary event on it, after a wait state), the trailing
 * `end`/`leave` events of its children never reach the process, so their execution ids stay
 * "executing" forever and the command would never become quiet (a hang).
 *
 * This listener remembers the scope chain of every activity execution seen in a run (until it
 * leaves) and, when a scope (sub-process) leaves, removes what is left of its children from the
 * trackers.
 */
export function pruneLeftScopes(listener: EventEmitter, engine: () => any): void {
  const ancestors = new Map<string, string[]>();
  const remember = (api: any) => {
    const executionId = api?.executionId;
    const parent = api?.content?.parent;
    if (!executionId || !parent) return;
    const chain = [parent.executionId, ...((parent.path ?? []) as any[]).map((p) => p?.executionId)].filter((id): id is string => typeof id === 'string');
    ancestors.set(String(executionId), chain);
  };
  for (const event of ['activity.enter', 'activity.start', 'activity.end', 'activity.discard', 'activity.wait', 'activity.timer', 'activity.throw']) {
    listener.on(event, remember);
  }
  listener.on('activity.leave', (api: any) => {
    const left = api?.executionId;
    if (!left) return;
    // What has left needs no chain: the map holds only executions still running, so this scan
    // stays short however long the command runs (an endless loop of steps).
    ancestors.delete(String(left));
    const orphans = [...ancestors].filter(([, chain]) => chain.includes(left)).map(([id]) => id);
    if (!orphans.length) return;
    for (const id of orphans) ancestors.delete(id);
    for (const tracker of trackers(engine())) {
      for (const id of orphans) {
        tracker.status.execute.delete(id);
        tracker.status.wait.delete(id);
        tracker.status.timer.delete(id);
      }
    }
  });
}

function trackers(engine: any): TrackerLike[] {
  const out: TrackerLike[] = [];
  for (const definition of (engine?.execution?.definitions ?? []) as any[]) {
    for (const process of (definition?.getProcesses?.() ?? []) as any[]) {
      const tracker = process?.execution?.[kTracker];
      if (tracker?.status) out.push(tracker);
    }
  }
  return out;
}
