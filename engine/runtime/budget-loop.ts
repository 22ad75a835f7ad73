/**
 * Multi-instance activities under the execution budget (runtime/budget.ts): bpmn-elements starts
 * all instances of a parallel multi-instance activity in one synchronous loop, so a loop of
 * hundreds of instances would keep the event loop for its whole length. This behaviour is
 * bpmn-elements' own, except that an instance whose start comes after the command's current slice
 * is used up waits for the next turn of the event loop ({@link CommandBudget.defer}), and every
 * later start of the activity waits behind it: the instances start in their order, a slice at a
 * time. An instance still waiting when its activity has ended (its completion condition was met,
 * an interrupting event left it) never starts, as if it had started and been cancelled at once.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- bpmn-elements' internals are untyped; this file is an adapter over them. */
import * as elements from 'bpmn-elements';
import { currentBudget, type CommandBudget } from './budget';

const LoopCharacteristics = (elements as any).MultiInstanceLoopCharacteristics;

/** The `MultiInstanceLoopCharacteristics` behaviour, by the name bpmn-elements exports it under. */
export function MultiInstanceLoopCharacteristics(activity: any, loopCharacteristics: any): any {
  return new LoopCharacteristics(budgetedActivity(activity), loopCharacteristics);
}

/** Instances of one activity started in one synchronous stretch before the rest wait for later turns. */
const IMMEDIATE_STARTS = 16;

/** `activity` whose broker defers the start of instances past the slice. */
function budgetedActivity(activity: any): any {
  const broker = activity.broker;
  let waiting = 0;
  let stretch = -1;
  let startedInStretch = 0;
  const publish = (exchange: string, routingKey: string, content: unknown, options?: unknown) => {
    const budget: CommandBudget | undefined = currentBudget();
    const start = exchange === 'execution' && routingKey === 'execute.start';
    // Over budget: the command is failing and rolls back; the instances left never start (starting
    // them would keep the event loop for the rest of a large fan-out).
    if (start && budget?.violation) return;
    if (start && budget && budget.stretch !== stretch) {
      stretch = budget.stretch;
      startedInStretch = 0;
    }
    // bpmn-elements publishes a batch of starts while the activity's queue is busy: they run only
    // after the batch is published, so time alone would let the whole batch through. At most
    // IMMEDIATE_STARTS start in one stretch; once one start waits, the later ones wait behind it:
    // the instances start in their order.
    if (start && budget && (waiting > 0 || ++startedInStretch > IMMEDIATE_STARTS || budget.shouldYield())) {
      waiting++;
      const executionId: unknown = activity.executionId;
      budget.defer(() => {
        waiting--;
        // The activity ended meanwhile (its completion condition was met, an interrupting event
        // left it): an instance that had not started yet never starts.
        if (!activity.isRunning || activity.executionId !== executionId) return;
        broker.publish(exchange, routingKey, content, options);
      });
      return;
    }
    broker.publish(exchange, routingKey, content, options);
  };
  const budgetedBroker = forwarding(broker, { publish });
  return forwarding(activity, { broker: budgetedBroker });
}

/** A view of `target` with `own` properties in front; its methods keep `target` as `this`. */
function forwarding(target: any, own: Record<string, unknown>): any {
  return new Proxy(target, {
    get(object, property) {
      if (typeof property === 'string' && property in own) return own[property];
      const value = Reflect.get(object, property, object);
      return typeof value === 'function' ? value.bind(object) : value;
    },
  });
}
