/**
 * Multi-instance activities under the execution budget (runtime/budget.ts): bpmn-elements starts
 * all instances of a parallel multi-instance activity in one synchronous loop, so a loop of
 * hundreds of instances would keep the event loop for its whole length. This behaviour is
 * bpmn-elements' own, except that past the first {@link YIELD_AFTER_STEPS} instances of one
 * activity, an instance whose start comes after the command's current slice is used up waits for
 * the next turn of the event loop ({@link CommandBudget.defer}); the instances start in their
 * order, a slice at a time. Ordinary loops (fewer instances) start as before, in one go.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- bpmn-elements' internals are untyped; this file is an adapter over them. */
import * as elements from 'bpmn-elements';
import { currentBudget, YIELD_AFTER_STEPS, type CommandBudget } from './budget';

const LoopCharacteristics = (elements as any).MultiInstanceLoopCharacteristics;

/** The `MultiInstanceLoopCharacteristics` behaviour, by the name bpmn-elements exports it under. */
export function MultiInstanceLoopCharacteristics(activity: any, loopCharacteristics: any): any {
  return new LoopCharacteristics(budgetedActivity(activity), loopCharacteristics);
}

/** `activity` whose broker defers the start of instances past the slice. */
function budgetedActivity(activity: any): any {
  const broker = activity.broker;
  let waiting = 0;
  let started = 0;
  const publish = (exchange: string, routingKey: string, content: unknown, options?: unknown) => {
    const budget: CommandBudget | undefined = currentBudget();
    const start = exchange === 'execution' && routingKey === 'execute.start';
    if (start && budget && (waiting > 0 || (++started > YIELD_AFTER_STEPS && budget.shouldYield()))) {
      waiting++;
      budget.defer(() => {
        waiting--;
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
