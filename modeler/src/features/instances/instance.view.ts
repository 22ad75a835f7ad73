import type { HistoryEvent } from '../work/api';
import { details, formatDate, h, replace, type View } from '../../dom';
import { MessageArea } from '../../messages';
import { work, type InstanceFull } from '../work/api';
import { createDiagram } from '../work/diagram';
import { statusBadge } from '../work/ui';

const COMPLETED_EVENTS = new Set(['element.completed', 'flow.taken']);

/**
 * #/instances/:id: status, record, parent and child instances (call activities), open tasks,
 * variables, the diagram with its progress, and the hash-chained history with its verification;
 * finished instances link to their replay.
 */
export function instanceView(instanceId: string): View {
  const messages = new MessageArea();
  const head = h('div', { class: 'work-head' }, h('h1', { id: 'instance-title' }, 'Process instance'));
  const summary = h('div', { class: 'work-grid', 'data-testid': 'instance-summary' }, h('p', { class: 'loading' }, 'Loading the instance…'));
  const canvas = h('div', { class: 'canvas viewer', 'data-testid': 'instance-diagram', 'aria-label': 'Process diagram' });
  const diagram = createDiagram(canvas);
  const historyBody = h('tbody', {}, h('tr', {}, h('td', { colspan: 6, class: 'loading' }, 'Loading the history…')));
  const verifyResult = h('p', { class: 'verdict', 'data-testid': 'verify-result', role: 'status' });
  const verifyButton = h('button', { type: 'button', 'data-testid': 'verify-history', onclick: () => void verify() }, 'Verify history');
  let left = false;

  const el = h('section', { class: 'view', 'aria-labelledby': 'instance-title' },
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/instances' }, '← Process instances')),
    head, messages.el, summary,
    h('figure', { class: 'diagram' }, canvas, h('figcaption', { class: 'legend' }, h('span', { class: 'swatch completed' }), 'completed', h('span', { class: 'swatch active' }), 'active')),
    h('section', { 'aria-labelledby': 'history-title' },
      h('div', { class: 'toolbar' }, h('h2', { id: 'history-title' }, 'History'), verifyButton, verifyResult),
      h('div', { class: 'table-wrap' }, h('table', { 'data-testid': 'history' },
        h('thead', {}, h('tr', {}, ...['#', 'Occurred', 'Type', 'Element', 'Actor', 'Data'].map((c) => h('th', { scope: 'col' }, c)))),
        historyBody))));

  async function load(): Promise<void> {
    try {
      const [instance, history] = await Promise.all([work.instance(instanceId), work.history(instanceId)]);
      if (left) return;
      renderSummary(instance);
      const xml = await work.definitionXml(instance.definitionId);
      if (left) return;
      const completed = history.flatMap((e) => (COMPLETED_EVENTS.has(e.type) && e.elementId ? [e.elementId] : []));
      await diagram.show(xml, { completed, active: instance.activeElementIds });
      if (left) return;
      renderHistory(history);
      el.dataset.ready = 'true';
    } catch (error) {
      if (left) return;
      replace(summary, h('p', { class: 'load-error' }, 'The instance could not be loaded.'));
      replace(historyBody);
      messages.error(error);
    }
  }

  function renderSummary(i: InstanceFull): void {
    document.title = `${i.definitionKey} instance · ITSM Orchestrator`;
    const finished = i.status !== 'running';
    replace(head,
      h('h1', { id: 'instance-title' }, `${i.definitionKey} v${i.definitionVersion}`, i.recordNumber ? ` · ${i.recordNumber}` : ''),
      h('span', { class: `status ${i.status}`, 'data-testid': 'instance-status' }, i.status),
      finished ? h('a', { href: `#/instances/${i.id}/replay`, class: 'button', 'data-testid': 'replay-link' }, 'Replay') : null);
    replace(
      summary,
      h('div', {},
        details({ class: 'panel' }, [
          ['Instance', h('code', {}, i.id)],
          ['Record', i.recordNumber ? h('a', { href: `#/records/${i.recordNumber}`, 'data-testid': 'instance-record-link' }, `${i.recordNumber} · ${i.recordTitle ?? 'untitled'}`) : '—'],
          ['Business key', i.businessKey ?? '—'],
          ['Started', `${formatDate(i.startedAt)}${i.startedBy ? ` by ${i.startedBy}` : ''}`],
          ['Ended', i.endedAt ? `${formatDate(i.endedAt)}${i.endReason ? ` (${i.endReason})` : ''}` : '—'],
          ['Called by', i.parentInstanceId ? h('a', { href: `#/instances/${i.parentInstanceId}`, 'data-testid': 'parent-instance' }, `parent instance${i.parentElementId ? ` (${i.parentElementId})` : ''}`) : '—'],
          ['Waiting in', i.activeElementIds.join(', ') || '—'],
        ]),
        h('section', { class: 'panel', 'aria-labelledby': 'children-title' }, h('h2', { id: 'children-title' }, 'Called instances'),
          i.children.length
            ? h('ul', { class: 'links-list', 'data-testid': 'child-instances' }, ...i.children.map((c) => h('li', {},
                h('a', { href: `#/instances/${c.id}` }, `${c.definitionKey} v${c.definitionVersion}`), ' · ', statusBadge(c.status),
                ` · from ${c.parentElementId ?? '?'} · started ${formatDate(c.startedAt)}`)))
            : h('p', { class: 'empty', 'data-testid': 'child-instances' }, 'None.')),
        h('section', { class: 'panel', 'aria-labelledby': 'open-tasks-title' }, h('h2', { id: 'open-tasks-title' }, 'Open tasks'),
          i.openTasks.length
            ? h('ul', { class: 'links-list', 'data-testid': 'open-tasks' }, ...i.openTasks.map((t) => h('li', {},
                h('a', { href: `#/tasks/${t.id}` }, t.name ?? t.elementId), ` · ${t.assignee ?? 'unassigned'}`)))
            : h('p', { class: 'empty', 'data-testid': 'open-tasks' }, 'None.')),
      ),
      h('section', { class: 'panel', 'aria-labelledby': 'variables-title' }, h('h2', { id: 'variables-title' }, 'Variables'),
        h('pre', { 'data-testid': 'instance-variables' }, JSON.stringify(i.variables, null, 2))),
    );
  }

  function renderHistory(events: HistoryEvent[]): void {
    replace(historyBody, ...(events.length ? events.map((e) => h('tr', { 'data-testid': 'history-event', 'data-seq': e.seq },
      h('td', { class: 'num' }, e.seq),
      h('td', {}, formatDate(e.occurredAt)),
      h('td', {}, e.type),
      h('td', {}, e.elementId ? `${diagram.nameOf(e.elementId)}${diagram.nameOf(e.elementId) !== e.elementId ? ` (${e.elementId})` : ''}` : ''),
      h('td', {}, e.actor ?? ''),
      h('td', {}, e.payload && Object.keys(e.payload).length ? h('code', { class: 'data' }, truncate(JSON.stringify(e.payload))) : ''))) : [h('tr', {}, h('td', { colspan: 6, class: 'empty' }, 'No events.'))]));
  }

  async function verify(): Promise<void> {
    verifyButton.disabled = true;
    try {
      const v = await work.verify(instanceId);
      if (left) return;
      verifyResult.dataset.valid = String(v.valid);
      verifyResult.className = `verdict ${v.valid ? 'valid' : 'invalid'}`;
      verifyResult.textContent = v.valid ? `valid: ${v.checked} event(s) chained correctly` : `invalid at seq ${v.firstInvalid?.seq ?? '?'}: ${v.firstInvalid?.reason ?? 'unknown reason'}`;
    } catch (error) {
      if (!left) messages.error(error);
    } finally {
      verifyButton.disabled = false;
    }
  }

  void load();
  return { el, destroy() { left = true; diagram.destroy(); } };
}

function truncate(text: string): string {
  return text.length > 160 ? `${text.slice(0, 160)}…` : text;
}
