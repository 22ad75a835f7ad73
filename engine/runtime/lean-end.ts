/**
 * The instance's process does not tear its elements down when it completes.
 *
 * When a process execution completes, bpmn-elements deactivates it before it publishes its
 * completion: it cancels the subscription it holds on every child element's broker, each
 * element's subscriptions on its inbound flows and its run-on-inbound consumer, the controller
 * subscription on every sequence flow. Each cancel is a consumer cancelled and a temporary queue
 * deleted, with the queue events smqp publishes for both: the last command of an instance pays
 * for every element of the diagram (a 30-branch split: 2,472 broker messages on its last command,
 * 1,570 of them this teardown; the small diagram's last command, 903 in all).
 *
 * The teardown only matters to an engine that runs on: a process run again (its children are
 * re-activated with the same consumer tags), or an engine kept for another command. Neither
 * happens once the instance's process completes while no other process of its definition runs:
 * its definition then completes, the engine ends, and the runner keeps no ended engine
 * (RunOutcome.live is undefined once completed), so it is dropped with its brokers. Only then is
 * the deactivation skipped: a sub-process (its own execution, never patched here), a process
 * stopped, discarded, terminated or failed, and a process that completes while another process of
 * the collaboration runs (a message flow could run it again) all tear down as before.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- bpmn-elements' internals are untyped; this file is an adapter over them. */

const patched = new WeakSet<object>();
const noop = (): void => undefined;

/**
 * Patches the running process execution of `definition`'s `process` (idempotent; a process
 * without a running execution is left alone). Call it once the execution exists: after
 * execute() or recover().
 */
export function skipTeardownAtEnd(definition: any, process: any): void {
  const execution = process?.execution;
  if (!execution || patched.has(execution) || execution.isSubProcess) return;
  if (typeof execution._complete !== 'function' || typeof execution._deactivate !== 'function') return;
  patched.add(execution);
  const complete = execution._complete;
  execution._complete = function (this: any, completionType: string, content: unknown) {
    if (completionType !== 'completed' || !runsAlone(definition, process)) return complete.call(this, completionType, content);
    const deactivate = this._deactivate;
    this._deactivate = noop;
    try {
      return complete.call(this, completionType, content);
    } finally {
      this._deactivate = deactivate;
    }
  };
}

/** True when `process` is the only running process of `definition`. */
function runsAlone(definition: any, process: any): boolean {
  const running: unknown[] | undefined = definition?.getRunningProcesses?.();
  return Array.isArray(running) && running.every((bp) => bp === process);
}
