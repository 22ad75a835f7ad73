/**
 * bpmn-elements' conditional event definition, except behind an event-based gateway: there a
 * condition that already holds when the event is reached would complete the event at once, while
 * the gateway still takes its other flows; the gateway then discards events that have not started
 * yet, and they start afterwards and wait for good. Behind an event-based gateway the event only
 * waits when it is reached; once every event of the gateway waits, the run's settling pass
 * (runtime/conditional-events.ts) evaluates it, it wins the race if it holds, and the gateway
 * discards the others.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- bpmn-elements' internals are untyped; this file is an adapter over them. */
import { ConditionalEventDefinition as StockConditionalEventDefinition } from 'bpmn-elements';
import { afterEventBasedGateway } from '../../timers/checked-timer-definition';

export class ConditionalEventDefinition extends (StockConditionalEventDefinition as unknown as new (...args: any[]) => any) {
  execute(executeMessage: any): void {
    if (this.condition && afterEventBasedGateway(this.activity)) {
      (this as any)[Symbol.for('executeMessage')] = executeMessage;
      this._setup(executeMessage);
      return;
    }
    super.execute(executeMessage);
  }
}
