/* eslint-disable @typescript-eslint/no-explicit-any -- bpmn-elements internals are untyped; this file adapts to them. */
/**
 * Repairs bpmn-elements' activity tracker after a terminate end event inside a sub-process.
 *
 * `engine.activityStatus` (what {@link untilQuiescent} waits on) comes from one `ActivityTracker`
 * per running process (node_modules/bpmn-elements/src/Tracker.js): an execution id enters its
 * `execute` set on `activity.enter/start/end`, its `wait` set on `activity.wait`, and leaves both
 * only on `activity.leave`. A terminate end event inside an embedded sub-process makes the
 * sub-process's own ProcessExecution run `_terminate` (ProcessExecution.js), which `stop()`s every
 * other postponed child of that scope and purges its queue. Stopped children never publish
 * `activity.leave` (a task still waiting publishes at most `activity.stop`, which the tracker
 * ignores; the task whose outbound flow reached the terminate event has already published
 * `activity.end` and publishes nothing more). The process's tracker therefore keeps them for good:
 * the sub-process completes and the flow goes on (the next user task waits), yet
 * `activityStatus` stays "executing" and the command never settles (WCP-29, the cancelling
 * discriminator). A terminate at process level does not show it: the whole process ends.
 *
 * The repair: after a `process.terminate` or `activity.stop` event, once the run is quiet, drop
 * from each running process's tracker every execution id that no longer belongs to a live
 * (postponed) activity anywhere in the process, its sub-processes or multi-instance iterations.
 * The tracker is reached through its registered symbol (`Symbol.for('activity tracker')`); we
 * only remove entries of executions that are gone, never add any.
 */

const TRACKER = Symbol.for('activity tracker');

interface TrackerStatus {
  wait: Set<string>;
  execute: Set<string>;
  timer: Set<string>;
}

/** Every execution id that is still alive: postponed activities, recursively through sub-processes and loops. */
function liveExecutionIds(apis: any[], into: Set<string>): Set<string> {
  for (const api of apis) {
    const executionId = api?.executionId;
    if (!executionId || api.content?.isSequenceFlow || into.has(executionId)) continue;
    into.add(executionId);
    // Multi-instance: the iterations run in the activity's own execution.
    const iterations = api.owner?.execution?.executionId === executionId ? (api.owner?.execution?.getPostponed?.() ?? []) : [];
    const inner = api.owner?.isSubProcess ? (api.getPostponed?.() ?? []) : [];
    liveExecutionIds([...iterations, ...inner], into);
  }
  return into;
}

/**
 * Removes stale execution ids from the trackers of the engine's running processes.
 * @returns the execution ids removed (empty when the trackers were consistent).
 */
export function pruneStaleTrackedExecutions(engine: any): string[] {
  const removed: string[] = [];
  for (const definition of (engine?.execution?.definitions ?? []) as any[]) {
    const processes: any[] = definition?.getRunningProcesses?.() ?? [];
    for (const process of processes) {
      const execution = process?.execution;
      const status: TrackerStatus | undefined = execution?.[TRACKER]?.status;
      if (!status || typeof execution.getPostponed !== 'function') continue;
      const live = liveExecutionIds(execution.getPostponed(), new Set<string>());
      for (const set of [status.execute, status.wait, status.timer]) {
        for (const id of [...set]) {
          if (live.has(id)) continue;
          set.delete(id);
          removed.push(id);
        }
      }
    }
  }
  return removed;
}
