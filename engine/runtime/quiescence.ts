/** How a run stopped: every token waits (`wait`/`timer`), the process ended, or it was stopped. */
export type Quiescence = 'wait' | 'timer' | 'end' | 'stop';

interface QuiescentEngine {
  broker: {
    subscribeTmp(exchange: string, pattern: string, fn: (routingKey: string, message: { content: unknown }) => void, options: object): void;
    cancel(consumerTag: string): void;
  };
  execution?: { isRunning: boolean } | null;
  activityStatus: string;
}

let consumerSeq = 0;

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
  return new Promise<Quiescence>((resolve, reject) => {
    let scheduled = false;
    let done = false;
    const settle = (fn: () => void) => {
      if (done) return;
      done = true;
      engine.broker.cancel(tag);
      fn();
    };
    const check = () => {
      scheduled = false;
      if (done || !engine.execution?.isRunning) return;
      const status = engine.activityStatus;
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
        schedule();
      },
      { noAck: true, consumerTag: tag },
    );
    schedule();
  });
}
