import type Canvas from 'diagram-js/lib/core/Canvas';
import type ElementRegistry from 'diagram-js/lib/core/ElementRegistry';
import type EventBus from 'diagram-js/lib/core/EventBus';
import type Selection from 'diagram-js/lib/features/selection/Selection';

export const PROBLEM_MARKER = 'itsm-problem';
export const FOCUS_MARKER = 'itsm-problem-focus';

/**
 * Marks the elements a refused deploy named, and brings one of them into view on request.
 * Markers are only CSS classes on the element's graphics; the diagram itself is not changed.
 */
export default class ProblemMarkers {
  static $inject = ['canvas', 'elementRegistry', 'selection', 'eventBus'];

  private marked = new Set<string>();
  private focused: string | null = null;

  constructor(
    private readonly canvas: Canvas,
    private readonly elementRegistry: ElementRegistry,
    private readonly selection: Selection,
    eventBus: EventBus,
  ) {
    // A new import replaces every element; stale ids must not be unmarked later.
    eventBus.on('diagram.clear', () => {
      this.marked.clear();
      this.focused = null;
    });
  }

  /** Marks every element named by a problem; returns the ids not found on this diagram. */
  show(elementIds: readonly string[]): string[] {
    this.clear();
    const missing: string[] = [];
    for (const id of new Set(elementIds)) {
      if (!this.elementRegistry.get(id)) {
        missing.push(id);
        continue;
      }
      this.canvas.addMarker(id, PROBLEM_MARKER);
      this.marked.add(id);
    }
    return missing;
  }

  /** Selects one element, highlights it and scrolls it into view. False if it is not here. */
  focus(elementId: string): boolean {
    const element = this.elementRegistry.get(elementId);
    if (!element) return false;
    if (this.focused) this.canvas.removeMarker(this.focused, FOCUS_MARKER);
    this.canvas.addMarker(elementId, FOCUS_MARKER);
    this.focused = elementId;
    this.selection.select(element);
    this.canvas.scrollToElement(elementId);
    return true;
  }

  clear(): void {
    for (const id of this.marked) if (this.elementRegistry.get(id)) this.canvas.removeMarker(id, PROBLEM_MARKER);
    if (this.focused && this.elementRegistry.get(this.focused)) this.canvas.removeMarker(this.focused, FOCUS_MARKER);
    this.marked.clear();
    this.focused = null;
  }
}
