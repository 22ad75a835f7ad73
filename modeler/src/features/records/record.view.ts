import { ApiError } from '../../api/client';
import { details, formatDate, h, replace, type View } from '../../dom';
import { MessageArea } from '../../messages';
import { work, type RecordDetail } from '../work/api';
import { recordElementNames } from '../work/names';
import { timeline } from '../work/timeline';
import { slaBadge, splitFields, statusBadge } from '../work/ui';

/** #/records/:number: a record's columns and fields, SLA, its process instances, its links to other records, and its timeline. */
export function recordView(number: string): View {
  const messages = new MessageArea();
  const body = h('div', { class: 'work-grid', 'data-testid': 'record-page' }, h('p', { class: 'loading' }, 'Loading the record…'));
  const head = h('div', { class: 'work-head' }, h('h1', { id: 'record-title' }, number));
  let left = false;
  const el = h('section', { class: 'view', 'aria-labelledby': 'record-title' },
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/records' }, '← Records')),
    head, messages.el, body);

  void work.record(number).then(
    (r) => {
      if (!left) render(r);
    },
    (error) => {
      if (left) return;
      replace(body, h('p', { class: 'empty' }, error instanceof ApiError && error.status === 404 ? `There is no record ${number}, or you may not see it.` : 'The record could not be loaded.'));
      if (!(error instanceof ApiError && error.status === 404)) messages.error(error);
    },
  );

  function render(r: RecordDetail): void {
    document.title = `${r.number} · ITSM Orchestrator`;
    replace(head, h('h1', { id: 'record-title', 'data-testid': 'record-number' }, `${r.number} · ${r.title ?? 'untitled'}`), statusBadge(r.state), slaBadge(r.sla.status));
    const timelineSlot = h('div', { 'data-testid': 'record-timeline' }, h('p', { class: 'loading' }, 'Loading the timeline…'));
    const met = (v: boolean | null) => (v === null ? '' : v ? ' (met)' : ' (missed)');
    replace(
      body,
      h('div', {},
        h('section', { class: 'panel', 'aria-labelledby': 'record-details-title' }, h('h2', { id: 'record-details-title' }, 'Details'),
          details({ 'data-testid': 'record-details' }, [
            ['Type', r.type], ['State', r.state], ['Priority', r.priority ?? '—'], ['Assignee', r.assignee ?? '—'],
            ['Opened', `${formatDate(r.openedAt)}${r.openedBy ? ` by ${r.openedBy}` : ''}`],
            ['Acknowledged', formatDate(r.acknowledgedAt)], ['Resolved', formatDate(r.resolvedAt)], ['Closed', formatDate(r.closedAt)],
            ['Response due', `${formatDate(r.sla.responseDueAt)}${met(r.sla.responseMet)}`],
            ['Resolution due', `${formatDate(r.sla.resolutionDueAt)}${met(r.sla.resolutionMet)}`],
            ...(r.sla.paused ? [['SLA', 'paused'] as [string, string]] : []),
          ])),
        h('section', { class: 'panel', 'aria-labelledby': 'record-fields-title' }, h('h2', { id: 'record-fields-title' }, 'Fields'),
          fieldsOf(r.fields)),
        h('section', { class: 'panel', 'aria-labelledby': 'record-instances-title' }, h('h2', { id: 'record-instances-title' }, 'Process instances'),
          h('ul', { class: 'links-list', 'data-testid': 'record-instances' }, ...r.instances.map((i) => h('li', {},
            h('a', { href: `#/instances/${i.id}`, 'data-testid': 'record-instance-link' }, `${i.definitionKey} v${i.definitionVersion}`),
            ` · ${i.status}${i.parentInstanceId ? ' · called' : ''} · started ${formatDate(i.startedAt)}`)))),
        h('section', { class: 'panel', 'aria-labelledby': 'record-links-title' }, h('h2', { id: 'record-links-title' }, 'Linked records'),
          r.links.length
            ? h('ul', { class: 'links-list', 'data-testid': 'record-links' }, ...r.links.map((l) => h('li', { 'data-number': l.number },
                l.direction === 'outgoing' ? `${l.kind} → ` : `← ${l.kind} `,
                h('a', { href: `#/records/${l.number}` }, l.number), ` · ${l.title ?? 'untitled'} · ${l.state}`)))
            : h('p', { class: 'empty', 'data-testid': 'record-links' }, 'No linked records.')),
      ),
      h('section', { class: 'panel', 'aria-labelledby': 'record-timeline-title' }, h('h2', { id: 'record-timeline-title' }, 'Timeline'), timelineSlot),
    );
    el.dataset.ready = 'true';
    // the events name their elements after the diagrams the record's instances run; ids until (or unless) they load
    void recordElementNames(r).then(
      (nameOf) => {
        if (!left) replace(timelineSlot, timeline(r.timeline, nameOf));
      },
      () => {
        if (!left) replace(timelineSlot, timeline(r.timeline));
      },
    );
  }

  return { el, destroy: () => void (left = true) };
}

/** Simple fields as a list; structured ones (SLA clocks, targets, lists) collapsed as JSON. */
function fieldsOf(fields: Record<string, unknown>): HTMLElement {
  const { simple, structured } = splitFields(fields);
  const more = Object.keys(structured).length
    ? h('details', { 'data-testid': 'record-structured' }, h('summary', {}, `Structured data (${Object.keys(structured).join(', ')})`), h('pre', {}, JSON.stringify(structured, null, 2)))
    : null;
  if (!simple.length && !more) return h('p', { class: 'empty', 'data-testid': 'record-fields' }, 'No fields.');
  return h('div', {}, details({ 'data-testid': 'record-fields' }, simple), more);
}
