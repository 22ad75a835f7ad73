import type { ModdleContext, ModdleElement } from './model';

/* eslint-disable @typescript-eslint/no-explicit-any -- raw moddle properties, read without get() (see serializeModel). */

/**
 * Sequence flows without an id are valid BPMN (the attribute is optional on a
 * `tSequenceFlow`... in practice some tools omit it), but bpmn-engine addresses flows by id. Before
 * the model is serialized, each gets a stable id derived from its ends,
 * `SequenceFlow_<source>_<target>` (with `_2`, `_3`... when taken), so every deploy of the same
 * XML produces the same ids and history shows them in `flow.taken` events.
 *
 * Reads raw properties only (never `get()`, which would materialize empty collections that change
 * how bpmn-elements runs events; see serializeModel).
 */
export function assignMissingFlowIds(context: ModdleContext, definitions: ModdleElement): void {
  const byId = (context as any).elementsById as Record<string, unknown> | undefined;
  const taken = new Set(Object.keys(byId ?? {}));
  const visit = (container: any) => {
    for (const element of (container?.flowElements ?? []) as any[]) {
      if (element?.$type === 'bpmn:SequenceFlow' && !element.id) {
        const base = `SequenceFlow_${element.sourceRef?.id ?? 'unknown'}_${element.targetRef?.id ?? 'unknown'}`;
        let id = base;
        for (let n = 2; taken.has(id); n++) id = `${base}_${n}`;
        taken.add(id);
        element.id = id;
        if (byId) byId[id] = element;
      }
      if (element?.flowElements) visit(element);
    }
  };
  for (const root of ((definitions as any).rootElements ?? []) as any[]) visit(root);
}
