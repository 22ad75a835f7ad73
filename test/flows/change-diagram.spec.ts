import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import BpmnModdle from 'bpmn-moddle';

/**
 * The change flows open cleanly in bpmn-js: parsed with plain bpmn-moddle (what bpmn-js uses),
 * no import warnings; every flow node and sequence flow has a shape or an edge; shapes do not
 * overlap; each sits inside the lane that lists it; labels do not overlap each other.
 */
interface Bounds { x: number; y: number; width: number; height: number }
interface El { $type: string; id: string; name?: string; flowElements?: El[]; laneSets?: { lanes: (El & { flowNodeRef?: El[] })[] }[] }

const DIR = join(__dirname, '..', '..', 'processes', 'change');
const overlap = (a: Bounds, b: Bounds) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
const inside = (a: Bounds, b: Bounds) => a.x >= b.x && a.y >= b.y && a.x + a.width <= b.x + b.width && a.y + a.height <= b.y + b.height;

describe.each(['change_management.bpmn', 'cab_review.bpmn'])('%s diagram', (file) => {
  let definitions: { rootElements: El[]; diagrams: { plane: { planeElement: { $type: string; bpmnElement?: El; bounds?: Bounds; waypoint?: unknown[]; label?: { bounds: Bounds } }[] } }[] };
  let warnings: unknown[];

  beforeAll(async () => {
    const parsed = await new BpmnModdle().fromXML(readFileSync(join(DIR, file), 'utf8'));
    definitions = parsed.rootElement as unknown as typeof definitions;
    warnings = parsed.warnings;
  });

  const process = () => definitions.rootElements.find((e) => e.$type === 'bpmn:Process')!;
  const nodes = () => (process().flowElements ?? []).filter((e) => e.$type !== 'bpmn:SequenceFlow');
  const flows = () => (process().flowElements ?? []).filter((e) => e.$type === 'bpmn:SequenceFlow');
  const di = () => definitions.diagrams[0].plane.planeElement;
  const shapeOf = (id: string) => di().find((d) => d.$type === 'bpmndi:BPMNShape' && d.bpmnElement?.id === id);

  it('parses without warnings and has a shape for every flow node and an edge for every sequence flow', () => {
    expect(warnings).toEqual([]);
    expect(nodes().length).toBeGreaterThan(2);
    expect(nodes().filter((n) => !shapeOf(n.id)?.bounds).map((n) => n.id)).toEqual([]);
    const edges = flows().filter((f) => !di().some((d) => d.$type === 'bpmndi:BPMNEdge' && d.bpmnElement?.id === f.id && (d.waypoint?.length ?? 0) >= 2));
    expect(edges.map((f) => f.id)).toEqual([]);
  });

  it('has no overlapping shapes', () => {
    const shapes = nodes().map((n) => ({ id: n.id, b: shapeOf(n.id)!.bounds! }));
    const clashes: string[] = [];
    for (let i = 0; i < shapes.length; i++) for (let j = i + 1; j < shapes.length; j++) if (overlap(shapes[i].b, shapes[j].b)) clashes.push(`${shapes[i].id}/${shapes[j].id}`);
    expect(clashes).toEqual([]);
  });

  it('puts every flow node in exactly one lane, inside that lane; lanes inside the pool, one lane per role', () => {
    const lanes = process().laneSets![0].lanes;
    const pool = di().find((d) => d.bpmnElement?.$type === 'bpmn:Participant')!.bounds!;
    for (const node of nodes()) {
      const owners = lanes.filter((l) => (l.flowNodeRef ?? []).some((r) => r.id === node.id));
      expect(owners.map((l) => l.id)).toHaveLength(1);
      const lane = shapeOf(owners[0].id)!.bounds!;
      expect({ node: node.id, inside: inside(shapeOf(node.id)!.bounds!, lane) }).toEqual({ node: node.id, inside: true });
      expect(inside(lane, pool)).toBe(true);
    }
    expect(new Set(lanes.map((l) => l.name)).size).toBe(lanes.length);
  });

  it('has no overlapping labels, and no label over a shape', () => {
    const labels = di().filter((d) => d.label?.bounds).map((d) => ({ id: d.bpmnElement!.id, b: d.label!.bounds }));
    const shapes = nodes().map((n) => ({ id: n.id, b: shapeOf(n.id)!.bounds! }));
    const clashes: string[] = [];
    for (let i = 0; i < labels.length; i++) {
      for (let j = i + 1; j < labels.length; j++) if (overlap(labels[i].b, labels[j].b)) clashes.push(`${labels[i].id}/${labels[j].id}`);
      for (const s of shapes) if (overlap(labels[i].b, s.b)) clashes.push(`${labels[i].id} over ${s.id}`);
    }
    expect(clashes).toEqual([]);
    // every named event, gateway and flow has its label placed
    const named = [...nodes(), ...flows()].filter((e) => e.name && !/Task$|CallActivity$/.test(e.$type));
    expect(named.filter((e) => !labels.some((l) => l.id === e.id)).map((e) => e.id)).toEqual([]);
  });

  it('draws no sequence flow through a shape it does not connect', () => {
    const crossings: string[] = [];
    for (const f of flows() as (El & { sourceRef: El; targetRef: El })[]) {
      const points = di().find((d) => d.bpmnElement?.id === f.id)!.waypoint as { x: number; y: number }[];
      for (const n of nodes()) {
        if (n.id === f.sourceRef.id || n.id === f.targetRef.id) continue;
        const b = shapeOf(n.id)!.bounds!;
        for (let i = 1; i < points.length; i++) {
          const [a, c] = [points[i - 1], points[i]];
          const seg = { x: Math.min(a.x, c.x), y: Math.min(a.y, c.y), width: Math.abs(a.x - c.x) || 0.1, height: Math.abs(a.y - c.y) || 0.1 };
          if (overlap(seg, b)) crossings.push(`${f.id} through ${n.id}`);
        }
      }
    }
    expect(crossings).toEqual([]);
  });

  it('runs left to right: every sequence flow ends to the right of where it starts, or at the same column', () => {
    const backwards = flows().filter((f) => {
      const edge = di().find((d) => d.bpmnElement?.id === f.id)!.waypoint as { x: number }[];
      return edge[edge.length - 1].x < edge[0].x;
    });
    expect(backwards.map((f) => f.id)).toEqual([]);
  });
});
