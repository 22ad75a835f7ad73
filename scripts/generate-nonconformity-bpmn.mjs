// Generates processes/nonconformity/nonconformity_capa.bpmn with full diagram interchange (left to right, a lane per role).
// Run: node scripts/generate-nonconformity-bpmn.mjs. The layout is a grid: lane × row × column.
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
<!-- Generated by scripts/generate-nonconformity-bpmn.mjs; edit in a modeller or in the generator. -->
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
  writeFileSync(new URL(`../processes/nonconformity/${file}`, import.meta.url), xml);
}

const io = (inputs, outputs = []) => `<bpmn:extensionElements><camunda:inputOutput>${inputs.map(([k, v]) => `<camunda:inputParameter name="${k}">${esc(v)}</camunda:inputParameter>`).join('')}${outputs.map(([k, v]) => `<camunda:outputParameter name="${k}">${esc(v)}</camunda:outputParameter>`).join('')}</camunda:inputOutput></bpmn:extensionElements>`;
const timerDuration = (expr) => `<bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">${esc(expr)}</bpmn:timeDuration></bpmn:timerEventDefinition>`;
const msg = (ref) => `<bpmn:messageEventDefinition messageRef="${ref}"/>`;
const ut = (form, who) => `camunda:formRef="${form}" ${who}`;

