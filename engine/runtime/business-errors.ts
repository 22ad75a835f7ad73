/* eslint-disable @typescript-eslint/no-explicit-any -- bpmn-elements' serialized context and activities are untyped. */

/**
 * Who catches a BPMN error with a given code raised at an element, decided from the model the way
 * BPMN 2.0 (§10.5.6, "error" propagation) and Camunda do: the error boundary events on the
 * element, then the error event sub-processes of the scope that holds it, then the boundary events
 * on that scope (a sub-process), and so on up to the process. At each level an error with the
 * same `errorCode` wins over a catch-all (no `errorRef`).
 *
 * bpmn-elements gets part of this by itself (a service callback error reaches an error boundary on
 * the task) but not the rest: a service failure never reaches an error event sub-process, and a
 * catch-all event sub-process only catches anonymous errors (ENGINE_NOTES §1). The service wrapper
 * (extensions.ts) uses this to route a handler's `BpmnBusinessError`.
 */
export type ErrorCatcher =
  | { kind: 'boundary'; elementId: string; attachedTo: string; errorId: string | undefined }
  | { kind: 'event-subprocess'; elementId: string; subProcessId: string; errorId: string | undefined }
  | { kind: 'uncaught' };

interface ModelIndex {
  parentOf: Map<string, string | undefined>;
  processIds: Set<string>;
  boundaries: Map<string, any[]>;
  /** Error start events of event sub-processes, by the scope (process or sub-process) holding them. */
  eventStarts: Map<string, { start: any; subProcessId: string }[]>;
  errorCodes: Map<string, string | undefined>;
}

const indexes = new WeakMap<object, ModelIndex>();

function indexOf(sourceContext: unknown): ModelIndex {
  const key = sourceContext as object;
  let index = indexes.get(key);
  if (index) return index;
  const activities: any[] = (sourceContext as any).getActivities();
  index = { parentOf: new Map(), processIds: new Set(), boundaries: new Map(), eventStarts: new Map(), errorCodes: new Map() };
  const byId = new Map(activities.map((a) => [a.id, a]));
  for (const a of activities) {
    if (a.type === 'bpmn:Error') {
      index.errorCodes.set(a.id, a.behaviour?.errorCode ?? undefined);
      continue;
    }
    if (a.parent?.type === 'bpmn:Process') index.processIds.add(a.parent.id);
    index.parentOf.set(a.id, a.parent?.id);
    if (a.type === 'bpmn:BoundaryEvent' && a.behaviour?.attachedTo?.id) push(index.boundaries, a.behaviour.attachedTo.id, a);
    const container = byId.get(a.parent?.id);
    if (a.type === 'bpmn:StartEvent' && container?.type === 'bpmn:SubProcess' && container.behaviour?.triggeredByEvent) {
      push(index.eventStarts, container.parent?.id, { start: a, subProcessId: container.id });
    }
  }
  indexes.set(key, index);
  return index;
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The error definition of `event` that catches `code`: the errorRef id (undefined for a catch-all), or null. */
function catches(event: any, code: string, index: ModelIndex): { errorId: string | undefined; specific: boolean } | null {
  let best: { errorId: string | undefined; specific: boolean } | null = null;
  for (const definition of event.behaviour?.eventDefinitions ?? []) {
    if (definition.type !== 'bpmn:ErrorEventDefinition') continue;
    const ref: string | undefined = definition.behaviour?.errorRef?.id;
    if (!ref) best ??= { errorId: undefined, specific: false };
    else if (index.errorCodes.get(ref) === code) return { errorId: ref, specific: true };
  }
  return best;
}

function pick<T>(candidates: { item: T; match: { errorId: string | undefined; specific: boolean } | null }[]): { item: T; errorId: string | undefined } | null {
  const matched = candidates.filter((c) => c.match);
  const winner = matched.find((c) => c.match!.specific) ?? matched[0];
  return winner ? { item: winner.item, errorId: winner.match!.errorId } : null;
}

export function findErrorCatcher(sourceContext: unknown, elementId: string, code: string): ErrorCatcher {
  const index = indexOf(sourceContext);
  let node: string | undefined = elementId;
  while (node) {
    const boundary = pick((index.boundaries.get(node) ?? []).map((b) => ({ item: b, match: catches(b, code, index) })));
    if (boundary) return { kind: 'boundary', elementId: boundary.item.id, attachedTo: node, errorId: boundary.errorId };
    const scope = index.parentOf.get(node);
    if (!scope) break;
    const start = pick((index.eventStarts.get(scope) ?? []).map((s) => ({ item: s, match: catches(s.start, code, index) })));
    if (start) return { kind: 'event-subprocess', elementId: start.item.start.id, subProcessId: start.item.subProcessId, errorId: start.errorId };
    if (index.processIds.has(scope)) break;
    node = scope;
  }
  return { kind: 'uncaught' };
}
