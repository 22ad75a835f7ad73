/**
 * A typed, read-only view of the bpmn-moddle object tree, so the rules never touch `any`.
 * bpmn-moddle elements are plain objects with a `$type`, a non-enumerable `$parent`, references
 * stored as (non-enumerable) properties and extension attributes readable through `get()`.
 */
export interface ModdleElement {
  readonly $type: string;
  readonly $parent?: ModdleElement;
  readonly $attrs?: Readonly<Record<string, string>>;
  readonly $descriptor: ModdleDescriptor;
  readonly id?: string;
  readonly name?: string;
  $instanceOf(type: string): boolean;
  get(name: string): unknown;
}

interface ModdleDescriptor {
  readonly isGeneric?: boolean;
  readonly properties: readonly ModdlePropertyDescriptor[];
}

interface ModdlePropertyDescriptor {
  readonly name: string;
  readonly type: string;
  readonly isMany?: boolean;
  readonly isAttr?: boolean;
  readonly isReference?: boolean;
}

/** One warning collected by moddle-xml while reading (its shape in moddle-xml 11). */
export interface ModdleWarning {
  readonly message: string;
  readonly error?: Error;
  readonly element?: ModdleElement;
  readonly property?: string;
  readonly value?: string;
}

/** The `fromXML` result of bpmn-moddle 9, as far as we read it. */
export interface ModdleContext {
  readonly rootElement: ModdleElement;
  readonly elementsById: Readonly<Record<string, ModdleElement>>;
  readonly references: readonly { element: ModdleElement; property: string; id: string }[];
  readonly warnings: readonly ModdleWarning[];
}

const SIMPLE_TYPES = new Set(['String', 'Boolean', 'Integer', 'Real']);

/** True for moddle elements (as opposed to strings, numbers, plain objects). */
export function isElement(value: unknown): value is ModdleElement {
  return typeof value === 'object' && value !== null && typeof (value as ModdleElement).$instanceOf === 'function';
}

/** `element` is an instance of `type` (or of a subtype), as moddle defines it. */
export function is(element: ModdleElement | undefined, type: string): boolean {
  return !!element && element.$instanceOf(type);
}

/** `element` is an instance of one of `types`. */
export function isAny(element: ModdleElement | undefined, types: readonly string[]): boolean {
  return !!element && types.some((type) => element.$instanceOf(type));
}

/** A contained or referenced many-valued property, never undefined. */
export function list(element: ModdleElement, property: string): ModdleElement[] {
  const value = (element as unknown as Record<string, unknown>)[property];
  return Array.isArray(value) ? value.filter(isElement) : [];
}

/** A single-valued element property (contained or referenced). */
export function one(element: ModdleElement, property: string): ModdleElement | undefined {
  const value = (element as unknown as Record<string, unknown>)[property];
  return isElement(value) ? value : undefined;
}

/** A string attribute; extension attributes use their prefixed name, e.g. `camunda:assignee`. */
export function text(element: ModdleElement, property: string): string | undefined {
  const value = element.get(property);
  return typeof value === 'string' ? value : undefined;
}

/** A boolean attribute as moddle coerced it. */
export function flag(element: ModdleElement, property: string): boolean | undefined {
  const value = element.get(property);
  return typeof value === 'boolean' ? value : undefined;
}

/**
 * Parts of an element that a modeller never selects on the canvas (some carry their own id, like
 * `MessageEventDefinition_1x`): problems inside them are reported on the element that owns them.
 */
const SUB_ELEMENT_TYPES = [
  'bpmn:EventDefinition',
  'bpmn:LoopCharacteristics',
  'bpmn:Expression',
  'bpmn:ResourceRole',
  'bpmn:ResourceAssignmentExpression',
  'bpmn:InputOutputSpecification',
  'bpmn:InputSet',
  'bpmn:OutputSet',
  'bpmn:ExtensionElements',
  'bpmn:Documentation',
  'bpmn:LaneSet',
];

/** The id to report a problem under: the element's own, or that of the element it belongs to. */
export function ownerId(element: ModdleElement | undefined): string | undefined {
  for (let current = element; current; current = current.$parent) {
    if (current.id && !isAny(current, SUB_ELEMENT_TYPES) && !isGeneric(current)) return current.id;
  }
  return element?.id;
}

function isGeneric(element: ModdleElement): boolean {
  return !!element.$descriptor?.isGeneric || /^camunda:/.test(element.$type);
}

/** True for BPMN DI / DC elements: they only draw the diagram, the engine never reads them. */
export function isDiagramElement(element: ModdleElement | undefined): boolean {
  return !!element && /^(bpmndi|di|dc|bioc|color):/.test(element.$type);
}

/**
 * Depth-first walk over every contained element (the same containment rule bpmnlint uses:
 * non-attribute, non-reference, non-primitive properties). Generic (foreign) elements are
 * visited but not entered.
 */
export function walk(root: ModdleElement, visit: (element: ModdleElement) => void): void {
  const stack: ModdleElement[] = [root];
  while (stack.length) {
    const element = stack.pop() as ModdleElement;
    visit(element);
    const descriptor = element.$descriptor;
    if (!descriptor || descriptor.isGeneric) continue;
    const children: ModdleElement[] = [];
    for (const property of descriptor.properties) {
      if (property.isAttr || property.isReference || SIMPLE_TYPES.has(property.type)) continue;
      const value = (element as unknown as Record<string, unknown>)[property.name];
      if (Array.isArray(value)) children.push(...value.filter(isElement));
      else if (isElement(value)) children.push(value);
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as ModdleElement);
  }
}

/** Short human label: `bpmn:UserTask "Approve"`. */
export function describeElement(element: ModdleElement): string {
  return element.name ? `${element.$type} "${element.name}"` : element.$type;
}
