// Generates processes/problem/problem_management.bpmn with full diagram interchange (left to right, a lane per role).
// Run: node scripts/generate-problem-bpmn.mjs. The layout is a grid: lane × row × column.
import { writeFileSync } from 'node:fs';

const COLW = 160, ROWH = 140, POOL_X = 100, POOL_Y = 60, LABEL_BAND = 30, LEFT = 90;
const SIZE = { task: [120, 80], event: [36, 36], gateway: [50, 50] };
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function build({ file, processId, processName, processAttrs = '', lanes, nodes, flows, messages = [], cols }) {
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
<!-- Generated by scripts/generate-problem-bpmn.mjs; edit in a modeller or in the generator. -->
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
  writeFileSync(new URL(`../processes/problem/${file}`, import.meta.url), xml);
}

const io = (inputs, outputs = []) => `<bpmn:extensionElements><camunda:inputOutput>${inputs.map(([k, v]) => `<camunda:inputParameter name="${k}">${esc(v)}</camunda:inputParameter>`).join('')}${outputs.map(([k, v]) => `<camunda:outputParameter name="${k}">${esc(v)}</camunda:outputParameter>`).join('')}</camunda:inputOutput></bpmn:extensionElements>`;
const timerDate = (expr) => `<bpmn:timerEventDefinition><bpmn:timeDate xsi:type="bpmn:tFormalExpression">${esc(expr)}</bpmn:timeDate></bpmn:timerEventDefinition>`;
const timerDuration = (expr) => `<bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">${esc(expr)}</bpmn:timeDuration></bpmn:timerEventDefinition>`;
const msg = (ref) => `<bpmn:messageEventDefinition messageRef="${ref}"/>`;
const ut = (form, who) => `camunda:formRef="${form}" ${who}`;

