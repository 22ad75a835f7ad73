import type { EventEmitter } from 'node:events';

/* eslint-disable @typescript-eslint/no-explicit-any -- bpmn-elements APIs and serialized context are untyped. */

const TRIGGERS = new Set(['bpmn:ErrorEventDefinition', 'bpmn:EscalationEventDefinition']);

interface InterruptingStart {
  subProcessId: string;
  scopeId: string;
}

const cache = new WeakMap<object, Map<string, InterruptingStart>>();

/** Interrupting error and escalation start events of event sub-processes, by start event id. */
function interruptingStarts(sourceContext: unknown): Map<string, InterruptingStart> {
  const key = sourceContext as object;
  let found = cache.get(key);
  if (found) return found;
  found = new Map();
  const activities: any[] = (sourceContext as any).getActivities();
  const byId = new Map(activities.map((a) => [a.id, a]));
  for (const a of activities) {
    const container = byId.get(a.parent?.id);
    if (a.type !== 'bpmn:StartEvent' || container?.type !== 'bpmn:SubProcess' || !container.behaviour?.triggeredByEvent) continue;
    if (a.behaviour?.isInterrupting === false) continue;
    if (!(a.behaviour?.eventDefinitions ?? []).some((d: any) => TRIGGERS.has(d.type))) continue;
    found.set(a.id, { subProcessId: container.id, scopeId: container.parent?.id });
  }
  cache.set(key, found);
  return found;
}

/**
 * An error event sub-process, and an escalation one whose start is interrupting, cancels every
 * other token of the scope that holds it (BPMN 2.0 §10.3.5). bpmn-elements starts the event
 * sub-process but leaves the rest of the scope running. When such a start event catches, the
 * other running activities of its scope are discarded (and `onCancelled` records them).
 */
export function interruptOnEventSubProcess(listener: EventEmitter, engine: () => any, sourceContext: unknown, onCancelled: (api: any) => void): void {
  const starts = interruptingStarts(sourceContext);
  if (!starts.size) return;
  listener.on('activity.catch', (api: any) => {
    const start = starts.get(String(api?.id));
    if (!start) return;
    const scope = scopeApi(engine(), start.scopeId);
    if (!scope) return;
    const others = ((scope.getPostponed?.() ?? []) as any[]).filter(
      (a) => a?.executionId && !a.content?.isSequenceFlow && a.id !== start.subProcessId && a.id !== start.scopeId,
    );
    for (const other of others) onCancelled(other);
    for (const other of others) other.discard();
  });
}

function scopeApi(engine: any, scopeId: string): any {
  const process = ((engine?.execution?.definitions ?? [])[0] as any)?.getProcesses?.()[0];
  if (!process) return null;
  if (process.id === scopeId) return process;
  const queue: any[] = [...((process.getPostponed?.() ?? []) as any[])];
  while (queue.length) {
    const api = queue.shift();
    if (!api?.executionId || api.content?.isSequenceFlow) continue;
    if (api.id === scopeId && api.owner?.isSubProcess) return api;
    if (api.owner?.isSubProcess) queue.push(...((api.getPostponed?.() ?? []) as any[]).filter((inner: any) => inner.executionId !== api.executionId));
  }
  return null;
}
