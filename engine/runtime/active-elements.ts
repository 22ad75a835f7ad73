/* eslint-disable @typescript-eslint/no-explicit-any -- bpmn-engine's typings are loose; this file is an adapter over them. */
import type { Engine } from 'bpmn-engine';

/**
 * True for an intermediate link catch event. bpmn-elements starts every link catch with its
 * process (it has no incoming flow) and lets it wait for its throw; reached, it completes at once.
 * A waiting one is therefore never a token: it is not active and its start is not history.
 */
export function isLinkCatch(api: any): boolean {
  if ((api?.owner?.type ?? api?.type) !== 'bpmn:IntermediateCatchEvent') return false;
  const definitions: any[] = api.owner?.behaviour?.eventDefinitions ?? [];
  return definitions.some((d) => d?.type === 'bpmn:LinkEventDefinition');
}

/**
 * Element ids holding a token, in every scope: waiting activities (user tasks, timers, catch
 * events, running sub-processes and what waits inside them), and gateways where an arrived token
 * waits for the others (a parallel or inclusive join). Unreached link catch events are left out.
 */
export function activeElementIds(engine: Engine): string[] {
  const ids = new Set<string>();
  const joins = new Set<string>();
  const seen = new Set<string>();
  const visit = (list: any[]) => {
    for (const a of list) {
      if (a?.content?.isSequenceFlow) {
        // A taken flow stays postponed until its target consumes the token: a join waiting for the others.
        const taken = a.fields?.routingKey === 'flow.take' || a.content.action === 'take';
        if (taken && a.content.targetId) joins.add(String(a.content.targetId));
        continue;
      }
      if (!a?.executionId || isLinkCatch(a) || seen.has(a.executionId)) continue;
      seen.add(a.executionId);
      ids.add(String(a.id));
      // A multi-instance activity lists its iterations under its own execution (scopes.ts flattenPostponed).
      const iterations = !!a.owner?.behaviour?.loopCharacteristics && a.owner?.execution?.executionId === a.executionId;
      const inner = iterations ? (a.owner?.execution?.getPostponed?.() ?? []) : a.owner?.isSubProcess ? (a.getPostponed?.() ?? []) : [];
      visit((inner as any[]).filter((i) => i.executionId !== a.executionId));
    }
  };
  visit((engine.execution?.getPostponed() ?? []) as any[]);
  for (const id of joins) ids.add(id);
  return [...ids];
}
