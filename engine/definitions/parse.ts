import { createModdle } from './moddle';
import { describeElement, is, isDiagramElement, ownerId, type ModdleContext, type ModdleElement, type ModdleWarning } from './model';
import type { ProblemSink } from './problems';
import { qnameHint, resolveQNameReferences } from './qname-references';

/** A parsed document: the moddle context plus what the rules need to know about its warnings. */
export interface ParsedDocument {
  readonly context: ModdleContext;
  readonly definitions: ModdleElement;
  /** True when moddle reported `element.property` as unresolved (the property is then empty). */
  isUnresolved(element: ModdleElement, property: string): boolean;
}

/**
 * References bpmn-engine (or the moddle-context-serializer in front of it) actually reads. An
 * unresolved one changes what runs, so it refuses the deploy; any other unresolved reference
 * (item definitions, operations, `evaluatesToTypeRef`, `<incoming>` lists we recompute...) is only
 * a warning: real exports are full of them and the engine never looks.
 */
const ENGINE_REFERENCES = new Set([
  'bpmn:sourceRef',
  'bpmn:targetRef',
  'bpmn:default',
  'bpmn:attachedToRef',
  'bpmn:processRef',
  'bpmn:messageRef',
  'bpmn:signalRef',
  'bpmn:errorRef',
  'bpmn:escalationRef',
  'bpmn:dataObjectRef',
  'bpmn:dataStoreRef',
]);

/** A flow node's `<incoming>`/`<outgoing>` lists. */
const FLOW_LISTS = new Set(['bpmn:incoming', 'bpmn:outgoing']);

const MISSING_REFERENCE_RULES: Readonly<Record<string, string>> = {
  'bpmn:messageRef': 'missing-message',
  'bpmn:signalRef': 'missing-signal',
  'bpmn:errorRef': 'missing-error',
  'bpmn:escalationRef': 'missing-escalation',
};

const BPMN_NAMESPACE = 'http://www.omg.org/spec/BPMN/20100524/MODEL';

/**
 * Parses with bpmn-moddle 9 + the camunda descriptor and classifies every moddle warning. A
 * document that cannot be read at all adds one refusal and yields null.
 */
export async function parseBpmn(xml: string, sink: ProblemSink): Promise<ParsedDocument | null> {
  const moddle = createModdle();
  let context: ModdleContext;
  try {
    context = (await moddle.fromXML(xml)) as ModdleContext;
  } catch (error) {
    sink.refuse(...fatalParseProblem(error));
    return null;
  }
  if (!context?.rootElement || !is(context.rootElement, 'bpmn:Definitions')) {
    sink.refuse('not-bpmn', `the root element is not a BPMN 2.0 <definitions> element (namespace ${BPMN_NAMESPACE})`);
    return null;
  }

  resolveQNameReferences(context, sink);

  const knownPrefixes = new Set(moddle.getPackages().map((pkg) => pkg.prefix));
  const unresolved = new Map<ModdleElement, Set<string>>();
  for (const warning of context.warnings) {
    classifyWarning(warning, knownPrefixes, context.rootElement, sink, (element, property) => {
      const properties = unresolved.get(element) ?? new Set<string>();
      properties.add(property);
      unresolved.set(element, properties);
    });
  }

  return {
    context,
    definitions: context.rootElement,
    isUnresolved: (element, property) => unresolved.get(element)?.has(property) ?? false,
  };
}

function fatalParseProblem(error: unknown): [rule: string, message: string] {
  const message = error instanceof Error ? error.message : String(error);
  if (/failed to parse document as <bpmn:Definitions>/.test(message)) {
    const nested = (error as { warnings?: ModdleWarning[] }).warnings?.[0];
    const detail = nested ? `: ${formatUnparsable(nested.message)}` : '';
    return ['not-bpmn', `not a BPMN 2.0 document: the root must be <definitions> in namespace ${BPMN_NAMESPACE}${detail}`];
  }
  return ['xml-malformed', `the XML is malformed: ${formatUnparsable(message)}`];
}

