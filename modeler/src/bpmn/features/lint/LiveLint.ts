import type Canvas from 'diagram-js/lib/core/Canvas';
import type ElementRegistry from 'diagram-js/lib/core/ElementRegistry';
import type EventBus from 'diagram-js/lib/core/EventBus';
import type Overlays from 'diagram-js/lib/features/overlays/Overlays';
import type Selection from 'diagram-js/lib/features/selection/Selection';
import type { DefinitionProblem } from '../../../api/client';
import { validateOnServer, type ValidationResult } from '../../server-catalog';

export const LINT_ERROR_MARKER = 'itsm-lint-error';
export const LINT_WARNING_MARKER = 'itsm-lint-warning';
const OVERLAY_TYPE = 'itsm-lint';

export interface LiveLintConfig {
  /** Runs the deploy checks; default POST /api/definitions/validate (the server's own rules). */
  validate?: (xml: string) => Promise<ValidationResult>;
  /** Where the problem list goes; default: a panel floating over the canvas's bottom-left corner. */
  list?: HTMLElement;
  /** Quiet time after the last edit before checking, ms (default 600). */
  delay?: number;
}

/** What the last check found; `state` is `pending` while a check is due or running. */
export interface LintSnapshot {
  state: 'pending' | 'done' | 'unavailable';
  problems: DefinitionProblem[];
  warnings: DefinitionProblem[];
  /** Why the check could not run (state `unavailable`). */
  reason?: string;
}

interface SaveXml {
  saveXML(options?: { format?: boolean }): Promise<{ xml?: string }>;
}

/**
 * Live lint: after each edit (debounced) the diagram is checked with exactly the rules the server
 * applies at deploy, by the server itself (`POST /api/definitions/validate`: bpmnlint's LINT_RULES
 * plus the engine's own rules, one rule set). Each finding marks its element (red: the deploy
 * would be refused, amber: a warning) with a badge whose hover shows the messages, and is listed
 * in a collapsible list; a check whose edit was superseded is dropped, so fixing a problem clears it.
 */
export default class LiveLint {
  static $inject = ['eventBus', 'canvas', 'overlays', 'elementRegistry', 'selection', 'bpmnjs', 'config.itsmLint'];

  private snapshot: LintSnapshot = { state: 'pending', problems: [], warnings: [] };
  private timer: ReturnType<typeof setTimeout> | null = null;
  private seq = 0;
  private destroyed = false;
  private marked = new Map<string, string>();
  private readonly validate: (xml: string) => Promise<ValidationResult>;
  private readonly delay: number;
  private readonly listEl: HTMLElement;
  private readonly ownsList: boolean;
  private readonly details: HTMLDetailsElement;
  private readonly summary: HTMLElement;
  private readonly items: HTMLUListElement;

  constructor(
    private readonly eventBus: EventBus,
    private readonly canvas: Canvas,
    private readonly overlays: Overlays,
    private readonly elementRegistry: ElementRegistry,
    private readonly selection: Selection,
    private readonly bpmnjs: SaveXml,
    config: LiveLintConfig | undefined,
  ) {
    this.validate = config?.validate ?? validateOnServer;
    this.delay = config?.delay ?? 600;
    this.ownsList = !config?.list;
    this.listEl = config?.list ?? canvas.getContainer().appendChild(document.createElement('div'));
    this.listEl.classList.add('itsm-lint-list');
    if (this.ownsList) this.listEl.classList.add('floating');
    this.listEl.dataset.testid = 'lint-list';
    this.details = document.createElement('details');
    this.summary = document.createElement('summary');
    this.items = document.createElement('ul');
    this.details.append(this.summary, this.items);
    this.listEl.replaceChildren(this.details);
    this.renderList();

    eventBus.on('import.done', (event: { error?: unknown }) => {
      if (!event.error) {
        this.schedule(0);
        return;
      }
      // Nothing was drawn (e.g. a document without a process): nothing to check, and nothing to save.
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.seq++;
      this.snapshot = { state: 'unavailable', problems: [], warnings: [], reason: 'the document could not be drawn' };
      this.render();
    });
    eventBus.on('commandStack.changed', () => this.schedule(this.delay));
    eventBus.on('diagram.clear', () => {
      this.marked.clear();
    });
    eventBus.on('diagram.destroy', () => {
      this.destroyed = true;
      if (this.timer) clearTimeout(this.timer);
      if (this.ownsList) this.listEl.remove();
    });
  }

  /** The last check's findings. */
  current(): LintSnapshot {
    return { ...this.snapshot, problems: [...this.snapshot.problems], warnings: [...this.snapshot.warnings] };
  }

