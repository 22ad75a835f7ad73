/**
 * Visual diff of two diagrams (bpmn-js-differ): the old one with removed elements marked, the new
 * one with added and changed elements marked, and the list of changes with changed properties.
 */
import type Canvas from 'diagram-js/lib/core/Canvas';
import { diff, type DiffResult } from 'bpmn-js-differ';
import { createViewer } from '../../bpmn/create-viewer';
import { h } from '../../dom';

export interface Side {
  label: string;
  xml: string;
}

export type ChangeKind = 'added' | 'removed' | 'changed' | 'layout';

export interface Change {
  id: string;
  kind: ChangeKind;
  type: string;
  name: string;
  /** Changed properties: name, old value, new value. */
  attrs: [string, string, string][];
}

/** Every change between two parsed diagrams, most important first. */
export function changesOf(result: DiffResult): Change[] {
  const label = (e: { $type: string; name?: string }) => ({ type: e.$type.replace(/^bpmn:/, ''), name: e.name ?? '' });
  const list: Change[] = [
    ...Object.entries(result._added).map(([id, e]) => ({ id, kind: 'added' as const, ...label(e), attrs: [] })),
    ...Object.entries(result._removed).map(([id, e]) => ({ id, kind: 'removed' as const, ...label(e), attrs: [] })),
    ...Object.entries(result._changed).map(([id, c]) => ({
      id,
      kind: 'changed' as const,
      ...label(c.model),
      attrs: Object.entries(c.attrs).map(([name, v]) => [name, show(v.oldValue), show(v.newValue)] as [string, string, string]),
    })),
    ...Object.entries(result._layoutChanged)
      .filter(([id]) => !(id in result._changed) && !(id in result._added))
      .map(([id, e]) => ({ id, kind: 'layout' as const, ...label(e), attrs: [] })),
  ];
  return list;
}

function show(value: unknown): string {
  if (value === undefined || value === null || value === '') return '—';
  if (typeof value === 'object') {
    const v = value as { $type?: string; id?: string };
    return v.id ? `${v.$type ?? 'element'} ${v.id}` : JSON.stringify(value, (k, x) => (k.startsWith('$') && k !== '$type' ? undefined : x)) ?? '';
  }
  return String(value);
}

const KIND_LABEL: Record<ChangeKind, string> = { added: 'Added', removed: 'Removed', changed: 'Changed', layout: 'Moved' };

/** Renders the diff into `host`; answers a function that destroys both viewers. */
export async function renderDiff(host: HTMLElement, before: Side, after: Side): Promise<() => void> {
  const oldCanvas = h('div', { class: 'canvas diff-canvas', 'data-testid': 'diff-old' });
  const newCanvas = h('div', { class: 'canvas diff-canvas', 'data-testid': 'diff-new' });
  const list = h('div', { class: 'diff-changes', 'data-testid': 'diff-changes' }, h('p', { class: 'empty' }, 'Comparing…'));
  host.replaceChildren(
    h(
      'div',
      { class: 'diff-panes' },
      h('figure', { class: 'diff-pane' }, h('figcaption', {}, h('span', { class: 'swatch removed' }), ' Before: ', before.label), oldCanvas),
      h('figure', { class: 'diff-pane' }, h('figcaption', {}, h('span', { class: 'swatch added' }), ' After: ', after.label), newCanvas),
    ),
    h(
      'p',
      { class: 'legend' },
      h('span', { class: 'swatch added' }),
      'added',
      h('span', { class: 'swatch changed' }),
      'changed',
      h('span', { class: 'swatch removed' }),
      'removed',
      h('span', { class: 'swatch layout' }),
      'moved',
    ),
    list,
  );
  const oldViewer = createViewer(oldCanvas);
  const newViewer = createViewer(newCanvas);
  const destroy = () => {
    oldViewer.destroy();
    newViewer.destroy();
  };
  try {
    await oldViewer.importXML(before.xml);
    await newViewer.importXML(after.xml);
    const changes = changesOf(diff(oldViewer.getDefinitions(), newViewer.getDefinitions()));
    const oldC = oldViewer.get<Canvas>('canvas');
    const newC = newViewer.get<Canvas>('canvas');
    const registryHas = (viewer: typeof oldViewer, id: string) => Boolean(viewer.get<{ get(id: string): unknown }>('elementRegistry').get(id));
    for (const c of changes) {
      if (c.kind === 'removed' && registryHas(oldViewer, c.id)) oldC.addMarker(c.id, 'diff-removed');
      else if (c.kind !== 'removed' && registryHas(newViewer, c.id)) newC.addMarker(c.id, `diff-${c.kind}`);
    }
    oldC.zoom('fit-viewport');
    newC.zoom('fit-viewport');
    list.replaceChildren(...changeList(changes));
    host.dataset.ready = 'true';
  } catch (error) {
    list.replaceChildren(h('p', { class: 'load-error' }, `The diagrams could not be compared: ${error instanceof Error ? error.message : String(error)}`));
  }
  return destroy;
}

function changeList(changes: Change[]): Node[] {
  if (!changes.length) return [h('p', { class: 'empty', 'data-testid': 'diff-none' }, 'No differences.')];
  return [
    h('h3', {}, `${changes.length} change${changes.length === 1 ? '' : 's'}`),
    h(
      'ul',
      { class: 'change-list' },
      ...changes.map((c) =>
        h(
          'li',
          { 'data-testid': 'diff-change', 'data-kind': c.kind, 'data-element-id': c.id },
          h('span', { class: `badge ${c.kind}` }, KIND_LABEL[c.kind]),
          ' ',
          h('strong', {}, c.name || c.id),
          ' ',
          h('span', { class: 'muted' }, `${c.type} · ${c.id}`),
          c.attrs.length
            ? h(
                'table',
                { class: 'attr-table' },
                h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Property'), h('th', { scope: 'col' }, 'Before'), h('th', { scope: 'col' }, 'After'))),
                h('tbody', {}, ...c.attrs.map(([name, a, b]) => h('tr', {}, h('td', {}, name), h('td', {}, a), h('td', {}, b)))),
              )
            : null,
        ),
      ),
    ),
  ];
}
