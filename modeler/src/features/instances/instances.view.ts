import { formatDate, h, replace, type View } from '../../dom';
import { MessageArea } from '../../messages';
import { work, type InstanceItem, type InstanceQuery } from '../work/api';
import { field, formValues, restoreForm, select } from '../work/search';
import { dayBound, emptyItem, loadingItem, statusBadge } from '../work/ui';

const STORAGE = 'itsm.instanceSearch';
const COLUMNS = ['Started', 'Process', 'Record', 'Business key', 'Status', 'Started by', 'Called by'];

/** #/instances: process instances searched on the server (process, state, record number, business key, dates, assignee). */
export function instancesView(): View {
  const messages = new MessageArea();
  const tbody = h('tbody', {}, loadingItem('tr', 'Loading instances…', COLUMNS.length));
  const footer = h('div', { class: 'list-footer' });
  let page = 1;
  let left = false;
  const form = h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Search process instances', 'data-testid': 'instance-search', onsubmit: (e: Event) => { e.preventDefault(); page = 1; void search(); } },
    field('is-record', 'Record number', h('input', { type: 'search', name: 'recordNumber', maxlength: 32, placeholder: 'INC0000001', 'data-testid': 'instance-search-record' })),
    field('is-key', 'Process key', h('input', { type: 'text', name: 'key', maxlength: 256, placeholder: 'incident_management' })),
    field('is-status', 'Status', select('status', [['', 'any'], ['running', 'running'], ['completed', 'completed'], ['cancelled', 'cancelled'], ['failed', 'failed']], 'instance-search-status')),
    field('is-bk', 'Business key', h('input', { type: 'text', name: 'businessKey', maxlength: 256 })),
    field('is-assignee', 'Worked on by', h('input', { type: 'text', name: 'assignee', maxlength: 128 })),
    field('is-by', 'Started by', h('input', { type: 'text', name: 'startedBy', maxlength: 128 })),
    field('is-called', 'Level', select('called', [['', 'all'], ['false', 'top-level only'], ['true', 'called only']], 'instance-search-called')),
    field('is-from', 'Started from', h('input', { type: 'date', name: 'startedFrom' })),
    field('is-to', 'Started until', h('input', { type: 'date', name: 'startedTo' })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', 'data-testid': 'instance-search-submit' }, 'Search'), h('button', { type: 'reset', onclick: () => setTimeout(() => form.requestSubmit()) }, 'Clear')),
  );
  restoreForm(form, STORAGE);

  const el = h('section', { class: 'view', 'aria-labelledby': 'instances-title' },
    h('div', { class: 'toolbar' }, h('h1', { id: 'instances-title' }, 'Process instances')),
    form, messages.el,
    h('div', { class: 'table-wrap' }, h('table', { 'data-testid': 'instances-table' }, h('thead', {}, h('tr', {}, ...COLUMNS.map((c) => h('th', { scope: 'col' }, c)))), tbody)),
    footer);

  async function search(): Promise<void> {
    const values = formValues(form);
    sessionStorage.setItem(STORAGE, JSON.stringify(values));
    const query: InstanceQuery = { ...values, startedFrom: dayBound(values.startedFrom ?? ''), startedTo: dayBound(values.startedTo ?? '', true), page, size: 50 };
    replace(tbody, loadingItem('tr', 'Searching…', COLUMNS.length));
    tbody.setAttribute('aria-busy', 'true');
    try {
      const result = await work.instances(query);
      if (left) return;
      messages.clear();
      replace(tbody, ...(result.items.length ? result.items.map(row) : [emptyItem('tr', 'No process instance matches.', COLUMNS.length)]));
      // a capped total (1000+): the last page is not known, the next one exists while pages are full
      const pages = Math.max(1, Math.ceil(result.total / result.size));
      const more = result.totalCapped ? result.items.length === result.size : result.page < pages;
      replace(footer, `${result.total}${result.totalCapped ? '+' : ''} instance${result.total === 1 ? '' : 's'} · page ${result.page}${result.totalCapped ? '' : ` of ${pages}`}`,
        result.page > 1 ? h('button', { type: 'button', onclick: () => { page -= 1; void search(); } }, 'Previous') : null,
        more ? h('button', { type: 'button', onclick: () => { page += 1; void search(); } }, 'Next') : null);
    } catch (error) {
      if (left) return;
      replace(tbody, h('tr', {}, h('td', { colspan: COLUMNS.length, class: 'load-error' }, 'The search failed.')));
      messages.error(error);
    } finally {
      tbody.removeAttribute('aria-busy');
    }
  }

  function row(i: InstanceItem): HTMLTableRowElement {
    return h('tr', { 'data-testid': 'instance-row', 'data-instance-id': i.id },
      h('td', {}, h('a', { href: `#/instances/${i.id}`, 'data-testid': 'instance-open' }, formatDate(i.startedAt))),
      h('td', {}, `${i.definitionKey} v${i.definitionVersion}`),
      h('td', {}, i.recordNumber ? h('a', { href: `#/records/${i.recordNumber}` }, i.recordNumber) : '—'),
      h('td', {}, i.businessKey ?? ''),
      h('td', {}, statusBadge(i.status)),
      h('td', {}, i.startedBy ?? ''),
      h('td', {}, i.parentInstanceId ? h('a', { href: `#/instances/${i.parentInstanceId}` }, 'parent') : ''));
  }

  void search();
  return { el, destroy: () => void (left = true) };
}
