import { h, type View } from './dom';

/**
 * A view whose code is loaded when it is opened (`import()`), so that large parts such as the
 * modeler are not in the bundle of every page. Shows "Loading…" until the module is there; a view
 * left before that is never mounted.
 */
export function lazyView(load: () => Promise<View>): View {
  const el = h('div', { class: 'lazy-view' }, h('p', { class: 'hint', 'data-testid': 'view-loading' }, 'Loading…'));
  let view: View | null = null;
  let left = false;
  load().then(
    (loaded) => {
      if (left) {
        loaded.destroy?.();
        return;
      }
      view = loaded;
      el.replaceChildren(loaded.el);
    },
    (error: unknown) => {
      if (!left) el.replaceChildren(h('p', { class: 'load-error', role: 'alert' }, `This page could not be loaded: ${error instanceof Error ? error.message : String(error)}`));
    },
  );
  return {
    el,
    destroy() {
      left = true;
      view?.destroy?.();
    },
  };
}
