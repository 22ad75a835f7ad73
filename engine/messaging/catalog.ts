/**
 * What a deployed definition says about messages and signals, read once per parsed definition
 * from bpmn-elements' source context: the catch activities (intermediate catch events, receive
 * tasks, boundary events, start events of the process and of its event sub-processes), the
 * throwing ones (intermediate throw and end events, send tasks with a messageRef), and each
 * message's name and correlation key expression (`itsm:correlationKey` on the `bpmn:Message`, or
 * Camunda 8's `<zeebe:subscription correlationKey="=..."/>` in its extension elements).
 */
export type EventKind = 'message' | 'signal';

export interface EventReference {
  kind: EventKind;
  /** The `bpmn:Message` / `bpmn:Signal` id. */
  refId: string;
  /** What senders name: the message's or signal's `name`, else its id. */
  name: string;
  /** The correlation key expression (messages only), or null. */
  correlationKey: string | null;
}

export interface CatchElement extends EventReference {
  elementId: string;
  elementType: string;
  /** Set on boundary events. */
  boundary?: { attachedTo: string; interrupting: boolean };
  /** Set on start events of event sub-processes directly in the process. */
  eventSubProcess?: { subProcessId: string; interrupting: boolean };
  /** A start event of the process itself (definition-level subscription). */
  processStart: boolean;
}

export interface ThrowElement extends EventReference {
  elementId: string;
  elementType: string;
}

export interface MessagingCatalog {
  catches: ReadonlyMap<string, CatchElement>;
  throws: ReadonlyMap<string, ThrowElement>;
  processStarts: readonly CatchElement[];
  eventStarts: readonly CatchElement[];
  /** True when the process also has start events that are not message or signal starts. */
  hasOtherStarts: boolean;
  /** False when the definition neither catches nor throws messages or signals (nothing to sync). */
  any: boolean;
}

interface ContextElement {
  id: string;
  type: string;
  name?: string;
  parent?: { id?: string; type?: string };
  behaviour?: Record<string, unknown> & {
    eventDefinitions?: { type: string; behaviour?: Record<string, unknown> }[];
    messageRef?: { id?: string };
    attachedTo?: { id?: string };
    cancelActivity?: boolean;
    isInterrupting?: boolean;
    triggeredByEvent?: boolean;
    name?: string;
    correlationKey?: string;
    extensionElements?: { values?: { $type?: string; correlationKey?: string }[] };
  };
}

const cache = new WeakMap<object, MessagingCatalog>();

const CATCH_TYPES = new Set(['bpmn:IntermediateCatchEvent', 'bpmn:BoundaryEvent', 'bpmn:StartEvent', 'bpmn:ReceiveTask']);
const THROW_TYPES = new Set(['bpmn:IntermediateThrowEvent', 'bpmn:EndEvent', 'bpmn:SendTask']);

export function messagingCatalog(sourceContext: unknown): MessagingCatalog {
  const key = sourceContext as object;
  const cached = cache.get(key);
  if (cached) return cached;
  const activities = (sourceContext as { getActivities(): ContextElement[] }).getActivities();
  const byId = new Map(activities.map((a) => [a.id, a]));
  const reference = (kind: EventKind, refId: string | undefined): EventReference | null => {
    if (!refId) return null;
    const element = byId.get(refId)?.behaviour;
    const zeebe = element?.extensionElements?.values?.find((v) => v.$type === 'zeebe:Subscription')?.correlationKey;
    const correlationKey = kind === 'message' ? (element?.correlationKey ?? zeebe ?? null) : null;
    return { kind, refId, name: String(element?.name ?? refId), correlationKey: correlationKey && correlationKey.trim() ? correlationKey.trim() : null };
  };
  const referenceOf = (a: ContextElement): EventReference | null => {
    if (a.type === 'bpmn:ReceiveTask' || a.type === 'bpmn:SendTask') return reference('message', a.behaviour?.messageRef?.id);
    for (const d of a.behaviour?.eventDefinitions ?? []) {
      if (d.type === 'bpmn:MessageEventDefinition') return reference('message', (d.behaviour?.messageRef as { id?: string } | undefined)?.id);
      if (d.type === 'bpmn:SignalEventDefinition') return reference('signal', (d.behaviour?.signalRef as { id?: string } | undefined)?.id);
    }
    return null;
  };
  const catches = new Map<string, CatchElement>();
  const throws = new Map<string, ThrowElement>();
  for (const a of activities) {
    if (CATCH_TYPES.has(a.type)) {
      const ref = referenceOf(a);
      if (!ref) continue;
      const entry: CatchElement = { ...ref, elementId: a.id, elementType: a.type, processStart: false };
      if (a.type === 'bpmn:BoundaryEvent') {
        entry.boundary = { attachedTo: String(a.behaviour?.attachedTo?.id ?? ''), interrupting: a.behaviour?.cancelActivity !== false };
      } else if (a.type === 'bpmn:StartEvent') {
        const parent = a.parent?.id ? byId.get(a.parent.id) : undefined;
        if (a.parent?.type === 'bpmn:Process') entry.processStart = true;
        else if (parent?.type === 'bpmn:SubProcess' && parent.behaviour?.triggeredByEvent && parent.parent?.type === 'bpmn:Process') {
          entry.eventSubProcess = { subProcessId: parent.id, interrupting: a.behaviour?.isInterrupting !== false };
        } else continue; // nested event sub-processes are refused at deploy
      }
      catches.set(a.id, entry);
    } else if (THROW_TYPES.has(a.type)) {
      const ref = referenceOf(a);
      if (ref) throws.set(a.id, { ...ref, elementId: a.id, elementType: a.type });
    }
  }
  const all = [...catches.values()];
  const catalog: MessagingCatalog = {
    catches,
    throws,
    processStarts: all.filter((c) => c.processStart),
    eventStarts: all.filter((c) => c.eventSubProcess),
    hasOtherStarts: activities.some((a) => a.type === 'bpmn:StartEvent' && a.parent?.type === 'bpmn:Process' && !catches.has(a.id)),
    any: catches.size > 0 || throws.size > 0,
  };
  cache.set(key, catalog);
  return catalog;
}
