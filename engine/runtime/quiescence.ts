import { EventEmitter } from 'node:events';
import { EngineError, EngineErrorCode } from '../errors';
import { pruneStaleTrackedExecutions } from './tracker-repair';
import { currentBudget } from './budget';

/** How a run stopped: every token waits (`wait`/`timer`), the process ended, or it was stopped. */
export type Quiescence = 'wait' | 'timer' | 'end' | 'stop';

interface QuiescentEngine {
  /** bpmn-engine's Engine is an EventEmitter: `end`, `stop` and `error` of the whole run. */
  once(event: 'end' | 'stop' | 'error', fn: (arg: unknown) => void): unknown;
  removeListener(event: 'end' | 'stop' | 'error', fn: (arg: unknown) => void): unknown;
  execution?: { isRunning: boolean } | null;
  activityStatus: string;
  name?: string;
}

/**
 * The listener an engine runs with (`execute`/`resume({ listener })`): bpmn-engine emits every
 * definition, process, activity and flow event on it by routing key. Besides the listeners of
 * each event, it tells its watchers of every event, whatever its name.
 */
export class EngineEvents extends EventEmitter {
  private readonly watchers = new Set<(event: string) => void>();

  /** Calls `fn` with the name of every event emitted from now on; returns the function that stops it. */
  watch(fn: (event: string) => void): () => void {
    this.watchers.add(fn);
    return () => {
      this.watchers.delete(fn);
    };
  }

  override emit(event: string | symbol, ...args: unknown[]): boolean {
    if (this.watchers.size && typeof event === 'string') for (const fn of [...this.watchers]) fn(event);
    return super.emit(event, ...args);
  }
}

/**
 * Safety net: a run that publishes no engine event for this long while it is not quiescent (an
 * element still "executing") fails its command with ENGINE_STALLED instead of hanging. The
 * command's transaction then rolls back. It also bounds a service handler that never answers.
 * The host sets it from `ENGINE_STALL_TIMEOUT_MS` (default 30 s).
 */
let stallTimeoutMs = 30_000;

/** Sets the stall timeout (ms) and returns the previous one (tests, host configuration). */
export function setStallTimeout(ms: number): number {
  const previous = stallTimeoutMs;
  stallTimeoutMs = ms;
  return previous;
}

/**
 * Resolves once the engine has nothing left to do synchronously: every token waits for a user
 * task, message or timer, or the run ended. Rejects with the engine's error.
 *
 * Register it BEFORE `execute()`/`resume()`/`signal()`: a purely synchronous flow ends inside
 * that call. `events` is the listener the engine runs with: its events tell that the run moves
 * (watching them costs nothing in the engine, where a subscription on the engine's broker would
 * copy every event into a queue of its own); the run's end, stop and error are the engine's own
 * events (an error nobody subscribed to on the engine's broker is emitted as `error`).
 */
export function untilQuiescent(engine: QuiescentEngine, events: EngineEvents): Promise<Quiescence> {
  const quiet = new Promise<Quiescence>((resolve, reject) => {
    let scheduled = false;
    let done = false;
    // A terminate end event in a sub-process (or another stop of a child) leaves stale entries
    // in bpmn-elements' activity tracker: see tracker-repair.ts.
    let stopped = false;
    let stall: NodeJS.Timeout | undefined;
    let unwatchBudget = (): void => undefined;
    let unwatchEvents = (): void => undefined;
    const onEnd = () => settle(() => resolve('end'));
    const onStop = () => settle(() => resolve('stop'));
    const onError = (error: unknown) => settle(() => reject(error));
    const settle = (fn: () => void) => {
      if (done) return;
      done = true;
      unwatchBudget();
      unwatchEvents();
      engine.removeListener('end', onEnd);
      engine.removeListener('stop', onStop);
      engine.removeListener('error', onError);
      if (stall) clearTimeout(stall);
      fn();
    };
    const stalled = () => {
      if (done) return;
      const instance = engine.name ?? 'unknown';
      settle(() =>
        reject(
          new EngineError(
            EngineErrorCode.EngineStalled,
            `instance ${instance}: the process run did not settle (no engine activity for ${stallTimeoutMs} ms while an element still executes); nothing was changed`,
            { details: { instanceId: instance, stallTimeoutMs, activityStatus: engine.activityStatus } },
          ),
        ),
      );
    };
    const armStall = () => {
      if (stall) clearTimeout(stall);
      stall = setTimeout(stalled, stallTimeoutMs);
      stall.unref?.();
    };
    const check = () => {
      scheduled = false;
      if (done || !engine.execution?.isRunning) return;
      // Elements the budget deferred to a later turn of the event loop (budget-loop.ts) have not
      // started yet: the run goes on, whatever the waiting tokens say.
      if (currentBudget()?.hasDeferred()) return schedule();
      let status = engine.activityStatus;
      if (status === 'executing' && stopped) {
        stopped = false;
        if (pruneStaleTrackedExecutions(engine).length) status = engine.activityStatus;
      }
      if (status === 'wait' || status === 'timer') settle(() => resolve(status));
      // A running engine none of whose activities executes or waits is stuck for good (a parallel
      // join whose missing flows can no longer receive a token: BPMN's deadlock). It is quiescent
      // too, or the command would hang.
      else if (status === 'idle') settle(() => resolve('wait'));
    };
    const schedule = () => {
      if (scheduled) return;
      scheduled = true;
      setImmediate(check);
    };
    engine.once('end', onEnd);
    engine.once('stop', onStop);
    engine.once('error', onError);
    unwatchEvents = events.watch((routingKey) => {
      if (routingKey === 'process.terminate' || routingKey === 'activity.stop') stopped = true;
      armStall();
      schedule();
    });
    armStall();
    schedule();
    // Over budget (runtime/budget.ts): the element that hit the limit never starts; the run ends here.
    const budget = currentBudget();
    if (budget) unwatchBudget = budget.onViolation((violation) => settle(() => reject(violation)));
  });
  // A caller may drop the promise (e.g. a timer that did not fire after all): its stall rejection
  // must not become an unhandled rejection. Callers that await it still see the rejection.
  quiet.catch(() => undefined);
  return quiet;
}
