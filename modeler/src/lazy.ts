import { h, type View } from './dom';

/**
 * A view whose code is loaded when its route is first opened (dynamic import), so that each page
 * brings only its own libraries: the task list never loads the modeller or form-js. Shows a
 * loading line meanwhile, and the reason when the code cannot be loaded.
 */
export function lazyView(load: () => Promise<View>): View {
  const el = h('div', { class: 'lazy-view' }, h('p', { class: 'loading', 'data-testid': 'view-loading', role: 'status' }, 'Loading…'));
  let inner: View | null = null;
  let left = false;
  load().then(
    (view) => {
      if (left) {
        view.destroy?.();
        return;
      }
      inner = view;
      el.replaceChildren(view.el);
    },
    (error: unknown) => {
      if (!left) el.replaceChildren(h('p', { class: 'load-error', role: 'alert' }, `This page could not be loaded: ${error instanceof Error ? error.message : String(error)}. Reload to try again.`));
    },
  );
  return {
    el,
    destroy() {
      left = true;
      inner?.destroy?.();
    },
    // The loaded page decides (e.g. the modeller with unsaved changes asks first).
    canLeave: () => inner?.canLeave?.() ?? true,
  };
}
