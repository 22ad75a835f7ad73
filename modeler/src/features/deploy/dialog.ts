/** A modal <dialog> with a title, a body and confirm/cancel buttons (Esc cancels; focus stays inside). */
import { h } from '../../dom';

export interface ModalDialog {
  el: HTMLDialogElement;
  /** true: confirmed; false: cancelled or closed. */
  result: Promise<boolean>;
  close(): void;
}

export function modalDialog(title: string, body: Node, options: { confirm?: string; cancel?: string; testId?: string } = {}): ModalDialog {
  let settle: (value: boolean) => void = () => {};
  const result = new Promise<boolean>((resolve) => (settle = resolve));
  const heading = h('h2', { class: 'dialog-title' }, title);
  const buttons = h('div', { class: 'dialog-buttons' });
  const el = h('dialog', { class: 'modal', 'aria-label': title, 'data-testid': options.testId ?? 'dialog' }, h('div', { class: 'dialog-head' }, heading, buttons), body);
  if (options.confirm) buttons.append(h('button', { type: 'button', class: 'primary', 'data-testid': 'dialog-confirm', onclick: () => settle(true) }, options.confirm));
  buttons.append(h('button', { type: 'button', 'data-testid': 'dialog-cancel', onclick: () => settle(false) }, options.cancel ?? (options.confirm ? 'Cancel' : 'Close')));
  el.addEventListener('cancel', (event) => {
    event.preventDefault();
    settle(false);
  });
  document.body.append(el);
  el.showModal();
  const close = () => {
    settle(false);
    if (el.open) el.close();
    el.remove();
  };
  void result.then(() => {
    // the caller reads the editor before closing; close() removes the dialog
  });
  return { el, result, close };
}
