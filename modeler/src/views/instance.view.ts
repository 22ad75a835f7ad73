import type Canvas from 'diagram-js/lib/core/Canvas';
import { api, type ChainVerdict, type HistoryEvent, type InstanceDetail } from '../api/client';
import { createViewer, executionMarkersOf } from '../bpmn/create-viewer';
import { details, formatDate, h, replace, type View } from '../dom';
import { MessageArea } from '../messages';

const COMPLETED_EVENTS = new Set(['element.completed', 'flow.taken']);

/** #/instances/:id: status, variables, open tasks, the diagram with progress, and the audit history. */
export function instanceView(instanceId: string): View {
  const messages = new MessageArea();
  const summary = h('div', { class: 'summary', 'data-testid': 'instance-summary' }, 'Loading…');
  const canvasEl = h('div', { class: 'canvas viewer', 'data-testid': 'instance-diagram' });
  const viewer = createViewer(canvasEl);
  const historyBody = h('tbody');
  const verifyResult = h('p', { class: 'verdict', 'data-testid': 'verify-result', role: 'status' });
  const verifyButton = h('button', { type: 'button', 'data-testid': 'verify-history', onclick: () => void verify() }, 'Verify history');
  let left = false;

  const el = h(
    'section',
    { class: 'view', 'aria-labelledby': 'instance-title' },
    h('div', { class: 'toolbar' }, h('h1', { id: 'instance-title' }, 'Process instance'), h('code', {}, instanceId)),
    messages.el,
    summary,
    h(
      'figure',
      { class: 'diagram' },
      canvasEl,
      h(
        'figcaption',
        { class: 'legend' },
        h('span', { class: 'swatch completed' }),
        'completed',
        h('span', { class: 'swatch active' }),
        'active',
      ),
    ),
    h(
      'section',
      { 'aria-labelledby': 'history-title' },
      h('div', { class: 'toolbar' }, h('h2', { id: 'history-title' }, 'History'), verifyButton, verifyResult),
      h(
        'table',
        { 'data-testid': 'history' },
        h('thead', {}, h('tr', {}, ...['#', 'Occurred', 'Type', 'Element', 'Actor'].map((c) => h('th', { scope: 'col' }, c)))),
        historyBody,
      ),
    ),
  );

  async function load(): Promise<void> {
    try {
      const [instance, history] = await Promise.all([api.instances.get(instanceId), api.instances.history(instanceId)]);
      if (left) return;
      renderSummary(instance);
      renderHistory(history);
      const xml = await api.definitions.xml(instance.definitionId);
      if (left) return;
      await viewer.importXML(xml);
      if (left) return;
      viewer.get<Canvas>('canvas').zoom('fit-viewport');
      // Completed elements, and the sequence flows taken between them.
      const completed = history.flatMap((e) => (COMPLETED_EVENTS.has(e.type) && e.elementId ? [e.elementId] : []));
      executionMarkersOf(viewer).mark({ completed, active: instance.activeElementIds });
      el.dataset.ready = 'true';
    } catch (error) {
      if (!left) messages.error(error);
    }
  }

  function renderSummary(i: InstanceDetail): void {
    replace(
      summary,
      details({}, [
        ['Status', h('span', { class: `status ${i.status}`, 'data-testid': 'instance-status' }, i.status)],
        ['Process', `${i.definitionKey} version ${i.definitionVersion}`],
        ['Business key', i.businessKey ?? '—'],
        ['Started', `${formatDate(i.startedAt)}${i.startedBy ? ` by ${i.startedBy}` : ''}`],
        ['Ended', i.endedAt ? `${formatDate(i.endedAt)}${i.endReason ? ` (${i.endReason})` : ''}` : '—'],
        ['Waiting in', i.activeElementIds.join(', ') || '—'],
      ]),
      h('h2', {}, 'Variables'),
      h('pre', { 'data-testid': 'instance-variables' }, JSON.stringify(i.variables, null, 2)),
      h('h2', {}, 'Open tasks'),
      i.openTasks.length
        ? h(
            'ul',
            { 'data-testid': 'open-tasks' },
            ...i.openTasks.map((t) => h('li', {}, `${t.name ?? t.elementId} (${t.elementId}) — ${t.assignee ?? 'unassigned'} `, h('a', { href: '#/tasks' }, 'task list'))),
          )
        : h('p', { 'data-testid': 'open-tasks' }, 'None.'),
    );
  }

  function renderHistory(events: HistoryEvent[]): void {
    replace(
      historyBody,
      ...events.map((e) =>
        h(
          'tr',
          { 'data-testid': 'history-event', 'data-seq': e.seq },
          h('td', { class: 'num' }, e.seq),
          h('td', {}, formatDate(e.occurredAt)),
          h('td', {}, e.type),
          h('td', {}, e.elementId ?? ''),
          h('td', {}, e.actor ?? ''),
        ),
      ),
    );
  }

  async function verify(): Promise<void> {
    verifyButton.disabled = true;
    try {
      const verdict = await api.instances.verifyHistory(instanceId);
      if (!left) showVerdict(verdict);
    } catch (error) {
      if (!left) messages.error(error);
    } finally {
      verifyButton.disabled = false;
    }
  }

  function showVerdict(v: ChainVerdict): void {
    verifyResult.dataset.valid = String(v.valid);
    verifyResult.className = `verdict ${v.valid ? 'valid' : 'invalid'}`;
    verifyResult.textContent = v.valid
      ? `valid: ${v.checked} event(s) chained correctly`
      : `invalid at seq ${v.firstInvalid?.seq ?? '?'}: ${v.firstInvalid?.reason ?? 'unknown reason'}`;
  }

  void load();
  return {
    el,
    destroy() {
      left = true;
      viewer.destroy();
    },
  };
}
