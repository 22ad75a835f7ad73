import { ApiError, type DefinitionProblem } from './api/client';
import { h, replace } from './dom';

export type Tone = 'success' | 'error' | 'info';

/**
 * A live region that shows the outcome of the last action: a line of text, or a problem+json
 * answer with its `problems` list. `onProblem` makes element-bound problems clickable.
 */
export class MessageArea {
  readonly el = h('div', { class: 'messages', role: 'status', 'aria-live': 'polite', 'data-testid': 'messages' });

  constructor(private readonly onProblem?: (problem: DefinitionProblem) => void) {}

  clear(): void {
    replace(this.el);
  }

  show(tone: Tone, text: string, ...extra: Node[]): void {
    replace(this.el, h('div', { class: `message ${tone}`, 'data-tone': tone }, h('p', { 'data-testid': 'message-text' }, text), ...extra));
  }

  /** Shows any error; problem+json answers show their detail and problem list. */
  error(error: unknown): void {
    if (!(error instanceof ApiError)) {
      this.show('error', error instanceof Error ? error.message : String(error));
      return;
    }
    const { problem } = error;
    const list = problem.problems?.length ? this.problemList(problem.problems, 'problems') : null;
    this.show('error', `${problem.status} ${problem.title}: ${problem.detail}`, ...(list ? [list] : []));
  }

  /** A list of definition problems or warnings; entries with an element id are buttons. */
  problemList(problems: DefinitionProblem[], testId: string): HTMLElement {
    return h(
      'ul',
      { class: 'problems', 'data-testid': testId },
      ...problems.map((p) => {
        const label = `${p.elementId ? `${p.elementId}: ` : ''}${p.message} (${p.rule})`;
        const onProblem = this.onProblem;
        return h(
          'li',
          { 'data-element-id': p.elementId },
          p.elementId && onProblem
            ? h('button', { type: 'button', class: 'link', title: 'Show on the diagram', onclick: () => onProblem(p) }, label)
            : label,
        );
      }),
    );
  }
}
