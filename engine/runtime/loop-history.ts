/**
 * History of each multi-instance instance and loop iteration. Camunda records every instance of
 * a multi-instance activity (and every round of a loop) as an activity instance of its own, beside
 * the multi-instance body; bpmn-elements announces only the body's start and end (and the wait of
 * each iteration). This watches the iterations on the activity's `execution` exchange, where
 * bpmn-elements starts, completes and discards them, and reports one fact per change with its
 * `loopCounter`:
 *
 * - `element.started` when an iteration starts;
 * - `element.completed` when it completes;
 * - `element.cancelled` when it is cut off (a completion condition held, or the whole activity
 *   was interrupted: then the body is recorded as cancelled too, after its instances).
 *
 * Messages a recovered engine redelivers from its snapshot are not new facts and are skipped, so
 * a command run on a recovered engine records exactly what the same command records on the live
 * engine kept from the previous command.
 */

/** One observed iteration change (an `ObservedEvent` of the runner). */
export interface IterationFact {
  type: 'element.started' | 'element.completed' | 'element.cancelled';
  elementId: string;
  elementType: string | null;
  executionId: string | null;
  /** `multiInstanceBody` for the looped activity itself, else the instance's loopCounter. */
  payload: { loopCounter: number } | { multiInstanceBody: true };
}

/** The part of a bpmn-elements activity this module reads. */
interface LoopedActivity {
  id: string;
  type: string;
  execution?: { getPostponed?(): { content?: Record<string, unknown> }[] } | null;
  broker: {
    subscribeTmp(
      exchange: string,
      pattern: string,
      fn: (routingKey: string, message: { fields: { redelivered?: boolean }; content: Record<string, unknown> }) => void,
      options: object,
    ): void;
  };
}

const FACTS: Readonly<Record<string, IterationFact['type']>> = {
  'execute.start': 'element.started',
  'execute.completed': 'element.completed',
  'execute.discard': 'element.cancelled',
  'execute.cancel': 'element.cancelled',
};

/**
 * Reports the iterations of `activity` (an activity with loop characteristics) to `sink()`, the
 * recorder of the command running now (undefined between commands: nothing is recorded then).
 */
export function watchIterations(activity: LoopedActivity, sink: () => ((fact: IterationFact) => void) | undefined): void {
  /** Instances recorded as cancelled when their body ended; their own discard follows. */
  const cutOff = new Set<string>();
  const record = (type: IterationFact['type'], content: Record<string, unknown>, body = false) =>
    sink()?.({
      type,
      elementId: activity.id,
      elementType: activity.type,
      executionId: typeof content.executionId === 'string' ? content.executionId : null,
      payload: body ? { multiInstanceBody: true } : { loopCounter: content.index as number },
    });
  /** The body ends or is interrupted: the instances still running are cut off (before the body's own end). */
  const cutOffRunning = () => {
    for (const api of activity.execution?.getPostponed?.() ?? []) {
      const content = api?.content;
      if (!content?.isMultiInstance || content.isRootScope || typeof content.index !== 'number' || typeof content.executionId !== 'string') continue;
      if (cutOff.has(content.executionId)) continue;
      cutOff.add(content.executionId);
      record('element.cancelled', content);
    }
  };
  activity.broker.subscribeTmp(
    'execution',
    'execute.#',
    (routingKey, message) => {
      const type = FACTS[routingKey];
      const c = message.content;
      if (!type || message.fields.redelivered || !c.isMultiInstance) return;
      if (c.id !== undefined && c.id !== activity.id) return;
      if (c.isRootScope) {
        if (type !== 'element.started') cutOffRunning();
        return;
      }
      if (typeof c.index !== 'number') return;
      // A resumed sequential loop re-announces its running iteration with ignoreIfExecuting.
      if (type === 'element.started' && c.ignoreIfExecuting) return;
      if (type !== 'element.started' && cutOff.delete(String(c.executionId))) return;
      record(type, c);
    },
    // Before bpmn-elements' own consumers (the loop completes the body while handling an iteration's end).
    { noAck: true, consumerTag: `_itsm-loop-history-${activity.id}`, priority: 10001 },
  );
  // The running body is discarded (an interrupting boundary or event sub-process): its instances
  // and then the body are cancelled. bpmn-elements queues that discard straight into the
  // activity's execute queue, so it is seen here, on the api exchange, while the instances run.
  activity.broker.subscribeTmp(
    'api',
    'activity.discard.#',
    (_routingKey, message) => {
      const c = message.content;
      if (message.fields.redelivered || (c.id !== undefined && c.id !== activity.id)) return;
      const body = (activity.execution?.getPostponed?.() ?? []).find((api) => api?.content?.isRootScope && api.content.executionId === c.executionId);
      if (!body) return;
      cutOffRunning();
      record('element.cancelled', body.content!, true);
    },
    { noAck: true, consumerTag: `_itsm-loop-history-api-${activity.id}`, priority: 10001 },
  );
}
