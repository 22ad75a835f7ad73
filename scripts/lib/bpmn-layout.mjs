// Shared by scripts/generate-*-bpmn.mjs: lays out one process as a pool with a lane per role on a
// grid (lane × row × column), left to right, and writes it with full diagram interchange to
// processes/<folder>/<file>.
import { writeFileSync } from 'node:fs';

export const COLW = 160, ROWH = 140, POOL_X = 100, POOL_Y = 60, LABEL_BAND = 30, LEFT = 90;
const SIZE = { task: [120, 80], event: [36, 36], gateway: [50, 50] };
export const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function buildBpmn(folder, generator, { file, processId, processName, processAttrs = '', lanes, nodes, flows, messages = [], cols }) {
  // lane geometry
  let y = POOL_Y;
  const laneGeo = {};
  for (const lane of lanes) {
    const h = lane.rows * ROWH;
    laneGeo[lane.id] = { y, h };
    y += h;
  }
  const poolW = LABEL_BAND + LEFT + cols * COLW;
  const poolH = y - POOL_Y;
  const byId = {};
  for (const n of nodes) {
    const kind = n.tag.endsWith('Event') ? 'event' : n.tag.endsWith('Gateway') ? 'gateway' : 'task';
    const [w, h] = SIZE[kind];
    let cx, cy;
    if (n.attachedTo) {
      const host = byId[n.attachedTo];
      cx = host.x + (n.offset ?? 20);
      cy = host.y + host.h;
    } else {
      const lg = laneGeo[n.lane];
      cx = POOL_X + LABEL_BAND + LEFT + n.col * COLW + (n.dx ?? 0);
      cy = lg.y + (n.row ?? 0) * ROWH + ROWH / 2 + (n.dy ?? 0);
    }
    const g = { ...n, kind, w, h, x: cx - w / 2, y: cy - h / 2, cx, cy };
    if (n.attachedTo) g.lane = byId[n.attachedTo].lane;
    byId[n.id] = g;
    // label bounds
    if (kind !== 'task' && n.name) {
      const lp = n.label ?? (kind === 'gateway' ? 'aboveLeft' : 'below');
      if (lp === 'below') g.labelB = { x: cx - 50, y: g.y + h + 4, w: 100, h: 27 };
      if (lp === 'right') g.labelB = { x: cx + 22, y: cy - 7, w: 110, h: 14 };
      if (lp === 'belowLeft') g.labelB = { x: cx - 38, y: cy + 20, w: 34, h: 14 };
      if (lp === 'belowRight') g.labelB = { x: cx + 8, y: cy + 22, w: 100, h: 14 };
      if (lp === 'left') g.labelB = { x: cx - 132, y: cy - 7, w: 110, h: 14 };
      if (lp === 'aboveLeft') g.labelB = { x: cx - 92, y: g.y - 30, w: 80, h: 27 };
      if (lp === 'aboveRight') g.labelB = { x: cx + 8, y: g.y - 30, w: 80, h: 27 };
      if (lp === 'above') g.labelB = { x: cx - 50, y: g.y - 31, w: 100, h: 27 };
    }
  }
  const edges = flows.map((f) => {
    const s = byId[f.from], t = byId[f.to];
    let pts;
    if (f.via) pts = f.via(s, t);
    else if (s.attachedTo) pts = [[s.cx, s.y + s.h], [s.cx, t.cy - (t.cx === s.cx ? t.h / 2 : 0)], ...(t.cx === s.cx ? [] : [[t.x, t.cy]])];
    else if (t.cx > s.cx && Math.abs(t.cy - s.cy) < 1) pts = [[s.x + s.w, s.cy], [t.x, t.cy]];
    else if (t.cx > s.cx && s.kind === 'gateway') pts = [[s.cx, t.cy > s.cy ? s.y + s.h : s.y], [s.cx, t.cy], [t.x, t.cy]];
    else if (t.cx > s.cx) {
      const mx = t.x - 20;
      pts = [[s.x + s.w, s.cy], [mx, s.cy], [mx, t.cy], [t.x, t.cy]];
    } else throw new Error(`backward flow ${f.id} needs via`);
    let label = '';
    // A label position may be computed from the flow's source and target shapes.
    if (typeof f.labelAt === 'function') f.labelAt = f.labelAt(s, t);
    if (f.name) {
      const [a, b] = [pts[pts.length - 2], pts[pts.length - 1]];
      const [p0, p1] = pts;
      let lx = f.labelAt ? f.labelAt[0] : Math.min(a[0], b[0]) + 4;
      let ly = f.labelAt ? f.labelAt[1] : Math.min(a[1], b[1]) - 18;
      if (f.labelFirst) [lx, ly] = [p0[0] + 6, p1[1] > p0[1] ? p0[1] + 4 : p0[1] - 18];
      f.labelB = { x: lx, y: ly, w: f.labelW ?? 70, h: 14 };
      label = `<bpmndi:BPMNLabel><dc:Bounds x="${lx}" y="${ly}" width="${f.labelB.w}" height="14"/></bpmndi:BPMNLabel>`;
    }
    return `      <bpmndi:BPMNEdge id="${f.id}_di" bpmnElement="${f.id}">\n${pts.map(([x, y]) => `        <di:waypoint x="${Math.round(x)}" y="${Math.round(y)}"/>`).join('\n')}${label ? `\n        ${label}` : ''}\n      </bpmndi:BPMNEdge>`;
  });

  const incoming = (id) => flows.filter((f) => f.to === id).map((f) => `<bpmn:incoming>${f.id}</bpmn:incoming>`).join('');
  const outgoing = (id) => flows.filter((f) => f.from === id).map((f) => `<bpmn:outgoing>${f.id}</bpmn:outgoing>`).join('');
  const nodeXml = nodes.map((n) => {
    const attrs = [`id="${n.id}"`, n.name ? `name="${esc(n.name)}"` : '', n.attachedTo ? `attachedToRef="${n.attachedTo}"` : '', n.attrs ?? ''].filter(Boolean).join(' ');
    return `    <bpmn:${n.tag} ${attrs}>${incoming(n.id)}${outgoing(n.id)}${n.inner ?? ''}</bpmn:${n.tag}>`;
  });
  const flowXml = flows.map((f) => {
    const attrs = [`id="${f.id}"`, f.name ? `name="${esc(f.name)}"` : '', `sourceRef="${f.from}"`, `targetRef="${f.to}"`].filter(Boolean).join(' ');
    return f.cond
      ? `    <bpmn:sequenceFlow ${attrs}><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${esc(f.cond)}</bpmn:conditionExpression></bpmn:sequenceFlow>`
      : `    <bpmn:sequenceFlow ${attrs}/>`;
  });
  const laneXml = lanes.map((l) => `      <bpmn:lane id="${l.id}" name="${esc(l.name)}">\n${nodes.filter((n) => !n.attachedTo && n.lane === l.id).map((n) => `        <bpmn:flowNodeRef>${n.id}</bpmn:flowNodeRef>`).join('\n')}\n      </bpmn:lane>`);
  const shapes = [
    `      <bpmndi:BPMNShape id="Participant_${processId}_di" bpmnElement="Participant_${processId}" isHorizontal="true"><dc:Bounds x="${POOL_X}" y="${POOL_Y}" width="${poolW}" height="${poolH}"/></bpmndi:BPMNShape>`,
    ...lanes.map((l) => `      <bpmndi:BPMNShape id="${l.id}_di" bpmnElement="${l.id}" isHorizontal="true"><dc:Bounds x="${POOL_X + LABEL_BAND}" y="${laneGeo[l.id].y}" width="${poolW - LABEL_BAND}" height="${laneGeo[l.id].h}"/></bpmndi:BPMNShape>`),
    ...nodes.map((n) => {
      const g = byId[n.id];
      const extra = n.tag === 'exclusiveGateway' ? ' isMarkerVisible="true"' : '';
      const label = g.labelB ? `<bpmndi:BPMNLabel><dc:Bounds x="${g.labelB.x}" y="${g.labelB.y}" width="${g.labelB.w}" height="${g.labelB.h}"/></bpmndi:BPMNLabel>` : '';
      return `      <bpmndi:BPMNShape id="${n.id}_di" bpmnElement="${n.id}"${extra}><dc:Bounds x="${g.x}" y="${g.y}" width="${g.w}" height="${g.h}"/>${label}</bpmndi:BPMNShape>`;
    }),
  ];
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by scripts/${generator}; edit in a modeller or in the generator. -->
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:itsm="http://itsm-orchestrator.dev/schema/bpmn" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="Definitions_${processId}" targetNamespace="https://itsm-orchestrator.dev/processes" exporter="itsm-orchestrator generator" exporterVersion="1">
${messages.map((m) => `  <bpmn:message id="${m.id}" name="${m.name}"${m.key ? ` itsm:correlationKey="${esc(m.key)}"` : ''}/>`).join('\n')}
  <bpmn:collaboration id="Collaboration_${processId}">
    <bpmn:participant id="Participant_${processId}" name="${esc(processName)}" processRef="${processId}"/>
  </bpmn:collaboration>
  <bpmn:process id="${processId}" name="${esc(processName)}" isExecutable="true"${processAttrs}>
    <bpmn:laneSet id="LaneSet_${processId}">
${laneXml.join('\n')}
    </bpmn:laneSet>
${nodeXml.join('\n')}
${flowXml.join('\n')}
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_${processId}">
    <bpmndi:BPMNPlane id="BPMNPlane_${processId}" bpmnElement="Collaboration_${processId}">
${shapes.join('\n')}
${edges.join('\n')}
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
`;
  writeFileSync(new URL(`../../processes/${folder}/${file}`, import.meta.url), xml);
}

/** camunda:inputOutput with input and output parameters ([name, value] pairs). */
export const io = (inputs, outputs = []) => `<bpmn:extensionElements><camunda:inputOutput>${inputs.map(([k, v]) => `<camunda:inputParameter name="${k}">${esc(v)}</camunda:inputParameter>`).join('')}${outputs.map(([k, v]) => `<camunda:outputParameter name="${k}">${esc(v)}</camunda:outputParameter>`).join('')}</camunda:inputOutput></bpmn:extensionElements>`;
export const timerDate = (expr) => `<bpmn:timerEventDefinition><bpmn:timeDate xsi:type="bpmn:tFormalExpression">${esc(expr)}</bpmn:timeDate></bpmn:timerEventDefinition>`;
export const timerCycle = (expr) => `<bpmn:timerEventDefinition><bpmn:timeCycle xsi:type="bpmn:tFormalExpression">${esc(expr)}</bpmn:timeCycle></bpmn:timerEventDefinition>`;
export const timerDuration = (expr) => `<bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">${esc(expr)}</bpmn:timeDuration></bpmn:timerEventDefinition>`;
export const msg = (ref) => `<bpmn:messageEventDefinition messageRef="${ref}"/>`;
export const ut = (form, who) => `camunda:formRef="${form}" ${who}`;
