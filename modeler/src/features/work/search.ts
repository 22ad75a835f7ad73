import { h } from '../../dom';

/** One labelled control of a search form. */
export function field(id: string, label: string, control: HTMLElement): HTMLElement {
  control.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, label), control);
}

export function select(name: string, options: [string, string][], testId: string): HTMLSelectElement {
  return h('select', { name, 'data-testid': testId }, ...options.map(([value, label]) => h('option', { value }, label)));
}

/** The values of a search form, trimmed, empty ones left out; kept per tab so a return to the page keeps them. */
export function formValues(form: HTMLFormElement): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [k, v] of new FormData(form).entries()) if (typeof v === 'string' && v.trim()) values[k] = v.trim();
  return values;
}

export function restoreForm(form: HTMLFormElement, storageKey: string): void {
  try {
    const saved = JSON.parse(sessionStorage.getItem(storageKey) ?? '{}') as Record<string, unknown>;
    for (const [k, v] of Object.entries(saved)) {
      const control = form.elements.namedItem(k);
      if (typeof v === 'string' && (control instanceof HTMLInputElement || control instanceof HTMLSelectElement)) control.value = v;
    }
  } catch {
    // a damaged entry: start empty
  }
}
