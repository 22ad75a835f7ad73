import type Modeler from 'bpmn-js/lib/Modeler';

import { resolveOwnQNameReferences } from './qname-references';

type ImportResult = Awaited<ReturnType<Modeler['importXML']>>;

/** True when the document has flow elements but no shape of any diagram (BPMN DI) to draw them with. */
export function lacksLayout(xml: string): boolean {
  return /<([\w.-]+:)?process\b/.test(xml) && !/<([\w.-]+:)?BPMNShape\b/.test(xml);
}

const laidOut = new WeakMap<Modeler, boolean>();

interface Element {
  $type: string;
  get(name: string): unknown;
}
interface Moddle {
  fromXML(xml: string, type?: string): Promise<{ rootElement: Element }>;
  toXML(element: Element): Promise<{ xml: string }>;
}

function children(element: Element, name: string): Element[] {
  const value = element.get(name);
  return Array.isArray(value) ? (value as Element[]) : [];
}

/**
 * bpmn-auto-layout follows each node's `incoming`/`outgoing`, which BPMN makes optional (a flow's
 * sourceRef and targetRef say it all). Without them every node lands in one column with no edges,
 * so they are filled in from the sequence flows first.
 */
async function withFlowNodeLinks(modeler: Modeler, xml: string): Promise<string> {
  const moddle = modeler.get<Moddle>('moddle');
  const { rootElement: definitions } = await moddle.fromXML(xml, 'bpmn:Definitions');
  const visit = (container: Element): void => {
    for (const element of children(container, 'flowElements')) {
      if (element.$type === 'bpmn:SequenceFlow') {
        const source = element.get('sourceRef') as Element | undefined;
        const target = element.get('targetRef') as Element | undefined;
        const outgoing = source && children(source, 'outgoing');
        if (outgoing && !outgoing.includes(element)) outgoing.push(element);
        const incoming = target && children(target, 'incoming');
        if (incoming && !incoming.includes(element)) incoming.push(element);
      } else if (children(element, 'flowElements').length) visit(element);
    }
  };
  for (const root of children(definitions, 'rootElements')) if (root.$type === 'bpmn:Process') visit(root);
  return (await moddle.toXML(definitions)).xml;
}

/** Whether the last import of this modeler was laid out by bpmn-auto-layout. */
export function wasLaidOut(modeler: Modeler): boolean {
  return laidOut.get(modeler) ?? false;
}

/**
 * Makes `modeler.importXML` lay out a document without diagram layout (bpmn-auto-layout) instead of
 * showing a blank canvas (and resolve references written as QNames into the document first); documents with layout import unchanged. The layout becomes part of the
 * diagram (it is saved and deployed with it). When the layout itself fails, the document is
 * imported as it is and the failure is added to the import warnings.
 */
export function enableAutoLayout(modeler: Modeler): void {
  const importXML = modeler.importXML.bind(modeler);
  modeler.importXML = async (original: string, bpmnDiagram?: unknown): Promise<ImportResult> => {
    laidOut.set(modeler, false);
    const xml = resolveOwnQNameReferences(original);
    if (!lacksLayout(xml)) return importXML(xml, bpmnDiagram as never);
    let layouted: string;
    try {
      const { layoutProcess } = await import('bpmn-auto-layout');
      layouted = await layoutProcess(await withFlowNodeLinks(modeler, xml));
    } catch (error) {
      const result = await importXML(xml, bpmnDiagram as never);
      return { ...result, warnings: [...result.warnings, new Error(`the diagram has no layout and could not be laid out: ${(error as Error).message}`)] } as ImportResult;
    }
    const result = await importXML(layouted);
    laidOut.set(modeler, true);
    modeler.get<{ fire(event: string, data: unknown): void }>('eventBus').fire('itsm.autoLayout.done', {});
    return result;
  };
}
