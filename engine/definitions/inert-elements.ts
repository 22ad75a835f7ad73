import { describeElement, is, isAny, one, ownerId, walk, type ModdleElement } from './model';
import type { ParsedDocument } from './parse';
import type { ProblemSink } from './problems';

/**
 * Top-level elements that are valid BPMN, mean nothing to how the process runs here, and that
 * bpmn-engine's serializer cannot load ("Unknown activity type"): removed, with a warning each.
 * Matched on the exact type.
 */
const INERT_ROOT_ELEMENTS: Readonly<Record<string, string>> = {
  'bpmn:Resource': 'who works on a task is set with camunda:assignee, camunda:candidateUsers or camunda:candidateGroups',
  'bpmn:ItemDefinition': 'process variables are untyped',
  'bpmn:Interface': 'service tasks run registered handlers (camunda:delegateExpression)',
};

/**
 * Removes from the parsed model what is valid BPMN but inert for this engine and would make
 * bpmn-engine fail to load the file (Signavio, MIWG C.1.0): the top-level elements above,
 * `<potentialOwner>`/`<performer>`/`<humanPerformer>` without a `resourceAssignmentExpression`
 * (the serializer throws on them; with an expression they are kept, and ignored with a warning
 * by the structure rules), and message/signal definitions of throw events that name no message
 * or signal. Each removal is a warning; the stored XML is unchanged.
 *
 * Call it before `serializeModel`: the serialized model is what the engine runs. It reads only
 * raw properties, so it materializes no empty collection (see serializeModel).
 */
export function stripInertElements(parsed: ParsedDocument, sink: ProblemSink): void {
  const rootElements = (parsed.definitions as unknown as { rootElements?: ModdleElement[] }).rootElements;
  if (Array.isArray(rootElements)) {
    for (let i = rootElements.length - 1; i >= 0; i--) {
      const element = rootElements[i] as ModdleElement;
      const why = INERT_ROOT_ELEMENTS[element.$type];
      if (why === undefined) continue;
      rootElements.splice(i, 1);
      sink.warn('ignored-element', `${describeElement(element)} was ignored: ${why}`, element.id);
    }
  }

  walk(parsed.definitions, (element) => {
    if (isAny(element, THROW_EVENTS)) stripNamelessThrow(parsed, element, sink);
    const resources = (element as unknown as { resources?: unknown }).resources;
    if (!Array.isArray(resources)) return;
    for (let i = resources.length - 1; i >= 0; i--) {
      const role = resources[i] as ModdleElement;
      if (!is(role, 'bpmn:ResourceRole') || one(role, 'resourceAssignmentExpression')) continue;
      resources.splice(i, 1);
      const resource = one(role, 'resourceRef');
      const named = resource ? ` naming ${describeElement(resource)}` : '';
      sink.warn(
        'resource-role',
        `${role.$type}${named} was ignored: assign the task with camunda:assignee, camunda:candidateUsers or camunda:candidateGroups`,
        ownerId(element),
      );
    }
  });
}

const THROW_EVENTS = ['bpmn:IntermediateThrowEvent', 'bpmn:EndEvent'];

/** Message and signal definitions a throw event may carry without naming what it throws. */
const NAMELESS_THROWS: readonly { type: string; property: string; kind: string }[] = [
  { type: 'bpmn:MessageEventDefinition', property: 'messageRef', kind: 'message' },
  { type: 'bpmn:SignalEventDefinition', property: 'signalRef', kind: 'signal' },
];

/**
 * A message or signal throw/end event without `messageRef`/`signalRef` is valid BPMN (Signavio
 * and Camunda Modeler write them for messages sent "somewhere"), but it names nothing to send:
 * it runs as a none event, with a warning. An unresolved reference is not this case (the parse
 * stage refuses it). When no definition is left the property is deleted, not emptied: an empty
 * `eventDefinitions` array makes bpmn-elements run a typed event that never completes.
 */
function stripNamelessThrow(parsed: ParsedDocument, event: ModdleElement, sink: ProblemSink): void {
  const holder = event as unknown as { eventDefinitions?: ModdleElement[] };
  const definitions = holder.eventDefinitions;
  if (!Array.isArray(definitions)) return;
  for (let i = definitions.length - 1; i >= 0; i--) {
    const definition = definitions[i] as ModdleElement;
    const nameless = NAMELESS_THROWS.find(({ type, property }) => is(definition, type) && !one(definition, property) && !parsed.isUnresolved(definition, `bpmn:${property}`));
    if (!nameless) continue;
    definitions.splice(i, 1);
    sink.warn(
      `nameless-${nameless.kind}-throw`,
      `the ${event.$type.replace('bpmn:', '')} has a ${nameless.kind} event definition without ${nameless.property}: it sends nothing and runs as a none event`,
      event.id,
    );
  }
  if (definitions.length === 0) delete holder.eventDefinitions;
}
