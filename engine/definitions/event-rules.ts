import { flag, is, list, one, ownerId, text, type ModdleElement } from './model';
import type { RuleContext } from './rule-context';

const EVENT_TYPES = ['bpmn:StartEvent', 'bpmn:IntermediateCatchEvent', 'bpmn:BoundaryEvent', 'bpmn:IntermediateThrowEvent', 'bpmn:EndEvent'] as const;

/** Where each event definition may appear (BPMN 2.0.2 §10.5, tables 10.84-10.93). */
const ALLOWED_ON: Readonly<Record<string, readonly string[]>> = {
  'bpmn:TimerEventDefinition': ['bpmn:StartEvent', 'bpmn:IntermediateCatchEvent', 'bpmn:BoundaryEvent'],
  'bpmn:ConditionalEventDefinition': ['bpmn:StartEvent', 'bpmn:IntermediateCatchEvent', 'bpmn:BoundaryEvent'],
  'bpmn:ErrorEventDefinition': ['bpmn:StartEvent', 'bpmn:BoundaryEvent', 'bpmn:EndEvent'],
  'bpmn:EscalationEventDefinition': ['bpmn:StartEvent', 'bpmn:BoundaryEvent', 'bpmn:IntermediateThrowEvent', 'bpmn:EndEvent'],
  'bpmn:CompensateEventDefinition': ['bpmn:StartEvent', 'bpmn:BoundaryEvent', 'bpmn:IntermediateThrowEvent', 'bpmn:EndEvent'],
  'bpmn:CancelEventDefinition': ['bpmn:BoundaryEvent', 'bpmn:EndEvent'],
  'bpmn:TerminateEventDefinition': ['bpmn:EndEvent'],
  'bpmn:LinkEventDefinition': ['bpmn:IntermediateCatchEvent', 'bpmn:IntermediateThrowEvent'],
};

/**
 * Event sub-process start triggers the engine never fires by itself (ENGINE_NOTES §1, exp 06 and
 * 26). Timer, message and signal starts of event sub-processes directly in the process are driven
 * by the runner instead (runtime/event-subprocess-timers.ts, messaging/runtime.ts); nested ones
 * are refused.
 */
const RUNNER_EVENT_SUBPROCESS_STARTS = ['bpmn:TimerEventDefinition', 'bpmn:MessageEventDefinition', 'bpmn:SignalEventDefinition'];

/** The referenced global element each definition type needs, and whether a catch may omit it. */
const REFERENCES: readonly { definition: string; property: string; target: string; rule: string; optionalOnCatch: boolean }[] = [
  { definition: 'bpmn:MessageEventDefinition', property: 'messageRef', target: 'bpmn:Message', rule: 'missing-message', optionalOnCatch: false },
  { definition: 'bpmn:SignalEventDefinition', property: 'signalRef', target: 'bpmn:Signal', rule: 'missing-signal', optionalOnCatch: false },
  // A catch without errorRef/escalationRef catches any error/escalation: that is meaningful.
  { definition: 'bpmn:ErrorEventDefinition', property: 'errorRef', target: 'bpmn:Error', rule: 'missing-error', optionalOnCatch: true },
  { definition: 'bpmn:EscalationEventDefinition', property: 'escalationRef', target: 'bpmn:Escalation', rule: 'missing-escalation', optionalOnCatch: true },
];

/**
 * Event rules: supported triggers only (no conditional process start, no event sub-process starts
 * the engine never fires and the runner does not arm), definitions where BPMN allows them, and every message, signal, error and
 * escalation they name must exist.
 */
export function checkEvents(context: RuleContext, checkExpression?: (expression: string) => string | null): void {
  for (const event of context.elements) {
    if (!EVENT_TYPES.some((type) => is(event, type))) continue;
    checkEvent(context, event);
  }
  for (const task of context.elements) {
    // A receive task naming no message waits for something nothing can deliver: refused as catches are.
    if (is(task, 'bpmn:ReceiveTask') || is(task, 'bpmn:SendTask')) checkReference(context, task, 'messageRef', 'bpmn:Message', 'missing-message', is(task, 'bpmn:SendTask'));
  }
  checkMessaging(context, checkExpression);
}

