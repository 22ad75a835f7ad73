import type Canvas from 'diagram-js/lib/core/Canvas';
import type ElementRegistry from 'diagram-js/lib/core/ElementRegistry';

export const ACTIVE_MARKER = 'itsm-active';
export const COMPLETED_MARKER = 'itsm-completed';

/**
 * Paints an instance's progress on a read-only diagram: elements it completed (from the
 * history's `element.completed` events) and elements it is waiting in now.
 */
export default class ExecutionMarkers {
  static $inject = ['canvas', 'elementRegistry'];

  constructor(
    private readonly canvas: Canvas,
    private readonly elementRegistry: ElementRegistry,
  ) {}

  /** Returns the ids that are not on this diagram (e.g. a history from another version). */
  mark(progress: { completed: Iterable<string>; active: Iterable<string> }): string[] {
    const missing: string[] = [];
    const add = (id: string, marker: string) => {
      if (this.elementRegistry.get(id)) this.canvas.addMarker(id, marker);
      else missing.push(id);
    };
    for (const id of new Set(progress.completed)) add(id, COMPLETED_MARKER);
    for (const id of new Set(progress.active)) add(id, ACTIVE_MARKER);
    return missing;
  }
}
