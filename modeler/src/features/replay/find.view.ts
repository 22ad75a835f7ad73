import './replay.css';
import { typed, type InstanceSummary } from '../../api/typed';
import { formatDate, h, replace, type View } from '../../dom';

interface Found {
  id: string;
  process: string;
  status: string;
  businessKey: string | null;
  startedAt: string;
  endedAt: string | null;
  via: string;
}

const fromInstance = (i: InstanceSummary, via: string): Found => ({
  id: i.id,
  process: `${i.definitionKey} v${i.definitionVersion}`,
  status: i.status,
  businessKey: i.businessKey,
  startedAt: i.startedAt,
  endedAt: i.endedAt,
  via,
});

/**
 * #/replay: find an instance to replay by its record number (INC0000001) or business key; below,
 * the most recently finished instances the user may see.
 */
export function findView(): View {
  const input = h('input', { type: 'search', id: 'replay-query', name: 'q', autocomplete: 'off', placeholder: 'INC0000001 or a business key', 'data-testid': 'replay-query' });
  const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'replay-search' }, 'Find');
  const results = h('div', { 'data-testid': 'replay-results', 'aria-live': 'polite' });
  const recent = h('div', { 'data-testid': 'replay-recent' }, h('p', { class: 'hint' }, 'Loading…'));
  let left = false;

  const form = h(
    'form',
    { class: 'replay-find', role: 'search', 'aria-label': 'Find an instance' },
    h('label', { for: 'replay-query' }, 'Record number or business key'),
    input,
    submit,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void search(input.value.trim());
  });

  const el = h(
    'section',
    { class: 'view', 'aria-labelledby': 'find-title', 'data-testid': 'replay-find' },
    h('div', { class: 'toolbar' }, h('h1', { id: 'find-title' }, 'Replay an instance')),
    h('p', { class: 'hint' }, 'Step through what happened, on the diagram version the instance ran on, with the verified history.'),
    form,
    results,
    h('h2', {}, 'Recently finished'),
    recent,
  );

  async function search(query: string): Promise<void> {
    if (!query) return;
    submit.disabled = true;
    replace(results, h('p', { class: 'hint' }, 'Searching…'));
    try {
      // Records whose number or title contains the text, and instances with that business key.
      const [records, byKey] = await Promise.all([
        typed.get('/api/records', { query: { q: query, size: 20 } }),
        typed.get('/api/instances', { query: { businessKey: query, size: 50 } }),
      ]);
      const found: Found[] = records.items.map((r) => ({
        id: r.instanceId,
        process: r.definitionKey,
        status: r.state,
        businessKey: null,
        startedAt: r.openedAt,
        endedAt: r.closedAt,
        via: `record ${r.number}${r.title ? `: ${r.title}` : ''} (${r.state})`,
      }));
      for (const i of byKey.items) if (!found.some((f) => f.id === i.id)) found.push(fromInstance(i, `business key ${query}`));
      if (left) return;
      replace(results, found.length ? table(found, 'replay-result') : h('p', { class: 'empty', 'data-testid': 'replay-no-result' }, `No record or instance “${query}” that you may see.`));
    } catch (error) {
      if (!left) replace(results, h('p', { class: 'load-error' }, error instanceof Error ? error.message : String(error)));
    } finally {
      submit.disabled = false;
    }
  }

  async function loadRecent(): Promise<void> {
    try {
      const page = await typed.get('/api/instances', { query: { status: 'completed', size: 15 } });
      if (left) return;
      replace(recent, page.items.length ? table(page.items.map((i) => fromInstance(i, '')), 'replay-recent-row') : h('p', { class: 'empty' }, 'No finished instance yet.'));
    } catch (error) {
      if (!left) replace(recent, h('p', { class: 'load-error' }, error instanceof Error ? error.message : String(error)));
    }
  }

  void loadRecent();
  return {
    el,
    destroy() {
      left = true;
    },
  };
}

function table(rows: Found[], testId: string): HTMLElement {
  return h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      {},
      h('thead', {}, h('tr', {}, ...['Process', 'Business key', 'Status', 'Started', 'Ended', ''].map((c) => h('th', { scope: 'col' }, c)))),
      h(
        'tbody',
        {},
        ...rows.map((r) =>
          h(
            'tr',
            { 'data-testid': testId, 'data-instance-id': r.id },
            h('td', {}, r.process, r.via ? h('div', { class: 'hint' }, r.via) : null),
            h('td', {}, r.businessKey ?? '—'),
            h('td', {}, h('span', { class: `status ${r.status}` }, r.status)),
            h('td', {}, formatDate(r.startedAt)),
            h('td', {}, formatDate(r.endedAt)),
            h('td', { class: 'actions' }, h('a', { class: 'button', href: `#/instances/${encodeURIComponent(r.id)}/replay`, 'data-testid': 'open-replay' }, 'Replay')),
          ),
        ),
      ),
    ),
  );
}
