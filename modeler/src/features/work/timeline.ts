import type { HistoryEvent } from './api';
import { formatDate, h, replace } from '../../dom';
import { eventLabel, valueText } from './ui';

/** Engine steps that say little to a person; shown only with "every event". */
const ROUTINE = new Set(['element.started', 'element.completed', 'element.waiting', 'flow.taken', 'flow.take', 'timer.scheduled', 'variables.changed']);

/** An element's name (or its id when it has none) in the diagram of the instance that ran it. */
export type NameOf = (elementId: string, instanceId: string) => string;

/**
 * A record's or instance's timeline, newest first: the events people care about (tasks, state
 * changes, SLA, calls, messages, incidents), or every event on request; submitted data is shown.
 */
export function timeline(events: HistoryEvent[], nameOf: NameOf = (id) => id): HTMLElement {
  const list = h('ol', { class: 'timeline', 'data-testid': 'timeline', 'aria-label': 'Timeline' });
  const all = h('input', { type: 'checkbox', id: `timeline-all-${Math.random().toString(36).slice(2)}`, 'data-testid': 'timeline-all' });
  const render = () => {
    const shown = events.filter((e) => all.checked || !ROUTINE.has(e.type)).slice().reverse();
    replace(list, ...(shown.length ? shown.map((e) => item(e, nameOf)) : [h('li', { class: 'empty', 'data-testid': 'empty' }, 'No events yet.')]));
  };
  all.addEventListener('change', render);
  render();
  return h('div', {}, h('p', { class: 'field' }, all, ' ', h('label', { for: all.id }, 'Show every engine step')), list);
}

function item(e: HistoryEvent, nameOf: NameOf): HTMLLIElement {
  const element = e.elementId ? nameOf(e.elementId, e.instanceId) : null;
  return h(
    'li',
    { 'data-testid': 'timeline-event', 'data-type': e.type },
    h('time', { datetime: e.occurredAt }, formatDate(e.occurredAt)),
    h('span', {}, h('strong', {}, eventLabel(e.type)), element ? ' · ' : '', element ? h('span', { class: 'element', 'data-testid': 'timeline-element', title: e.elementId ?? undefined }, element) : '', e.actor ? ` · by ${e.actor}` : ''),
    summary(e),
  );
}

/** The data an event carries that a reader wants: submitted variables, new state, link, reason. */
function summary(e: HistoryEvent): HTMLElement | null {
  const p = e.payload ?? {};
  const data = (p.variables && typeof p.variables === 'object' ? p.variables : null) as Record<string, unknown> | null;
  const parts: string[] = [];
  if (data) for (const [k, v] of Object.entries(data)) parts.push(`${k}: ${valueText(v)}`);
  for (const k of ['state', 'to', 'kind', 'reason', 'message', 'assignee', 'number']) if (typeof p[k] === 'string') parts.push(`${k}: ${p[k] as string}`);
  if (!parts.length) return null;
  const text = parts.join(' · ');
  return h('span', { class: 'data', title: text }, text.length > 300 ? `${text.slice(0, 300)}…` : text);
}
