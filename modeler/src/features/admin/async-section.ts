import { h, replace, type Child } from '../../dom';

/**
 * Loads something into `container` with the three states every list needs: "Loading…", the
 * rendered content (or `empty` when the loader answers an empty list), and the error.
 */
export async function loadInto<T>(
  container: HTMLElement,
  load: () => Promise<T>,
  render: (value: T) => Child,
  empty: (value: T) => string | null = (v) => (Array.isArray(v) && v.length === 0 ? 'Nothing here yet.' : null),
): Promise<void> {
  container.setAttribute('aria-busy', 'true');
  if (!container.hasChildNodes()) replace(container, h('p', { class: 'hint', 'data-testid': 'loading' }, 'Loading…'));
  try {
    const value = await load();
    const none = empty(value);
    replace(container, none ? h('p', { class: 'empty', 'data-testid': 'empty' }, none) : render(value));
  } catch (error) {
    replace(container, h('p', { class: 'load-error', role: 'alert' }, error instanceof Error ? error.message : String(error)));
  } finally {
    container.removeAttribute('aria-busy');
  }
}

/** A table with a header row; `rows` are <tr> elements (or fragments of them). */
export function table(testId: string, headers: string[], rows: Node[]): HTMLElement {
  return h(
    'div',
    { class: 'table-scroll' },
    h('table', { 'data-testid': testId }, h('thead', {}, h('tr', {}, ...headers.map((c) => h('th', { scope: 'col' }, c)))), h('tbody', {}, ...rows)),
  );
}

/** Runs an action from a button: disabled while it runs, errors to `report`. */
export async function act(button: HTMLButtonElement, work: () => Promise<void>, report: (error: unknown) => void): Promise<void> {
  button.disabled = true;
  try {
    await work();
  } catch (error) {
    report(error);
  } finally {
    button.disabled = false;
  }
}
