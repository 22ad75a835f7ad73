import { EngineError, EngineErrorCode } from '../errors';
import { pruneStaleTrackedExecutions } from './tracker-repair';
import { currentBudget } from './budget';

/** How a run stopped: every token waits (`wait`/`timer`), the process ended, or it was stopped. */
export type Quiescence = 'wait' | 'timer' | 'end' | 'stop';

interface QuiescentEngine {
  broker: {
    subscribeTmp(exchange: string, pattern: string, fn: (routingKey: string, message: { content: unknown }) => void, options: object): void;
    cancel(consumerTag: string): void;
  };
  execution?: { isRunning: boolean } | null;
  activityStatus: string;
  name?: string;
}

let consumerSeq = 0;

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
 * that call. We listen to `engine.error` explicitly because a `#` subscription on the engine
 * broker routes the error message and thereby suppresses `engine.on('error')`.
 */
export function untilQuiescent(engine: QuiescentEngine): Promise<Quiescence> {
  const tag = `_quiescence_${++consumerSeq}`;
  const quiet = new Promise<Quiescence>((resolve, reject) => {
    let scheduled = false;
    let done = false;
    // A terminate end event in a sub-process (or another stop of a child) leaves stale entries
    // in bpmn-elements' activity tracker: see tracker-repair.ts.
    let stopped = false;
    let stall: NodeJS.Timeout | undefined;
    let unwatch = (): void => undefined;
    const settle = (fn: () => void) => {
      if (done) return;
      done = true;
      unwatch();
      if (stall) clearTimeout(stall);
      engine.broker.cancel(tag);
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
    engine.broker.subscribeTmp(
      'event',
      '#',
      (routingKey, message) => {
        if (routingKey === 'engine.error') return settle(() => reject(message.content));
        if (routingKey === 'engine.end') return settle(() => resolve('end'));
        if (routingKey === 'engine.stop') return settle(() => resolve('stop'));
        if (routingKey === 'process.terminate' || routingKey === 'activity.stop') stopped = true;
        armStall();
        schedule();
      },
      { noAck: true, consumerTag: tag },
    );
    armStall();
    schedule();
    // Over budget (runtime/budget.ts): the element that hit the limit never starts; the run ends here.
    const budget = currentBudget();
    if (budget) unwatch = budget.onViolation((violation) => settle(() => reject(violation)));
  });
  // A caller may drop the promise (e.g. a timer that did not fire after all): its stall rejection
  // must not become an unhandled rejection. Callers that await it still see the rejection.
  quiet.catch(() => undefined);
  return quiet;
}
