import { is, list, one, walk, type ModdleElement } from './model';
import type { ParsedDocument } from './parse';
import type { ProblemSink } from './problems';

/** Everything a rule module needs: the parsed model, indexes over it, and where to report. */
export interface RuleContext {
  readonly parsed: ParsedDocument;
  readonly sink: ProblemSink;
  /** Every element of the document, in document order. */
  readonly elements: readonly ModdleElement[];
  /** Sequence flows arriving at / leaving each flow node, from the flows' `sourceRef`/`targetRef`. */
  incoming(node: ModdleElement): readonly ModdleElement[];
  outgoing(node: ModdleElement): readonly ModdleElement[];
}

export function createRuleContext(parsed: ParsedDocument, sink: ProblemSink): RuleContext {
  const elements: ModdleElement[] = [];
  walk(parsed.definitions, (element) => elements.push(element));

  // The engine follows sourceRef/targetRef and never reads the <incoming>/<outgoing> lists, which
  // some exporters omit or get wrong; so the graph the rules see is built from the flows.
  const incoming = new Map<ModdleElement, ModdleElement[]>();
  const outgoing = new Map<ModdleElement, ModdleElement[]>();
  for (const flow of elements) {
    if (!is(flow, 'bpmn:SequenceFlow')) continue;
    const source = one(flow, 'sourceRef');
    const target = one(flow, 'targetRef');
    if (source) outgoing.set(source, [...(outgoing.get(source) ?? []), flow]);
    if (target) incoming.set(target, [...(incoming.get(target) ?? []), flow]);
  }

  return {
    parsed,
    sink,
    elements,
    incoming: (node) => incoming.get(node) ?? [],
    outgoing: (node) => outgoing.get(node) ?? [],
  };
}

/**
 * Rewrites every flow node's `incoming`/`outgoing` lists from the sequence flows, so bpmnlint
 * (which reads those lists) judges the graph the engine will run. Both properties are references,
 * which moddle keeps non-enumerable: the serialized model is unchanged.
 */
export function normalizeFlowNodeLinks(context: RuleContext): void {
  for (const element of context.elements) {
    if (!is(element, 'bpmn:FlowNode')) continue;
    for (const [property, flows] of [
      ['incoming', context.incoming(element)],
      ['outgoing', context.outgoing(element)],
    ] as const) {
      const collection = element.get(property);
      if (Array.isArray(collection)) collection.splice(0, collection.length, ...flows);
    }
  }
}

/** `bpmn:Process` elements at the top of the document. */
export function processesOf(context: RuleContext): ModdleElement[] {
  return list(context.parsed.definitions, 'rootElements').filter((element) => is(element, 'bpmn:Process'));
}
