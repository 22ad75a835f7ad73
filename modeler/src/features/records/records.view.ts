import { formatDate, h, replace, type View } from '../../dom';
import { MessageArea } from '../../messages';
import { work, type RecordQuery, type RecordView } from '../work/api';
import { field, formValues, restoreForm, select } from '../work/search';
import { dayBound, emptyItem, loadingItem, slaBadge } from '../work/ui';

const STORAGE = 'itsm.recordSearch';
const TYPES: [string, string][] = [['', 'any type'], ['incident', 'incident'], ['request', 'request'], ['problem', 'problem'], ['change', 'change'], ['slr', 'service level review'], ['bct', 'continuity test'], ['audit', 'audit'], ['nc', 'nonconformity']];
const COLUMNS = ['Number', 'Title', 'Type', 'State', 'Priority', 'SLA', 'Opened', 'Assignee'];

/** #/records: records searched on the server (number or title, type, state, priority, assignee, SLA, opening dates). */
export function recordsView(): View {
  const messages = new MessageArea();
  const tbody = h('tbody', {}, loadingItem('tr', 'Loading records…', COLUMNS.length));
  const footer = h('div', { class: 'list-footer', 'data-testid': 'records-footer' });
  let page = 1;
  let left = false;
  const form = h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Search records', 'data-testid': 'record-search', onsubmit: (e: Event) => { e.preventDefault(); page = 1; void search(); } },
    field('rs-q', 'Number or title', h('input', { type: 'search', name: 'q', maxlength: 100, placeholder: 'INC0000001', 'data-testid': 'record-search-q' })),
    field('rs-type', 'Type', select('type', TYPES, 'record-search-type')),
    field('rs-state', 'State', h('input', { type: 'text', name: 'state', maxlength: 64, placeholder: 'new, in progress…' })),
    field('rs-open', 'Open or closed', select('open', [['', 'both'], ['true', 'open'], ['false', 'closed']], 'record-search-open')),
    field('rs-priority', 'Priority', h('input', { type: 'text', name: 'priority', maxlength: 64, placeholder: 'P1' })),
    field('rs-assignee', 'Assignee', h('input', { type: 'text', name: 'assignee', maxlength: 128 })),
    field('rs-sla', 'SLA', select('sla', [['', 'any'], ['breached', 'breached'], ['at risk', 'at risk'], ['on track', 'on track'], ['paused', 'paused']], 'record-search-sla')),
    field('rs-from', 'Opened from', h('input', { type: 'date', name: 'openedFrom' })),
    field('rs-to', 'Opened until', h('input', { type: 'date', name: 'openedTo' })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', 'data-testid': 'record-search-submit' }, 'Search'), h('button', { type: 'reset', onclick: () => setTimeout(() => form.requestSubmit()) }, 'Clear')),
  );
  restoreForm(form, STORAGE);

  const el = h('section', { class: 'view', 'aria-labelledby': 'records-title' },
    h('div', { class: 'toolbar' }, h('h1', { id: 'records-title' }, 'Records')),
    form, messages.el,
    h('div', { class: 'table-wrap' }, h('table', { 'data-testid': 'records-table' }, h('thead', {}, h('tr', {}, ...COLUMNS.map((c) => h('th', { scope: 'col' }, c)))), tbody)),
    footer);

  async function search(): Promise<void> {
    const values = formValues(form);
    sessionStorage.setItem(STORAGE, JSON.stringify(values));
    const query: RecordQuery = { ...values, openedFrom: dayBound(values.openedFrom ?? ''), openedTo: dayBound(values.openedTo ?? '', true), page, size: 50 };
    replace(tbody, loadingItem('tr', 'Searching…', COLUMNS.length));
    tbody.setAttribute('aria-busy', 'true');
    try {
      const result = await work.records(query);
      if (left) return;
      messages.clear();
      replace(tbody, ...(result.items.length ? result.items.map(row) : [emptyItem('tr', 'No record matches.', COLUMNS.length)]));
      // a capped total (1000+): the last page is not known, the next one exists while pages are full
      const pages = Math.max(1, Math.ceil(result.total / result.size));
      const more = result.totalCapped ? result.items.length === result.size : result.page < pages;
      replace(footer, `${result.total}${result.totalCapped ? '+' : ''} record${result.total === 1 ? '' : 's'} · page ${result.page}${result.totalCapped ? '' : ` of ${pages}`}`,
        result.page > 1 ? h('button', { type: 'button', onclick: () => { page -= 1; void search(); } }, 'Previous') : null,
        more ? h('button', { type: 'button', 'data-testid': 'records-next', onclick: () => { page += 1; void search(); } }, 'Next') : null);
    } catch (error) {
      if (left) return;
      replace(tbody, h('tr', {}, h('td', { colspan: COLUMNS.length, class: 'load-error' }, 'The search failed.')));
      messages.error(error);
    } finally {
      tbody.removeAttribute('aria-busy');
    }
  }

  function row(r: RecordView): HTMLTableRowElement {
    return h('tr', { 'data-testid': 'record-row', 'data-number': r.number },
      h('td', {}, h('a', { href: `#/records/${r.number}` }, r.number)),
      h('td', {}, r.title ?? ''),
      h('td', {}, r.type),
      h('td', {}, r.state),
      h('td', {}, r.priority ?? ''),
      h('td', {}, slaBadge(r.sla.status) ?? ''),
      h('td', {}, formatDate(r.openedAt)),
      h('td', {}, r.assignee ?? ''));
  }

  void search();
  return { el, destroy: () => void (left = true) };
}