function classifyWarning(
  warning: ModdleWarning,
  knownPrefixes: ReadonlySet<string>,
  definitions: ModdleElement,
  sink: ProblemSink,
  markUnresolved: (element: ModdleElement, property: string) => void,
): void {
  const { message, element, property } = warning;

  const encoding = /^unsupported document encoding <([^>]*)>/.exec(message);
  if (encoding) {
    // We decode the bytes ourselves before parsing, so moddle's "falling back to UTF-8" is moot.
    sink.warn('xml-encoding', `the declared encoding "${encoding[1]}" was ignored: the bytes were decoded as UTF-8, or Latin-1 when not valid UTF-8`);
    return;
  }

  if (warning.error) {
    classifyUnparsable(warning, knownPrefixes, sink);
    return;
  }

  const unknownAttribute = /^unknown attribute <([^>]*)>/.exec(message);
  if (unknownAttribute) {
    const text = `unknown attribute "${unknownAttribute[1]}" on ${element ? describeElement(element) : 'an element'}`;
    // Only attributes in a namespace moddle knows (bpmn, camunda, DI...) get here; vendor
    // attributes in foreign namespaces are kept silently. A misspelt BPMN or camunda attribute
    // would be silently ignored by the engine, so it refuses, except on diagram-only elements.
    if (isDiagramElement(element) || /^zeebe:/.test(unknownAttribute[1] as string)) sink.warn('unknown-attribute', text, ownerId(element));
    else sink.refuse('unknown-attribute', `${text}: the engine would ignore it`, ownerId(element));
    return;
  }

  const unresolved = /^unresolved reference <([^>]*)>/.exec(message);
  if (unresolved && element && property) {
    markUnresolved(element, property);
    const id = unresolved[1] as string;
    const text = `${property.replace(/^bpmn:/, '')} "${id}" of ${describeElement(element)} does not resolve to any element${qnameHint(element, id, definitions)}`;
    const readByEngine = ENGINE_REFERENCES.has(property) && !isDiagramElement(element) && !is(element, 'bpmn:Operation');
    if (FLOW_LISTS.has(property) && is(element, 'bpmn:FlowNode')) {
      // The engine reads sourceRef/targetRef, not these lists; but a list naming a flow that does
      // not exist is a broken model, and tools that trust the list would draw another graph.
      sink.refuse('missing-flow', `${property.replace(/^bpmn:/, '')} names the sequence flow "${id}", which does not exist in the document`, ownerId(element));
    } else if (readByEngine) sink.refuse(MISSING_REFERENCE_RULES[property] ?? 'unresolved-reference', text, ownerId(element));
    else sink.warn('unresolved-reference', text, ownerId(element));
    return;
  }

  // A kind of warning this code does not know: the "zero moddle warnings" rule applies.
  sink.refuse('moddle-warning', message, ownerId(element));
}

/** "unparsable content" warnings: moddle-xml skipped an element (and everything inside it). */
function classifyUnparsable(warning: ModdleWarning, knownPrefixes: ReadonlySet<string>, sink: ProblemSink): void {
  const nested = warning.error?.message ?? '';
  const where = formatUnparsable(warning.message);

  const duplicate = /^duplicate ID <([^>]*)>/.exec(nested);
  if (duplicate) {
    sink.refuse('duplicate-id', `the id "${duplicate[1]}" is used by more than one element (${where})`, duplicate[1]);
    return;
  }

  const unrecognized = /^unrecognized element <(([^:>]+):)?[^>]*>/.exec(nested);
  if (unrecognized && unrecognized[2] && !knownPrefixes.has(unrecognized[2])) {
    // A vendor element outside <extensionElements> (e.g. <ibo:CollapsedBounds> inside a DI shape):
    // schema-invalid but inert, and common in real exports. Moddle drops it; so does the engine.
    sink.warn('foreign-element', `ignored a vendor element: ${where}`);
    return;
  }

  const unknownType = /^unknown type <([^>]*)>/.exec(nested);
  if (unknownType && /^zeebe:/.test(unknownType[1] as string)) {
    // Our zeebe descriptor (processes/moddle/zeebe.json) only knows <zeebe:subscription>; other
    // Camunda 8 extensions are ignored as they were before it existed.
    sink.warn('foreign-element', `ignored a Camunda 8 extension element the engine does not read: ${where}`);
    return;
  }
  if (unknownType) {
    sink.refuse('unknown-element', `unknown element <${unknownType[1]}>: it was dropped while reading (${where})`);
    return;
  }

  sink.refuse('xml-malformed', `the XML is malformed: ${where}`);
}

/** moddle-xml's multi-line "unparsable content <x> detected / line / column / nested error". */
function formatUnparsable(message: string): string {
  const match = /unparsable content\s*(.*?)\s*detected\s*line: (\d+)\s*column: (\d+)\s*nested error: ([\s\S]*)$/.exec(message);
  if (!match) return message.replace(/\s+/g, ' ').trim();
  const [, tag, line, column, nested] = match;
  // saxen counts lines and columns from 0.
  const position = `line ${Number(line) + 1}, column ${Number(column) + 1}`;
  return `${(nested as string).trim()}${tag ? ` at ${tag}` : ''} (${position})`;
}
