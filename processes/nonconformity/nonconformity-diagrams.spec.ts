import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createModdle } from '../../engine/definitions/moddle';

/**
 * The nonconformity flow must open cleanly in bpmn-js and Camunda Modeler: every flow node, sequence
 * flow, lane and the pool has diagram interchange, no two shapes (nor their labels) overlap, each
 * node sits inside its lane, and every edge starts at its source and ends at its target.
 * (bpmn-js itself needs a browser; this is the same check at moddle level.)
 */
interface Bounds { x: number; y: number; width: number; height: number }
interface El { id: string; $type: string; name?: string; attachedToRef?: El; sourceRef?: El; targetRef?: El; flowNodeRef?: El[]; flowElements?: El[]; laneSets?: { lanes: El[] }[] }
interface DiEl { $type: string; bpmnElement: El; bounds?: Bounds; label?: { bounds?: Bounds }; waypoint?: { x: number; y: number }[] }

const overlaps = (a: Bounds, b: Bounds) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
const inside = (inner: Bounds, outer: Bounds) => inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.width <= outer.x + outer.width && inner.y + inner.height <= outer.y + outer.height;
const near = (p: { x: number; y: number }, b: Bounds, tolerance = 10) =>
  p.x >= b.x - tolerance && p.x <= b.x + b.width + tolerance && p.y >= b.y - tolerance && p.y <= b.y + b.height + tolerance;

async function load(file: string) {
  const xml = readFileSync(join(__dirname, file), 'utf8');
  const { rootElement, warnings } = (await createModdle().fromXML(xml)) as { rootElement: { rootElements: El[]; diagrams: { plane: { planeElement: DiEl[] } }[] }; warnings: unknown[] };
  const process = rootElement.rootElements.find((e) => e.$type === 'bpmn:Process')!;
  const collaboration = rootElement.rootElements.find((e) => e.$type === 'bpmn:Collaboration') as unknown as { participants: El[] };
  const di = new Map(rootElement.diagrams[0].plane.planeElement.map((d) => [d.bpmnElement.id, d]));
  return { warnings, process, participant: collaboration.participants[0], di };
}

describe.each(['nonconformity_capa.bpmn'])('diagram of %s', (file) => {
  it('parses without warnings; the pool, every lane, flow node and sequence flow has its shape or edge', async () => {
    const { warnings, process, participant, di } = await load(file);
    expect(warnings).toEqual([]);
    expect((participant as unknown as { processRef: El }).processRef.id).toBe(process.id);
    const missing = [participant, ...process.laneSets![0].lanes, ...process.flowElements!].filter((e) => !di.has(e.id)).map((e) => e.id);
    expect(missing).toEqual([]);
  });

  it('places no shape or label over another, every node inside its lane and every edge from its source to its target', async () => {
    const { process, participant, di } = await load(file);
    const nodes = process.flowElements!.filter((e) => e.$type !== 'bpmn:SequenceFlow');
    const flows = process.flowElements!.filter((e) => e.$type === 'bpmn:SequenceFlow');
    const boxes: { id: string; owner: string; host?: string; b: Bounds }[] = [];
    for (const n of nodes) {
      const shape = di.get(n.id)!;
      boxes.push({ id: n.id, owner: n.id, host: n.attachedToRef?.id, b: shape.bounds! });
      if (shape.label?.bounds) boxes.push({ id: `${n.id} (label)`, owner: n.id, b: shape.label.bounds });
    }
    for (const f of flows) { const b = di.get(f.id)!.label?.bounds; if (b) boxes.push({ id: `${f.id} (label)`, owner: f.id, b }); }
    const clashes: string[] = [];
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, b] = [boxes[i], boxes[j]];
        if (a.owner === b.owner || a.host === b.owner || b.host === a.owner) continue;
        if (overlaps(a.b, b.b)) clashes.push(`${a.id} × ${b.id}`);
      }
    expect(clashes).toEqual([]);
    // a named event or gateway without label bounds gets bpmn-js's default label position, which nobody checked
    const unplaced = nodes.filter((n) => n.name && !/Task$|Activity$/.test(n.$type) && !di.get(n.id)!.label?.bounds).map((n) => n.id);
    expect(unplaced).toEqual([]);

    const pool = di.get(participant.id)!.bounds!;
    const outside: string[] = [];
    for (const lane of process.laneSets![0].lanes) {
      const laneBounds = di.get(lane.id)!.bounds!;
      if (!inside(laneBounds, pool)) outside.push(`${lane.id} outside the pool`);
      for (const n of lane.flowNodeRef ?? []) if (!inside(di.get(n.id)!.bounds!, laneBounds)) outside.push(`${n.id} outside ${lane.id}`);
    }
    const inLane = new Set(process.laneSets![0].lanes.flatMap((l) => (l.flowNodeRef ?? []).map((n) => n.id)));
    for (const n of nodes) if (!n.attachedToRef && !inLane.has(n.id)) outside.push(`${n.id} in no lane`);
    for (const n of nodes) if (n.attachedToRef && !inside(di.get(n.id)!.bounds!, pool)) outside.push(`${n.id} outside the pool`);
    expect(outside).toEqual([]);

    const loose: string[] = [];
    for (const f of flows) {
      const points = di.get(f.id)!.waypoint!;
      if (points.length < 2) loose.push(`${f.id} has ${points.length} waypoints`);
      if (!near(points[0], di.get(f.sourceRef!.id)!.bounds!)) loose.push(`${f.id} does not start at ${f.sourceRef!.id}`);
      if (!near(points[points.length - 1], di.get(f.targetRef!.id)!.bounds!)) loose.push(`${f.id} does not end at ${f.targetRef!.id}`);
      for (let i = 1; i < points.length; i++) if (points[i].x !== points[i - 1].x && points[i].y !== points[i - 1].y) loose.push(`${f.id} has a diagonal segment`);
      if (!points.every((p) => near(p, pool, 0))) loose.push(`${f.id} leaves the pool`);
    }
    expect(loose).toEqual([]);
  });

  it('lays out left to right: the start event is the leftmost node', async () => {
    const { process, di } = await load(file);
    const starts = process.flowElements!.filter((e) => e.$type === 'bpmn:StartEvent');
    const minX = Math.min(...process.flowElements!.filter((e) => e.$type !== 'bpmn:SequenceFlow').map((e) => di.get(e.id)!.bounds!.x));
    expect(starts.map((s) => di.get(s.id)!.bounds!.x)).toEqual([minX]);
  });
});
