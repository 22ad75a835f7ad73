/**
 * The checkpoint of the execution budget on every element (a bpmn-elements extension): each
 * element entered is one automatic step of the command (runtime/budget.ts). When the command has
 * worked for a slice without the event loop turning, an element entered by a sequence flow waits
 * for the next turn (budget.defer) before it starts (an asynchronous run formatting,
 * bpmn-elements' own hook for extensions that need time); over budget, it never starts and the
 * command fails.
 *
 * Only a token arriving over a sequence flow waits. An element started by its trigger starts in
 * the same synchronous stretch as the trigger, as bpmn-elements expects: an event sub-process and
 * its start event (bpmn-elements starts them when a thrown error, escalation or signal is
 * delegated to the process and hands the event over right after), a boundary event (started when
 * the activity it is attached to is entered, so it listens before that activity runs), a start
 * event run again by the runner (event sub-process timers and queued starts), a compensation
 * handler. Had such an element waited, the event it starts for would pass unheard (an error
 * event sub-process never started, the process ended instead). Which token of parallel branches
 * moves first may change when one waits, as BPMN leaves it open; each token keeps its own order.
 */
import { currentBudget } from './budget';
import { onEnter, type ElementExtension } from './on-enter';

interface BudgetedActivity {
  id: string;
  broker: { publish(exchange: string, routingKey: string, content: object): void };
}

let seq = 0;

/**
 * The extension: count, check, yield or stop at each element entered. It acts on entry as an
 * extension's activation (runtime/on-enter.ts), so it holds no subscription: an `enter` listener
 * per activity kept a temporary queue (about 6 KB) alive per element of every kept engine. A
 * recovered activity is not entered again: it was counted when it was.
 */
export function budgetSteps(activity: BudgetedActivity): ElementExtension {
  return onEnter((content) => {
    const budget = currentBudget();
    if (!budget) return;
    const verdict = budget.step(activity.id, arrivedByFlow(content.inbound));
    if (verdict === 'go') return;
    const endRoutingKey = `run.itsm.budget.end.${++seq}`;
    activity.broker.publish('format', 'run.itsm.budget', { endRoutingKey });
    // 'stop': the element waits for good; the command's run is rejected with the violation.
    if (verdict === 'yield') {
      budget.defer(() => {
        if (budget.violation) return;
        try {
          activity.broker.publish('format', endRoutingKey, {});
        } catch (error) {
          // Never out of the event loop's callback (that would be an uncaught exception): the run fails instead.
          budget.fail('timeMs', activity.id, 0, `element "${activity.id}" failed while the command yielded: ${error instanceof Error ? error.message : String(error)}`);
        }
      });
    }
  });
}

/** True when the element was entered by a token taking a sequence flow (not started by its trigger). */
function arrivedByFlow(inbound: unknown): boolean {
  return Array.isArray(inbound) && inbound.some((i) => (i as { isSequenceFlow?: unknown } | null)?.isSequenceFlow === true);
}
