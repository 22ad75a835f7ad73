/** The versions of one process key, newest first: open one, or pick it for a comparison. */
import type { Definition } from '../../api/client';
import { formatDate, h } from '../../dom';

export function versionList(versions: Definition[] | null, options: { currentId?: string | undefined; onCompare(d: Definition): void }): HTMLElement {
  if (versions === null) return h('p', { class: 'empty', 'data-testid': 'versions-loading' }, 'Loading versions…');
  if (!versions.length) return h('p', { class: 'empty', 'data-testid': 'versions-empty' }, 'Not deployed yet.');
  return h(
    'ul',
    { class: 'side-list', 'data-testid': 'version-list' },
    ...versions.map((d) =>
      h(
        'li',
        { 'data-testid': 'version-item', 'data-version': d.version, 'aria-current': d.id === options.currentId ? 'true' : null },
        h('a', { href: `#/modeler/${encodeURIComponent(d.id)}`, 'data-testid': 'open-version' }, `Version ${d.version}`),
        d.versionTag ? h('span', { class: 'tag' }, d.versionTag) : null,
        d.state === 'suspended' ? h('span', { class: 'tag' }, 'suspended') : null,
        h('span', { class: 'meta' }, `${formatDate(d.deployedAt)} · ${d.deployedBy ?? 'unknown'}`),
        h('button', { type: 'button', class: 'link', 'data-testid': 'compare-version', onclick: () => options.onCompare(d) }, 'Compare with editor'),
      ),
    ),
  );
}
