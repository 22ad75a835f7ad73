import { typed, type IncidentInfo, type TimerJob } from '../../api/typed';
import { formatDate, h } from '../../dom';
import type { MessageArea } from '../../messages';
import { act, loadInto, table } from './async-section';

const instanceLink = (id: string | null) => (id ? h('a', { href: `#/instances/${encodeURIComponent(id)}` }, h('code', {}, id.slice(0, 8))) : '—');

/** Incidents (open or resolved, retry) and the pending and failed timer jobs. */
export function operationsPanel(messages: MessageArea): HTMLElement {
  const incidents = h('div', { 'data-testid': 'admin-incidents' });
  const timers = h('div', { 'data-testid': 'admin-timers' });
  const status = h(
    'select',
    { id: 'incident-status', 'data-testid': 'incident-status' },
    h('option', { value: 'open' }, 'open'),
    h('option', { value: 'resolved' }, 'resolved'),
  );
  status.addEventListener('change', () => void loadIncidents());

  const loadIncidents = () =>
    loadInto(
      incidents,
      () => typed.get('/api/incidents', { query: { status: status.value as 'open' | 'resolved' } }),
      (page) => table('admin-incidents-table', ['Raised', 'Type', 'Element', 'Instance', 'Message', 'Attempts', ''], page.items.map(incidentRow)),
      (page) => (page.items.length ? null : `No ${status.value} incident.`),
    );
  const loadTimers = () =>
    loadInto(
      timers,
      () => typed.get('/api/timers'),
      (page) => table('admin-timers-table', ['Kind', 'Process', 'Element', 'Due', 'Status', 'Attempts', 'Instance'], page.items.map(timerRow)),
      (page) => (page.items.length ? null : 'No pending timer.'),
    );

  function incidentRow(i: IncidentInfo): HTMLElement {
    const retry: HTMLButtonElement = h('button', { type: 'button', 'data-testid': 'incident-retry' }, 'Retry');
    retry.addEventListener('click', () =>
      void act(retry, async () => {
        await typed.post('/api/incidents/{id}/retry', { params: { id: i.id } });
        messages.show('success', `Incident on ${i.elementId ?? 'the timer'} resolved; its job is back in line.`);
        await Promise.all([loadIncidents(), loadTimers()]);
      }, (e) => messages.error(e)),
    );
    return h(
      'tr',
      { 'data-testid': 'admin-incident', 'data-id': i.id },
      h('td', {}, formatDate(i.createdAt)),
      h('td', {}, i.type),
      h('td', {}, i.elementId ? h('code', {}, i.elementId) : '—'),
      h('td', {}, instanceLink(i.instanceId)),
      h('td', { class: 'wrap' }, i.message),
      h('td', { class: 'num' }, i.attempts),
      h('td', { class: 'actions' }, i.status === 'open' ? retry : `resolved ${formatDate(i.resolvedAt)}${i.resolvedBy ? ` by ${i.resolvedBy}` : ''}`),
    );
  }

  function timerRow(t: TimerJob): HTMLElement {
    return h(
      'tr',
      { 'data-testid': 'admin-timer' },
      h('td', {}, t.kind),
      h('td', {}, h('code', {}, t.definitionKey)),
      h('td', {}, h('code', {}, t.elementId), t.spec ? h('div', { class: 'hint' }, t.spec) : null),
      h('td', {}, t.dueAt ? formatDate(t.dueAt) : 'paused'),
      h('td', {}, t.status, t.lastError ? h('div', { class: 'load-error' }, t.lastError) : null),
      h('td', { class: 'num' }, t.attempts),
      h('td', {}, instanceLink(t.instanceId)),
    );
  }

  void loadIncidents();
  void loadTimers();
  return h(
    'div',
    {},
    h(
      'section',
      { 'aria-labelledby': 'admin-incidents-title' },
      h('div', { class: 'toolbar' }, h('h2', { id: 'admin-incidents-title' }, 'Incidents'), h('label', { for: 'incident-status' }, 'Status'), status),
      incidents,
    ),
    h('section', { 'aria-labelledby': 'admin-timers-title' }, h('h2', { id: 'admin-timers-title' }, 'Timers'), timers),
  );
}
