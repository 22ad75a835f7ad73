import { InclusiveGateway, ParallelGateway } from './joins';
import { StandardLoopCharacteristics } from './standard-loop';
import { CheckedTimerEventDefinition as TimerEventDefinition } from '../../timers/checked-timer-definition';
import { MultiInstanceLoopCharacteristics } from '../budget-loop';
import { ConditionalEventDefinition } from './gateway-conditions';

/**
 * Our replacements of bpmn-elements behaviours, by the name bpmn-elements exports them under.
 * They must be in the TypeResolver that deserializes a definition's source context (see
 * `loadSourceContext`): with a `sourceContext`, bpmn-engine's own `elements` option is not consulted.
 */
export const elementOverrides: Readonly<Record<string, unknown>> = Object.freeze({ InclusiveGateway, ParallelGateway, StandardLoopCharacteristics, TimerEventDefinition, MultiInstanceLoopCharacteristics, ConditionalEventDefinition });
