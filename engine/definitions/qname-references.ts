import { is, walk, type ModdleContext, type ModdleElement } from './model';
import type { ProblemSink } from './problems';

/** `prefix:localName`, both NCNames (an id never contains a colon, so a colon means a QName). */
const QNAME = /^([A-Za-z_][\w.-]*):([A-Za-z_][\w.-]*)$/;

/** What is mutable of moddle's parse result (ModdleContext is a read-only view). */
interface MutableContext {
  references: { element: ModdleElement; property: string; id: string }[];
  warnings: { message: string; element?: ModdleElement; property?: string; value?: string }[];
}

interface MutableElement {
  get(name: string): unknown;
  set(name: string, value: unknown): void;
}

/** The namespace URI `prefix` is bound to where `element` sits (its own or an ancestor's xmlns), if any. */
export function namespaceOf(element: ModdleElement | undefined, prefix: string): string | undefined {
  for (let current = element; current; current = current.$parent) {
    const uri = current.$attrs?.[`xmlns:${prefix}`];
    if (uri !== undefined) return uri;
  }
  return undefined;
}

/**
 * Why a prefixed reference `id` on `element` did not resolve, for the refusal message: the prefix
 * is undeclared, or bound to another namespace than the document's targetNamespace (a reference
 * into another document, which needs imports the server does not support).
 */
export function qnameHint(element: ModdleElement | undefined, id: string, definitions: ModdleElement): string {
  const match = QNAME.exec(id);
  if (!match) return '';
  const [, prefix] = match;
  const uri = namespaceOf(element, prefix as string);
  const targetNamespace = definitions.get('targetNamespace');
  if (uri === undefined) return ` (the prefix "${prefix}" is not declared)`;
  if (uri !== targetNamespace) {
    return ` (the prefix "${prefix}" is bound to "${uri}", not to this document's targetNamespace "${String(targetNamespace ?? '')}": references into other documents (imports) are not supported)`;
  }
  return ` (no element of this document has the id "${match[2]}")`;
}

/**
 * BPMN references are QNames: `messageRef="tns:writeReport"`, where `tns` is bound to the
 * document's own targetNamespace, names the element `writeReport` of this document (Activiti and
 * Flowable write them so). bpmn-moddle looks the whole text up as an id and leaves the reference
 * empty with an "unresolved reference" warning. This resolves those references to the local
 * element (in the element, and in `context.references`, which the moddle-context-serializer
 * reads), drops their warnings, and strips the same prefix from `calledElement` (a plain string
 * in bpmn-moddle). Prefixes bound to another namespace stay unresolved: the parse stage refuses
 * them, with {@link qnameHint} saying why.
 *
 * Runs right after parsing, before anything serializes or checks the model.
 */
export function resolveQNameReferences(context: ModdleContext, sink: ProblemSink): void {
  const mutable = context as unknown as MutableContext;
  const definitions = context.rootElement;
  const targetNamespace = definitions.get('targetNamespace');
  if (typeof targetNamespace !== 'string' || targetNamespace === '') {
    checkCalledElements(definitions, undefined, sink);
    return;
  }

  const local = (element: ModdleElement | undefined, id: string): string | undefined => {
    const match = QNAME.exec(id);
    if (!match || namespaceOf(element, match[1] as string) !== targetNamespace) return undefined;
    return match[2];
  };

  mutable.warnings = mutable.warnings.filter((warning) => {
    const { element, property, value } = warning;
    if (!element || !property || typeof value !== 'string' || !warning.message.startsWith('unresolved reference <')) return true;
    const localId = local(element, value);
    const target = localId === undefined ? undefined : context.elementsById[localId];
    if (!target || localId === undefined) return true;

    const descriptor = (element.$descriptor as unknown as { propertiesByName?: Record<string, { name: string; isMany?: boolean }> }).propertiesByName?.[property];
    if (!descriptor) return true;
    const writable = element as unknown as MutableElement;
    if (descriptor.isMany) (writable.get(descriptor.name) as unknown[]).push(target);
    else writable.set(descriptor.name, target);
    for (const reference of mutable.references) {
      if (reference.element === element && reference.property === property && reference.id === value) reference.id = localId;
    }
    return false;
  });

  checkCalledElements(definitions, targetNamespace, sink);
}

/** `calledElement="tns:child"` names the process `child`; a prefix bound elsewhere is refused. */
function checkCalledElements(definitions: ModdleElement, targetNamespace: string | undefined, sink: ProblemSink): void {
  walk(definitions, (element) => {
    if (!is(element, 'bpmn:CallActivity')) return;
    const called = element.get('calledElement');
    if (typeof called !== 'string') return;
    const match = QNAME.exec(called.trim());
    if (!match) return;
    const uri = namespaceOf(element, match[1] as string);
    if (uri === undefined) return; // not a QName at all: the call activity rules judge the text
    if (uri === targetNamespace) (element as unknown as MutableElement).set('calledElement', match[2]);
    else sink.refuse('qname-reference', `calledElement "${called}"${qnameHint(element, called.trim(), definitions)}`, element.id);
  });
}
