import type { View } from './dom';

export interface Route {
  /** e.g. `/modeler/:definitionId` */
  path: string;
  render(params: Record<string, string>): View;
}

/**
 * A hash router (`#/definitions`, `#/modeler/:id`, …). Exactly one view is mounted at a time;
 * the previous one is destroyed first, so a bpmn-js instance never outlives its view.
 */
export class HashRouter {
  private current: View | null = null;
  private currentPath: string | null = null;
  private readonly onHashChange = () => this.resolve();

  constructor(
    private readonly outlet: HTMLElement,
    private readonly routes: Route[],
    private readonly fallback: string,
    private readonly onChange: (path: string) => void = () => {},
  ) {}

  start(): void {
    window.addEventListener('hashchange', this.onHashChange);
    this.resolve();
  }

  /** Destroys the mounted view and stops following the hash (e.g. when the session ends). */
  stop(): void {
    window.removeEventListener('hashchange', this.onHashChange);
    this.current?.destroy?.();
    this.current = null;
    this.currentPath = null;
    this.outlet.replaceChildren();
  }

  private resolve(): void {
    const path = safeDecode(location.hash.replace(/^#/, '')) || this.fallback;
    if (this.current && this.currentPath !== null && path !== this.currentPath && this.current.canLeave?.() === false) {
      // Stay: put the view's address back without a new hashchange.
      history.replaceState(history.state, '', `#${this.currentPath}`);
      return;
    }
    for (const route of this.routes) {
      const params = match(route.path, path);
      if (!params) continue;
      this.current?.destroy?.();
      this.current = route.render(params);
      this.currentPath = path;
      this.outlet.replaceChildren(this.current.el);
      this.onChange(path);
      return;
    }
    location.replace(`#${this.fallback}`);
  }
}

function match(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/');
  const got = path.replace(/\/+$/, '').split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (const [i, part] of want.entries()) {
    const actual = got[i] ?? '';
    if (part.startsWith(':')) {
      if (!actual) return null;
      params[part.slice(1)] = actual;
    } else if (part !== actual) return null;
  }
  return params;
}

function safeDecode(value: string): string {
  try {
    return decodeURI(value);
  } catch {
    return value; // a malformed escape is simply not a known route
  }
}