// ---------------------------------------------------------------- nonconformity_capa
// Started only by the message `raise-nonconformity` (an internal audit throws it with its number as
// `sourceRecord`; the SMS manager raises one by hand with POST /api/messages): deploy validation refuses
// a none start beside a message start, and one entry keeps a single recording step (form nc-record) for both.
{
  const Q = 'Lane_SmsManager', OWN = 'Lane_NcOwner', ACT = 'Lane_ActionOwners', VER = 'Lane_Verifier', SYS = 'Lane_System';
  const lanes = [
    { id: Q, name: 'SMS manager', rows: 1 },
    { id: OWN, name: 'NC owner', rows: 1 },
    { id: ACT, name: 'Action owners', rows: 1 },
    { id: VER, name: 'Verifier', rows: 1 },
    { id: SYS, name: 'System', rows: 1 },
  ];
  const q = 'camunda:candidateGroups="quality"', owner = 'camunda:assignee="${ncOwner}"';
  const mi = '<bpmn:multiInstanceLoopCharacteristics camunda:collection="${actions}" camunda:elementVariable="action" itsm:outputCollection="actionResults" itsm:outputElement="${actionEvidence}"/>';
  const nodes = [
    { id: 'SE_NCRaised', tag: 'startEvent', name: 'Nonconformity raised', lane: Q, col: 0, inner: msg('Msg_RaiseNonconformity') },
    { id: 'UT_RecordNC', tag: 'userTask', name: 'Record nonconformity', lane: Q, col: 1, attrs: ut('nc-record', `${q} itsm:recordState="recorded"`) },
    { id: 'UT_ReviewNC', tag: 'userTask', name: 'Review and classify', lane: Q, col: 2, attrs: ut('nc-review', `${q} itsm:recordState="under review"`) },
    { id: 'XG_Valid', tag: 'exclusiveGateway', name: 'Valid?', lane: Q, col: 3, attrs: 'default="Flow_Valid"' },
    { id: 'EE_Rejected', tag: 'endEvent', name: 'Nonconformity rejected', lane: Q, col: 4, attrs: 'itsm:recordState="rejected"' },
    { id: 'UT_Correction', tag: 'userTask', name: 'Containment and correction', lane: OWN, col: 4, attrs: ut('nc-correction', `${owner} itsm:recordState="correction"`) },
    { id: 'XG_CARequired', tag: 'exclusiveGateway', name: 'Corrective action needed?', lane: OWN, col: 5, attrs: 'default="Flow_CARequired"' },
    { id: 'XG_MergeRca', tag: 'exclusiveGateway', lane: OWN, col: 6 },
    { id: 'UT_RootCause', tag: 'userTask', name: 'Root cause and extent', lane: OWN, col: 7, attrs: ut('nc-root-cause', `${owner} itsm:recordState="root cause"`) },
    { id: 'XG_MergePlan', tag: 'exclusiveGateway', lane: OWN, col: 8 },
    { id: 'UT_PlanActions', tag: 'userTask', name: 'Plan corrective actions', lane: OWN, col: 9, attrs: ut('nc-plan', `${owner} itsm:recordState="action plan"`),
      inner: io([], [['actions', '=actions'], ['observationPeriod', '=observationPeriod'], ['smsChangeNeeded', '=smsChangeNeeded = true'], ['actionOwners', '=for a in actions return a.owner']]) },
    { id: 'XG_ActionsPlanned', tag: 'exclusiveGateway', name: 'Actions planned?', label: 'right', lane: OWN, col: 10, attrs: 'default="Flow_ActionsPlanned"' },
    { id: 'MI_UT_ImplementAction', tag: 'userTask', name: 'Implement: ${action.action}', lane: ACT, col: 11, attrs: ut('nc-action', 'camunda:assignee="${action.owner}" itsm:recordState="implementing"'), inner: mi },
    { id: 'ICE_EffectivenessWait', tag: 'intermediateCatchEvent', name: 'Observation period', lane: SYS, col: 12, attrs: 'itsm:recordState="observation"', inner: timerDuration('${observationPeriod}') },
    { id: 'XG_MergeVerify', tag: 'exclusiveGateway', lane: VER, col: 13 },
    { id: 'UT_VerifyEffectiveness', tag: 'userTask', name: 'Verify effectiveness', lane: VER, col: 14,
      attrs: ut('nc-verify', 'camunda:candidateGroups="quality, auditors" itsm:excludeUsersIn="ncOwner, actionOwners" itsm:recordState="verifying"'),
      inner: io([], [['effectiveness', '=effectiveness'], ['verificationMethod', '=verificationMethod'], ['verificationNotes', '=verificationNotes'],
        ['iteration', '=if iteration = null then 1 else iteration + 1'],
        ['effectiveAtFirstCheck', '=if effectiveAtFirstCheck = null then effectiveness = "effective" else effectiveAtFirstCheck']]) },
    { id: 'XG_Effective', tag: 'exclusiveGateway', name: 'Effective?', lane: VER, col: 15, attrs: 'default="Flow_Effective"' },
    { id: 'UT_CloseNC', tag: 'userTask', name: 'Close nonconformity', lane: Q, col: 16, attrs: ut('nc-close', `${q} itsm:recordState="closing"`) },
    { id: 'EE_Closed', tag: 'endEvent', name: 'Nonconformity closed', lane: Q, col: 17, attrs: 'itsm:recordState="closed"' },
  ];
  const sysY = (t) => t.cy + 3 * ROWH + 45;
  const flows = [
    { id: 'Flow_Raised', from: 'SE_NCRaised', to: 'UT_RecordNC' },
    { id: 'Flow_Recorded', from: 'UT_RecordNC', to: 'UT_ReviewNC' },
    { id: 'Flow_Reviewed', from: 'UT_ReviewNC', to: 'XG_Valid' },
    { id: 'Flow_Rejected', name: 'rejected', from: 'XG_Valid', to: 'EE_Rejected', cond: '${reviewDecision == "rejected"}' },
    { id: 'Flow_Valid', name: 'valid', from: 'XG_Valid', to: 'UT_Correction', labelAt: [0, 0] },
    { id: 'Flow_Corrected', from: 'UT_Correction', to: 'XG_CARequired' },
    { id: 'Flow_CARequired', name: 'yes', from: 'XG_CARequired', to: 'XG_MergeRca', labelW: 30 },
    { id: 'Flow_CorrectionSufficient', name: 'correction sufficient', labelW: 110, from: 'XG_CARequired', to: 'XG_MergeVerify', cond: '${caDecision == "correction_sufficient"}', labelAt: [0, 0] },
    { id: 'Flow_ToRca', from: 'XG_MergeRca', to: 'UT_RootCause' },
    { id: 'Flow_ToMergePlan', from: 'UT_RootCause', to: 'XG_MergePlan' },
    { id: 'Flow_ToPlan', from: 'XG_MergePlan', to: 'UT_PlanActions' },
    { id: 'Flow_ToActions', from: 'UT_PlanActions', to: 'XG_ActionsPlanned' },
    { id: 'Flow_ActionsPlanned', name: 'yes', labelW: 30, from: 'XG_ActionsPlanned', to: 'MI_UT_ImplementAction', labelAt: [0, 0] },
    { id: 'Flow_NoActions', name: 'none: plan again', labelW: 90, from: 'XG_ActionsPlanned', to: 'XG_MergePlan', cond: '=actions = null or count(actions) = 0',
      via: (s, t) => [[s.cx, s.y], [s.cx, t.cy - 50], [t.cx, t.cy - 50], [t.cx, t.y]], labelAt: [0, 0] },
    { id: 'Flow_ActionsDone', from: 'MI_UT_ImplementAction', to: 'ICE_EffectivenessWait' },
    { id: 'Flow_Observed', from: 'ICE_EffectivenessWait', to: 'XG_MergeVerify', via: (s, t) => [[s.x + s.w, s.cy], [t.cx, s.cy], [t.cx, t.y + t.h]] },
    { id: 'Flow_ToVerify', from: 'XG_MergeVerify', to: 'UT_VerifyEffectiveness' },
    { id: 'Flow_Verified', from: 'UT_VerifyEffectiveness', to: 'XG_Effective' },
    { id: 'Flow_Effective', name: 'yes', from: 'XG_Effective', to: 'UT_CloseNC', labelAt: [0, 0], labelW: 30 },
    { id: 'Flow_NotEffective', name: 'no: analyse again', labelW: 100, from: 'XG_Effective', to: 'XG_MergeRca', cond: '${effectiveness == "not_effective"}',
      via: (s, t) => [[s.cx, s.y + s.h], [s.cx, sysY(t)], [t.cx, sysY(t)], [t.cx, t.y + t.h]], labelAt: [0, 0] },
    { id: 'Flow_Close', from: 'UT_CloseNC', to: 'EE_Closed' },
  ];
  for (const f of flows) {
    if (f.labelAt && f.labelAt[0] === 0) {
      f.labelAt = undefined;
      f.labelFirst = true;
    }
  }
  build({
    file: 'nonconformity_capa.bpmn', processId: 'nonconformity_capa', processName: 'Nonconformity and corrective action', processAttrs: ' itsm:recordType="nc"', cols: 18,
    lanes, nodes, flows,
    messages: [{ id: 'Msg_RaiseNonconformity', name: 'raise-nonconformity' }], // a start event: started whatever the key
  });
}