function checkEvent(context: RuleContext, event: ModdleElement): void {
  const { sink } = context;
  const definitions = list(event, 'eventDefinitions');
  const isCatch = is(event, 'bpmn:StartEvent') || is(event, 'bpmn:IntermediateCatchEvent') || is(event, 'bpmn:BoundaryEvent');
  const eventSubProcess = is(event, 'bpmn:StartEvent') && is(event.$parent, 'bpmn:SubProcess') && flag(event.$parent as ModdleElement, 'triggeredByEvent') === true;

  if (list(event, 'eventDefinitionRef').length) {
    // The serializer only reads inline definitions: the event would silently become a none event.
    sink.refuse('event-definition-ref', 'eventDefinitionRef (a shared top-level event definition) is not supported; define the event definition inside the event', event.id);
  }
  if (is(event, 'bpmn:BoundaryEvent') && !one(event, 'attachedToRef') && !context.parsed.isUnresolved(event, 'bpmn:attachedToRef')) {
    sink.refuse('boundary-unattached', 'the boundary event is not attached to an activity (no attachedToRef): the engine would start it with the process', event.id);
  }

  if (is(event, 'bpmn:BoundaryEvent') && definitions.length === 0 && !list(event, 'eventDefinitionRef').length) {
    sink.refuse('boundary-without-trigger', 'a boundary event needs an event definition (timer, error, escalation, message, signal...): without one it never fires and BPMN does not allow it', event.id);
  }
  for (const definition of definitions) {
    const type = definition.$type;
    if (is(definition, 'bpmn:ConditionalEventDefinition') && is(event, 'bpmn:StartEvent')) {
      // The runner re-evaluates conditions of running instances (runtime/conditional-events.ts).
      if (!eventSubProcess) {
        sink.refuse('conditional-start', 'a conditional start event of a process is not supported: nothing evaluates a condition before the instance exists; start it with POST /api/instances', event.id);
        continue;
      }
      if (!is((event.$parent as ModdleElement).$parent, 'bpmn:Process')) {
        sink.refuse('event-subprocess-start', 'a conditional start event is supported on an event sub-process directly in the process only, not on one nested in a sub-process', event.id);
        continue;
      }
    }
    const allowed = ALLOWED_ON[type];
    if (allowed && !allowed.some((eventType) => is(event, eventType))) {
      sink.refuse('event-definition-placement', `${withArticle(type.replace('bpmn:', ''))} is not allowed on ${withArticle(event.$type.replace('bpmn:', ''))}`, event.id);
    }
    if (eventSubProcess && RUNNER_EVENT_SUBPROCESS_STARTS.some((kind) => is(definition, kind)) && !is((event.$parent as ModdleElement).$parent, 'bpmn:Process')) {
      sink.refuse(
        'event-subprocess-start',
        `a ${type.replace('bpmn:', '').replace('EventDefinition', '').toLowerCase()} start event is supported on an event sub-process directly in the process only, not on one nested in a sub-process`,
        event.id,
      );
    }
    for (const reference of REFERENCES) {
      if (!is(definition, reference.definition)) continue;
      checkReference(context, definition, reference.property, reference.target, reference.rule, isCatch && reference.optionalOnCatch);
    }
  }
}

function checkReference(context: RuleContext, element: ModdleElement, property: string, targetType: string, rule: string, optional: boolean): void {
  // An unresolved reference is already reported by the parse stage.
  if (context.parsed.isUnresolved(element, `bpmn:${property}`)) return;
  const target = one(element, property);
  const kind = targetType.replace('bpmn:', '').toLowerCase();
  if (!target) {
    if (!optional) context.sink.refuse(rule, `the ${element.$type.replace('bpmn:', '')} does not reference ${withArticle(kind)} (${property} is missing)${UNDELIVERABLE[rule] ?? ''}`, ownerId(element));
  } else if (!is(target, targetType)) {
    context.sink.refuse(rule, `${property} "${target.id}" is a ${target.$type}, not a ${targetType}`, ownerId(element));
  }
}

/**
 * Throw events without a message or signal run as none events (inert-elements.ts): only catches
 * get here, and nothing can reach a catch that names nothing.
 */
const UNDELIVERABLE: Readonly<Record<string, string>> = {
  'missing-message': ': nothing could deliver to it, as POST /api/messages and message throws deliver by the name of the message a catch references',
  'missing-signal': ': nothing could deliver to it, as POST /api/signals and signal throws broadcast by the name of the signal a catch references',
};

function withArticle(word: string): string {
  return `${/^[aeiou]/i.test(word) ? 'an' : 'a'} ${word}`;
}

const MESSAGE_OR_SIGNAL = ['bpmn:MessageEventDefinition', 'bpmn:SignalEventDefinition'];

/**
 * Messages and signals (engine/messaging): a correlation key must be a valid expression, and a
 * process started by a message or signal may have no other kind of start event (bpmn-engine runs
 * every start event of a process when it starts, so a none start would run as well).
 */
function checkMessaging(context: RuleContext, checkExpression?: (expression: string) => string | null): void {
  for (const element of context.elements) {
    if (!is(element, 'bpmn:Message')) continue;
    const extensionElements = one(element, 'extensionElements');
    const zeebe = extensionElements ? list(extensionElements, 'values').find((v) => is(v, 'zeebe:Subscription')) : undefined;
    const keys = [['itsm:correlationKey', text(element, 'itsm:correlationKey')], ['zeebe:subscription correlationKey', zeebe && text(zeebe, 'correlationKey')]] as const;
    for (const [attribute, value] of keys) {
      if (typeof value !== 'string' || !value.trim()) continue;
      const problem = checkExpression?.(value.trim());
      if (problem) context.sink.refuse('correlation-key', `the ${attribute} "${value}" is not a valid expression: ${problem}`, element.id);
    }
  }
  for (const process of context.elements) {
    if (!is(process, 'bpmn:Process')) continue;
    const starts = list(process, 'flowElements').filter((e) => is(e, 'bpmn:StartEvent'));
    const triggered = starts.filter((e) => list(e, 'eventDefinitions').some((d) => MESSAGE_OR_SIGNAL.some((t) => is(d, t))));
    const others = starts.filter((e) => !triggered.includes(e));
    if (triggered.length && others.length) {
      for (const start of others) {
        context.sink.refuse(
          'mixed-start-events',
          `the process also has message or signal start events (${triggered.map((t) => t.id).join(', ')}): bpmn-engine would run this start event too whenever a message or signal starts the process`,
          start.id,
        );
      }
    }
  }
}
