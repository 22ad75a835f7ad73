import type Canvas from 'diagram-js/lib/core/Canvas';
import type ElementRegistry from 'diagram-js/lib/core/ElementRegistry';
import type Overlays from 'diagram-js/lib/features/overlays/Overlays';

export const VISITED_MARKER = 'replay-visited';
export const CURRENT_MARKER = 'replay-current';
export const TOKEN_MARKER = 'replay-token-holder';
const OVERLAY_TYPE = 'replay-token';

/** One replay position: what was done before it, what it is, where the tokens are. */
export interface TokenPosition {
  /** Elements (and sequence flows) completed or taken up to this step. */
  visited: Iterable<string>;
  /** The element of this step's event, if it is on the diagram. */
  current: string | null;
  /** Element ids holding a token; an element with several tokens appears several times. */
  tokens: readonly string[];
}

/**
 * Shows a replay step on a read-only diagram: markers for what the instance had done, the
 * element of the current event, and a token badge (with a count when there are several) on
 * every element holding a token. Each call replaces the previous step.
 */
export default class TokenMarkers {
  static $inject = ['canvas', 'elementRegistry', 'overlays'];
  private marked: [string, string][] = [];

  constructor(
    private readonly canvas: Canvas,
    private readonly elementRegistry: ElementRegistry,
    private readonly overlays: Overlays,
  ) {}

  show(position: TokenPosition): void {
    this.clear();
    const mark = (id: string, marker: string) => {
      if (!this.elementRegistry.get(id)) return;
      this.canvas.addMarker(id, marker);
      this.marked.push([id, marker]);
    };
    for (const id of new Set(position.visited)) mark(id, VISITED_MARKER);
    const counts = new Map<string, number>();
    for (const id of position.tokens) counts.set(id, (counts.get(id) ?? 0) + 1);
    for (const [id, count] of counts) {
      if (!this.elementRegistry.get(id)) continue;
      mark(id, TOKEN_MARKER);
      const badge = document.createElement('span');
      badge.className = 'replay-token';
      badge.dataset.elementId = id;
      badge.title = count > 1 ? `${count} tokens` : 'token';
      badge.textContent = count > 1 ? String(count) : '';
      this.overlays.add(id, OVERLAY_TYPE, { position: { top: -10, left: -10 }, html: badge });
    }
    if (position.current) mark(position.current, CURRENT_MARKER);
  }

  clear(): void {
    for (const [id, marker] of this.marked) this.canvas.removeMarker(id, marker);
    this.marked = [];
    this.overlays.remove({ type: OVERLAY_TYPE });
  }
}