  /** Checks now (e.g. before saving), and answers what was found. */
  async checkNow(): Promise<LintSnapshot> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.run();
    return this.current();
  }

  private schedule(delay: number): void {
    if (this.destroyed) return;
    if (this.timer) clearTimeout(this.timer);
    this.seq++;
    this.setState('pending');
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.run();
    }, delay);
  }

  private async run(): Promise<void> {
    const seq = ++this.seq;
    let result: ValidationResult;
    try {
      const { xml } = await this.bpmnjs.saveXML({ format: false });
      result = await this.validate(xml ?? '');
    } catch (error) {
      if (seq !== this.seq || this.destroyed) return;
      this.snapshot = { state: 'unavailable', problems: [], warnings: [], reason: error instanceof Error ? error.message : String(error) };
      this.render();
      return;
    }
    if (seq !== this.seq || this.destroyed) return; // superseded by a newer edit
    this.snapshot = { state: 'done', problems: result.problems ?? [], warnings: result.warnings ?? [] };
    this.render();
  }

  private setState(state: LintSnapshot['state']): void {
    this.snapshot = { ...this.snapshot, state };
    this.listEl.dataset.state = state;
  }

  private render(): void {
    this.listEl.dataset.state = this.snapshot.state;
    this.renderMarkers();
    this.renderList();
    this.eventBus.fire('itsm.lint.changed', { lint: this.current() });
  }

  private renderMarkers(): void {
    for (const [id, marker] of this.marked) if (this.elementRegistry.get(id)) this.canvas.removeMarker(id, marker);
    this.marked.clear();
    this.overlays.remove({ type: OVERLAY_TYPE });

    const byElement = new Map<string, { errors: string[]; warnings: string[] }>();
    const add = (p: DefinitionProblem, kind: 'errors' | 'warnings') => {
      if (!p.elementId || !this.onCanvas(p.elementId)) return;
      const entry = byElement.get(p.elementId) ?? { errors: [], warnings: [] };
      entry[kind].push(p.message);
      byElement.set(p.elementId, entry);
    };
    for (const p of this.snapshot.problems) add(p, 'errors');
    for (const p of this.snapshot.warnings) add(p, 'warnings');

    for (const [id, { errors, warnings }] of byElement) {
      const marker = errors.length ? LINT_ERROR_MARKER : LINT_WARNING_MARKER;
      this.canvas.addMarker(id, marker);
      this.marked.set(id, marker);
      const badge = document.createElement('div');
      badge.className = `itsm-lint-badge ${errors.length ? 'error' : 'warning'}`;
      badge.dataset.testid = 'lint-badge';
      badge.dataset.elementId = id;
      const messages = [...errors.map((m) => `Refused: ${m}`), ...warnings.map((m) => `Warning: ${m}`)];
      badge.title = messages.join('\n');
      badge.textContent = String(errors.length || warnings.length);
      const tip = document.createElement('div');
      tip.className = 'itsm-lint-tip';
      tip.setAttribute('role', 'tooltip');
      for (const message of messages) tip.appendChild(document.createElement('p')).textContent = message;
      badge.appendChild(tip);
      this.overlays.add(id, OVERLAY_TYPE, { position: { top: -10, right: 10 }, html: badge });
    }
  }

  /** A diagram element other than the root (the process itself has no shape to mark). */
  private onCanvas(id: string): boolean {
    const element = this.elementRegistry.get(id);
    return Boolean(element) && element !== this.canvas.getRootElement();
  }

  private renderList(): void {
    const { state, problems, warnings, reason } = this.snapshot;
    const parts: string[] = [];
    if (state === 'unavailable') parts.push('Live check unavailable');
    else {
      parts.push(`${problems.length} problem${problems.length === 1 ? '' : 's'}`, `${warnings.length} warning${warnings.length === 1 ? '' : 's'}`);
      if (state === 'pending') parts.push('checking…');
    }
    this.summary.textContent = parts.join(' · ');
    this.listEl.classList.toggle('has-problems', problems.length > 0);
    const rows: HTMLLIElement[] = [];
    if (state === 'unavailable' && reason) {
      const li = document.createElement('li');
      li.textContent = reason;
      rows.push(li);
    }
    for (const [kind, list] of [['error', problems], ['warning', warnings]] as const) {
      for (const p of list) {
        const li = document.createElement('li');
        li.className = kind;
        li.dataset.rule = p.rule;
        if (p.elementId) li.dataset.elementId = p.elementId;
        const label = document.createElement(p.elementId && this.onCanvas(p.elementId) ? 'button' : 'span');
        label.textContent = `${kind === 'error' ? 'Refused' : 'Warning'}${p.elementId ? ` · ${this.nameOf(p.elementId)}` : ''}: ${p.message}`;
        if (label instanceof HTMLButtonElement) {
          label.type = 'button';
          label.addEventListener('click', () => this.focus(p.elementId!));
        }
        li.appendChild(label);
        rows.push(li);
      }
    }
    this.items.replaceChildren(...rows);
  }

  private nameOf(id: string): string {
    const element = this.elementRegistry.get(id) as { businessObject?: { name?: string } } | undefined;
    const name = element?.businessObject?.name?.trim();
    return name ? `${name} (${id})` : id;
  }

  private focus(id: string): void {
    const element = this.elementRegistry.get(id);
    if (!element) return;
    this.selection.select(element);
    this.canvas.scrollToElement(id);
  }
}
