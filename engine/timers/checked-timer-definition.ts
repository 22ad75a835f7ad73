import { TimerEventDefinition } from 'bpmn-elements';
import { assertTimerValue, type TimerField } from './timer-values';

/**
 * bpmn-elements' timer event definition, with every timer value checked against the timer limits
 * (timer-values.ts) before @0dep/piso parses it. Values written in the diagram were checked at
 * deploy already; this catches what expressions resolve to at run time (`${reminder}` set to
 * `R/PT0S` would otherwise block the event loop for good). A refused value throws inside the
 * definition's execute, which bpmn-elements turns into an activity error: the command fails with
 * 422 naming the element and nothing is stored.
 */
export class CheckedTimerEventDefinition extends (TimerEventDefinition as unknown as new (activity: unknown, definition: unknown) => TimerDefinitionLike) {
  override parse(timerType: string, value: unknown): unknown {
    assertTimerValue(timerType as TimerField, value);
    return super.parse(timerType, value);
  }

  /**
   * A timer behind an event-based gateway that is already due when it is reached (a `timeDate` in
   * the past, `PT0S`) would complete at once, while the gateway still takes its other flows: the
   * gateway then discards events that have not started yet, and they start afterwards and wait for
   * good. Such a timer is armed instead, as due, and the runner fires it in the same command once
   * every event of the gateway waits (InstanceRunner `fireArrivedTimers`): it wins the race, as a
   * due timer must, and the other events are discarded.
   */
  override _getTimers(executeMessage: { content: { executionId: string } }): { timeout?: number } {
    const resolved = super._getTimers(executeMessage);
    if (typeof resolved.timeout === 'number' && resolved.timeout <= 0 && afterEventBasedGateway(this.activity)) {
      const timers = this.environment.timers as { markArrived?: (executionId: string) => void };
      if (timers.markArrived) {
        timers.markArrived(executeMessage.content.executionId);
        return { ...resolved, timeout: 1 };
      }
    }
    return resolved;
  }
}

/** True when `activity` is entered from an event-based gateway. */
export function afterEventBasedGateway(activity: TimerDefinitionLike['activity']): boolean {
  return activity.inbound.some((flow) => activity.context?.getActivityById(flow.sourceId)?.type === 'bpmn:EventBasedGateway');
}

interface TimerDefinitionLike {
  activity: { inbound: { sourceId: string }[]; context?: { getActivityById(id: string): { type: string } | undefined } };
  environment: { timers: unknown };
  parse(timerType: string, value: unknown): unknown;
  _getTimers(executeMessage: unknown): { timeout?: number };
}
