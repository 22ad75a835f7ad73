/** A few DOM helpers, so views stay declarative without a framework. */

type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;
export type Child = Node | string | number | null | undefined | false;

/**
 * Creates an element. `on*` keys become listeners, `true` becomes an empty attribute, and
 * `null`/`undefined`/`false` are skipped. Strings are always inserted as text, never as HTML.
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'value' && 'value' in el) (el as HTMLInputElement).value = String(value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  el.append(...nodes(children));
  return el;
}

/** Replaces every child of `el`. */
export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren(...nodes(children));
}

function nodes(children: Child[]): (Node | string)[] {
  return children.flatMap((c) => (c === null || c === undefined || c === false ? [] : [typeof c === 'number' ? String(c) : c]));
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/** What a route renders: its root element and what to tear down when the route is left. */
export interface View {
  el: HTMLElement;
  destroy?(): void;
  /** Asked before the router leaves the view (e.g. unsaved changes); false stays on it. */
  canLeave?(): boolean;
}

/** A description list from [term, value] pairs. */
export function details(attrs: Attrs, entries: [string, string | Node][]): HTMLDListElement {
  return h('dl', attrs, ...entries.flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]));
}
