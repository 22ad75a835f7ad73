import type { HistoryEvent } from '../../api/typed';

/** What a history event type means, in words. */
const LABELS: Record<string, string> = {
  'instance.started': 'Instance started',
  'instance.ended': 'Instance ended',
  'instance.cancelled': 'Instance cancelled',
  'instance.failed': 'Instance failed',
  'element.started': 'Started',
  'element.waiting': 'Waiting',
  'element.completed': 'Completed',
  'element.cancelled': 'Cancelled',
  'element.failed': 'Failed',
  'flow.taken': 'Flow taken',
  'task.created': 'Task created',
  'task.claimed': 'Task claimed',
  'task.unclaimed': 'Task returned',
  'task.assigned': 'Task assigned',
  'task.completed': 'Task completed',
  'task.cancelled': 'Task cancelled',
  'timer.scheduled': 'Timer scheduled',
  'timer.fired': 'Timer fired',
  'timer.cancelled': 'Timer cancelled',
  'variables.changed': 'Variables committed',
  'decision.evaluated': 'Decision evaluated',
  'call.started': 'Called process started',
  'call.completed': 'Called process completed',
  'call.error': 'Called process failed',
  'call.cancelled': 'Called process cancelled',
  'sla.paused': 'SLA clock paused',
  'sla.resumed': 'SLA clock resumed',
  'record.created': 'Record created',
  'record.state.changed': 'Record state changed',
  'record.linked': 'Record linked',
  'message.sent': 'Message sent',
  'message.received': 'Message received',
  'signal.thrown': 'Signal thrown',
  'signal.received': 'Signal received',
  'subscription.opened': 'Waiting for a message',
  'subscription.closed': 'No longer waiting',
  'timer.rearmed': 'Timer re-armed',
  'incident.created': 'Incident raised',
  'incident.resolved': 'Incident resolved',
};

export function eventLabel(type: string): string {
  return LABELS[type] ?? type;
}

/** Looks an element's name up on the diagram (null when it has none or is not there). */
export type NameOf = (elementId: string) => string | null;

/**
 * The element's name for an event: the evaluated task name the history recorded (e.g.
 * "Review 2"), else the diagram's name, else the id.
 */
export function elementLabel(event: HistoryEvent, nameOf: NameOf): string {
  if (!event.elementId) return '';
  const recorded = event.payload && typeof event.payload.name === 'string' ? event.payload.name : null;
  return recorded || nameOf(event.elementId) || event.elementId;
}

/** The data an event carries that an auditor wants to read (submitted values first), or null. */
export function eventData(event: HistoryEvent): { label: string; data: unknown } | null {
  const payload = event.payload;
  if (!payload) return null;
  switch (event.type) {
    case 'task.completed':
      return { label: 'Submitted', data: payload.variables ?? {} };
    case 'instance.started':
      return { label: 'Start variables', data: payload.variables ?? {} };
    case 'variables.changed':
      return { label: 'Changes', data: payload.changes ?? {} };
    case 'flow.taken':
      return null;
    default:
      return Object.keys(payload).length ? { label: 'Details', data: payload } : null;
  }
}

/** Sequence flows taken and elements completed up to and including step `index`. */
export function visitedUpTo(events: readonly HistoryEvent[], index: number): string[] {
  const visited: string[] = [];
  for (let i = 0; i <= index && i < events.length; i++) {
    const e = events[i]!;
    if (e.elementId && (e.type === 'element.completed' || e.type === 'flow.taken')) visited.push(e.elementId);
  }
  return visited;
}

/** A short text for a variable value in a table cell. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value, null, value && typeof value === 'object' ? 2 : undefined) ?? 'undefined';
}
