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
}

interface TimerDefinitionLike {
  parse(timerType: string, value: unknown): unknown;
}