// ---------------------------------------------------------------- problem_management
// Started only by the message `raise-problem` (an incident throws it with its number as `sourceRecord`;
// a problem manager raises one by hand with POST /api/messages): deploy validation refuses a none start
// beside a message start, and one entry path keeps a single logging step for both.
{
  const PM = 'Lane_ProblemManager', RES = 'Lane_Specialists', SYS = 'Lane_System';
  const lanes = [
    { id: PM, name: 'Problem manager', rows: 2 },
    { id: RES, name: 'Technical specialists', rows: 2 },
    { id: SYS, name: 'System', rows: 1 },
  ];
  const pm = 'camunda:candidateGroups="problem-managers"', res = 'camunda:candidateGroups="resolvers"';
  const nodes = [
    { id: 'SE_ProblemRaised', tag: 'startEvent', name: 'Problem raised', lane: PM, col: 0, inner: msg('Msg_RaiseProblem') },
    { id: 'UT_LogProblem', tag: 'userTask', name: 'Log problem', lane: PM, col: 1, attrs: ut('problem-log', `${pm} itsm:recordState="logged"`) },
    { id: 'UT_Categorise', tag: 'userTask', name: 'Categorise and prioritise', lane: PM, col: 2, attrs: ut('problem-categorise', pm) },
    { id: 'XG_Duplicate', tag: 'exclusiveGateway', name: 'New problem?', lane: PM, col: 3, attrs: 'default="Flow_NewProblem"' },
    { id: 'EE_Duplicate', tag: 'endEvent', name: 'Duplicate problem', lane: PM, col: 4, attrs: 'itsm:recordState="cancelled"' },
    { id: 'XG_MergeRca', tag: 'exclusiveGateway', lane: SYS, col: 4 },
    { id: 'ST_SetRcaDue', tag: 'serviceTask', name: 'Set RCA due date', lane: SYS, col: 5, attrs: 'camunda:delegateExpression="${businessDueDate}"',
      inner: io([['duration', '=if priority = "P1" then "P5D" else if priority = "P2" then "P10D" else "P20D"'], ['calendar', 'business-hours'], ['resultVariable', 'rcaDueAt']]) },
    { id: 'UT_RootCause', tag: 'userTask', name: 'Root-cause analysis', lane: RES, col: 6, attrs: ut('problem-rca', `${res} camunda:dueDate="\${rcaDueAt}" itsm:recordState="under investigation"`) },
    { id: 'TBE_RcaOverdue', tag: 'boundaryEvent', name: 'RCA due', attachedTo: 'UT_RootCause', offset: 20, attrs: 'cancelActivity="false"', inner: timerDate('${rcaDueAt}'), label: 'left' },
    { id: 'EE_RcaEscalated', tag: 'endEvent', name: 'RCA overdue: notify problem manager', lane: RES, row: 1, col: 6, dx: -40, inner: msg('Msg_RcaOverdue'), label: 'right' },
    { id: 'ST_RcaCompleted', tag: 'serviceTask', name: 'Record RCA completion', lane: SYS, col: 7, attrs: 'camunda:delegateExpression="${businessDueDate}"',
      inner: io([['duration', 'PT0S'], ['calendar', '24x7'], ['resultVariable', 'rcaCompletedAt']]) },
    { id: 'XG_Workaround', tag: 'exclusiveGateway', name: 'Workaround available?', lane: SYS, col: 8, attrs: 'default="Flow_NoWorkaround"' },
    { id: 'UT_Workaround', tag: 'userTask', name: 'Document workaround', lane: RES, col: 9, attrs: ut('problem-workaround', res) },
    { id: 'XG_MergeWorkaround', tag: 'exclusiveGateway', lane: SYS, col: 10 },
    { id: 'UT_KnownError', tag: 'userTask', name: 'Record known error', lane: PM, col: 11, attrs: ut('problem-known-error', `${pm} itsm:recordState="known error"`),
      inner: io([], [['knownError', '=true'], ['knownErrorSummary', '=knownErrorSummary'], ['permanentFix', '=permanentFix']]) },
    { id: 'XG_Change', tag: 'exclusiveGateway', name: 'Permanent fix needs a change?', lane: PM, col: 12, attrs: 'default="Flow_NoChange"' },
    { id: 'ITE_RaiseChange', tag: 'intermediateThrowEvent', name: 'Raise change', lane: PM, row: 1, col: 13, inner: msg('Msg_RaiseChange') },
    { id: 'XG_MergeChange', tag: 'exclusiveGateway', lane: PM, col: 14 },
    { id: 'ICE_RecurrenceWait', tag: 'intermediateCatchEvent', name: 'Wait 30 days', lane: PM, col: 15, attrs: 'itsm:recordState="monitoring"', inner: timerDuration('P30D') },
    { id: 'UT_RecurrenceCheck', tag: 'userTask', name: 'Check for recurrence', lane: PM, col: 16, attrs: ut('problem-recurrence', pm),
      inner: io([], [['recurred', '=recurred'], ['recurrenceNotes', '=recurrenceNotes'], ['rcaCompletedAt', '=if recurred = true then null else rcaCompletedAt']]) },
    { id: 'XG_Recurred', tag: 'exclusiveGateway', name: 'Recurred?', lane: PM, col: 17, attrs: 'default="Flow_NotRecurred"' },
    { id: 'EE_Closed', tag: 'endEvent', name: 'Problem closed', lane: PM, col: 18, attrs: 'itsm:recordState="closed"' },
  ];
  const sysY = (t) => t.cy + 55;
  const flows = [
    { id: 'Flow_Raised', from: 'SE_ProblemRaised', to: 'UT_LogProblem' },
    { id: 'Flow_Logged', from: 'UT_LogProblem', to: 'UT_Categorise' },
    { id: 'Flow_Categorised', from: 'UT_Categorise', to: 'XG_Duplicate' },
    { id: 'Flow_IsDuplicate', name: 'duplicate', from: 'XG_Duplicate', to: 'EE_Duplicate', cond: '${categorisation == "duplicate"}' },
    { id: 'Flow_NewProblem', name: 'new problem', labelW: 80, from: 'XG_Duplicate', to: 'XG_MergeRca', labelAt: [0, 0] },
    { id: 'Flow_ToRcaDue', from: 'XG_MergeRca', to: 'ST_SetRcaDue' },
    { id: 'Flow_ToRca', from: 'ST_SetRcaDue', to: 'UT_RootCause' },
    { id: 'Flow_RcaOverdue', from: 'TBE_RcaOverdue', to: 'EE_RcaEscalated' },
    { id: 'Flow_RcaDone', from: 'UT_RootCause', to: 'ST_RcaCompleted' },
    { id: 'Flow_ToWorkaround', from: 'ST_RcaCompleted', to: 'XG_Workaround' },
    { id: 'Flow_Workaround', name: 'yes', from: 'XG_Workaround', to: 'UT_Workaround', cond: '${workaroundAvailable == true}', labelAt: [0, 0] },
    { id: 'Flow_NoWorkaround', name: 'no', from: 'XG_Workaround', to: 'XG_MergeWorkaround' },
    { id: 'Flow_WorkaroundDone', from: 'UT_Workaround', to: 'XG_MergeWorkaround' },
    { id: 'Flow_ToKnownError', from: 'XG_MergeWorkaround', to: 'UT_KnownError' },
    { id: 'Flow_KnownError', from: 'UT_KnownError', to: 'XG_Change' },
    { id: 'Flow_NeedsChange', name: 'yes', from: 'XG_Change', to: 'ITE_RaiseChange', cond: '${permanentFix == "change"}', labelAt: [0, 0] },
    { id: 'Flow_NoChange', name: 'no', from: 'XG_Change', to: 'XG_MergeChange' },
    { id: 'Flow_ChangeRaised', from: 'ITE_RaiseChange', to: 'XG_MergeChange', via: (s, t) => [[s.x + s.w, s.cy], [t.cx, s.cy], [t.cx, t.y + t.h]] },
    { id: 'Flow_ToWait', from: 'XG_MergeChange', to: 'ICE_RecurrenceWait' },
    { id: 'Flow_Waited', from: 'ICE_RecurrenceWait', to: 'UT_RecurrenceCheck' },
    { id: 'Flow_Checked', from: 'UT_RecurrenceCheck', to: 'XG_Recurred' },
    { id: 'Flow_NotRecurred', name: 'no', from: 'XG_Recurred', to: 'EE_Closed' },
    { id: 'Flow_Recurred', name: 'yes: analyse again', labelW: 100, from: 'XG_Recurred', to: 'XG_MergeRca', cond: '${recurred == true}',
      via: (s, t) => [[s.cx, s.y + s.h], [s.cx, sysY(t)], [t.cx, sysY(t)], [t.cx, t.y + t.h]], labelAt: [0, 0] },
  ];
  for (const f of flows) {
    if (f.labelAt && f.labelAt[0] === 0) {
      f.labelAt = undefined;
      f.labelFirst = true;
    }
  }
  build({
    file: 'problem_management.bpmn', processId: 'problem_management', processName: 'Problem management', processAttrs: ' itsm:recordType="problem"', cols: 19,
    lanes, nodes, flows,
    messages: [
      { id: 'Msg_RaiseProblem', name: 'raise-problem' }, // a start event: started whatever the key (the incident's number)
      { id: 'Msg_RaiseChange', name: 'raise-change', key: '${recordNumber}' },
      { id: 'Msg_RcaOverdue', name: 'problem-rca-overdue', key: '${recordNumber}' },
    ],
  });
}
