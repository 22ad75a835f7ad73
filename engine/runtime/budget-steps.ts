/**
 * The checkpoint of the execution budget on every element (a bpmn-elements extension): each
 * element entered is one automatic step of the command (runtime/budget.ts). When the command has
 * worked for a slice without the event loop turning, the element waits for the next turn (budget.defer) before
 * it starts (an asynchronous run formatting, bpmn-elements' own hook for extensions that need
 * time); over budget, it never starts and the command fails.
 */
import { currentBudget } from './budget';

interface BudgetedActivity {
  id: string;
  broker: { publish(exchange: string, routingKey: string, content: object): void };
  on(event: string, fn: (api: { id: string }) => void): void;
}

let seq = 0;

/** The extension: count, check, yield or stop at each element entered. */
export function budgetSteps(activity: BudgetedActivity): void {
  activity.on('enter', (api) => {
    // A sub-process's broker also carries the events of its inner elements: each counts once, on its own.
    if (api.id !== activity.id) return;
    const budget = currentBudget();
    if (!budget) return;
    const verdict = budget.step(activity.id);
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
