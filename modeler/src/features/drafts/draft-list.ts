/** The drafts of one process key (or every key), newest first. */
import { formatDate, h } from '../../dom';
import type { DraftSummary } from './drafts-api';

export function draftList(drafts: DraftSummary[] | null, options: { currentId?: string | undefined; onCompare(d: DraftSummary): void }): HTMLElement {
  if (drafts === null) return h('p', { class: 'empty', 'data-testid': 'drafts-loading' }, 'Loading drafts…');
  if (!drafts.length) return h('p', { class: 'empty', 'data-testid': 'drafts-empty' }, 'No drafts yet. “Save draft” keeps your changes on the server.');
  return h(
    'ul',
    { class: 'side-list', 'data-testid': 'draft-list' },
    ...drafts.map((d) =>
      h(
        'li',
        { 'data-testid': 'draft-item', 'data-draft-id': d.id, 'aria-current': d.id === options.currentId ? 'true' : null },
        h('a', { href: `#/modeler/draft/${encodeURIComponent(d.id)}`, 'data-testid': 'open-draft' }, `${d.name ?? d.key} · revision ${d.revision}`),
        d.pendingRequestId ? h('span', { class: 'tag pending' }, 'awaiting approval') : null,
        h('span', { class: 'comment' }, d.comment),
        h('span', { class: 'meta' }, `${formatDate(d.updatedAt)} · ${d.updatedBy}${d.baseVersion ? ` · from version ${d.baseVersion}` : ''}`),
        d.id === options.currentId ? null : h('button', { type: 'button', class: 'link', 'data-testid': 'compare-draft', onclick: () => options.onCompare(d) }, 'Compare with editor'),
      ),
    ),
  );
}
