/** Small pieces the work pages share: due dates with time left, SLA and priority badges, list states. */
import { formatDate, h } from '../../dom';
import type { SlaStatus, TaskView } from './api';
import './work.css';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "2 d 3 h", "45 min", "< 1 min": a duration for people. */
export function duration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < MINUTE) return '< 1 min';
  if (abs < HOUR) return `${Math.floor(abs / MINUTE)} min`;
  if (abs < DAY) {
    const hours = Math.floor(abs / HOUR);
    const minutes = Math.floor((abs % HOUR) / MINUTE);
    return minutes ? `${hours} h ${minutes} min` : `${hours} h`;
  }
  const days = Math.floor(abs / DAY);
  const hours = Math.floor((abs % DAY) / HOUR);
  return hours ? `${days} d ${hours} h` : `${days} d`;
}

/** "in 2 h" or "3 h overdue". */
export function timeLeft(iso: string, now = Date.now()): { text: string; overdue: boolean } {
  const ms = new Date(iso).getTime() - now;
  return ms >= 0 ? { text: `${duration(ms)} left`, overdue: false } : { text: `${duration(ms)} overdue`, overdue: true };
}

/** What a task is due by: its own due date, else its record's nearest running SLA target. */
export function dueOf(task: TaskView): { at: string; source: 'task' | 'sla' } | null {
  if (task.dueAt) return { at: task.dueAt, source: 'task' };
  if (task.record?.sla.dueAt) return { at: task.record.sla.dueAt, source: 'sla' };
  return null;
}

/** The due date with the time left, marked when overdue. */
export function dueBadge(due: { at: string; source: 'task' | 'sla' } | null, now = Date.now()): HTMLElement {
  if (!due) return h('span', { class: 'due none', 'data-testid': 'due' }, 'no due date');
  const left = timeLeft(due.at, now);
  return h(
    'span',
    { class: `due${left.overdue ? ' overdue' : ''}`, 'data-testid': 'due', 'data-due-at': due.at, 'data-overdue': String(left.overdue), title: due.source === 'sla' ? 'SLA target of the record' : 'due date of the task' },
    h('time', { datetime: due.at }, formatDate(due.at)),
    ' · ',
    h('strong', {}, left.overdue ? `Overdue ${left.text.replace(' overdue', '')}` : left.text),
    due.source === 'sla' ? ' (SLA)' : '',
  );
}

const SLA_LABEL: Record<string, string> = { breached: 'SLA breached', 'at risk': 'SLA at risk', 'on track': 'SLA on track', paused: 'SLA paused' };

export function slaBadge(status: SlaStatus): HTMLElement | null {
  if (!status) return null;
  return h('span', { class: `badge sla-${status.replace(' ', '-')}`, 'data-testid': 'sla-status', 'data-sla': status }, SLA_LABEL[status] ?? status);
}

/** The record's priority (P1…) when there is one, else the task's number (0-100, 50 by default). */
export function priorityBadge(task: Pick<TaskView, 'priority' | 'record'>): HTMLElement {
  const label = task.record?.priority ?? (task.priority >= 75 ? 'high' : task.priority <= 25 ? 'low' : 'normal');
  const level = /^P[12]$/.test(label) || label === 'high' ? 'high' : /^P[45]$/.test(label) || label === 'low' ? 'low' : 'normal';
  return h('span', { class: `badge priority-${level}`, 'data-testid': 'priority', title: `task priority ${task.priority}` }, `Priority ${label}`);
}

export function statusBadge(status: string): HTMLElement {
  return h('span', { class: `status ${status}`, 'data-testid': 'status' }, status);
}

/** A list item saying the list is loading (aria-busy is set on the list meanwhile). */
export function loadingItem(tag: 'li' | 'tr', text: string, colspan = 1): HTMLElement {
  return tag === 'li' ? h('li', { class: 'loading', 'data-testid': 'loading' }, text) : h('tr', {}, h('td', { colspan, class: 'loading', 'data-testid': 'loading' }, text));
}

export function emptyItem(tag: 'li' | 'tr', text: string, colspan = 1): HTMLElement {
  return tag === 'li' ? h('li', { class: 'empty', 'data-testid': 'empty' }, text) : h('tr', {}, h('td', { colspan, class: 'empty', 'data-testid': 'empty' }, text));
}

/** A history event type for people: `task.completed` → "task completed". */
export function eventLabel(type: string): string {
  return type.replace(/[._]/g, ' ');
}

/** A value of a record field or variable, as text. */
export function valueText(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** Keys a record page already shows in its own rows (or that only machines read). */
const SHOWN_ELSEWHERE = new Set(['title', 'priority', 'recordNumber', 'sla', 'slaTargets']);

/** A record's fields split into simple values (for a description list) and structured data (for a collapsed block). */
export function splitFields(fields: Record<string, unknown>): { simple: [string, string][]; structured: Record<string, unknown> } {
  const simple: [string, string][] = [];
  const structured: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value !== null && typeof value === 'object') structured[key] = value;
    else if (!SHOWN_ELSEWHERE.has(key)) simple.push([key, valueText(value)]);
  }
  return { simple, structured };
}

/** yyyy-mm-dd of a date input → ISO start of that day (local time); the day after for "to" bounds. */
export function dayBound(value: string, end = false): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const [y, m, d] = value.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, d + (end ? 1 : 0)).toISOString();
}
