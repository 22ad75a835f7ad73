// Generates processes/audit/audit_programme.bpmn and internal_audit.bpmn with full diagram interchange (left to right, a lane per role).
// Run: node scripts/generate-audit-bpmn.mjs. The layout is a grid: lane × row × column.
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
<!-- Generated by scripts/generate-audit-bpmn.mjs; edit in a modeller or in the generator. -->
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
  writeFileSync(new URL(`../processes/audit/${file}`, import.meta.url), xml);
}

const timerDate = (expr) => `<bpmn:timerEventDefinition><bpmn:timeDate xsi:type="bpmn:tFormalExpression">${esc(expr)}</bpmn:timeDate></bpmn:timerEventDefinition>`;
const timerDuration = (expr) => `<bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">${esc(expr)}</bpmn:timeDuration></bpmn:timerEventDefinition>`;
const msg = (ref) => `<bpmn:messageEventDefinition messageRef="${ref}"/>`;
const ut = (form, who) => `camunda:formRef="${form}" ${who}`;
const timerCycle = (expr) => `<bpmn:timerEventDefinition><bpmn:timeCycle xsi:type="bpmn:tFormalExpression">${esc(expr)}</bpmn:timeCycle></bpmn:timerEventDefinition>`;
const fixLabels = (flows) => {
  for (const f of flows) if (f.labelAt && f.labelAt[0] === 0) { f.labelAt = undefined; f.labelFirst = true; }
  return flows;
};
const AM = 'camunda:candidateGroups="audit-managers"', AUD = 'camunda:candidateGroups="auditors"', TOP = 'camunda:candidateGroups="top-management"';

// ---------------------------------------------------------------- audit_programme
// A yearly timer start (R/P1Y). The audit programme manager drafts the programme (the areas to audit this
// cycle), top management approves it (not the drafter), then one `internal-audit-start` message per planned
// area is thrown through the outbox by a parallel multi-instance send task (a parallel multi-instance call
// activity is refused at deploy; the audits are independent records, so a message start fits better anyway).
// Near the end of the cycle the programme manager reviews the programme's effectiveness (input to 9.3).
{
  const MGR = 'Lane_ProgrammeManager', TM = 'Lane_TopManagement', SYS = 'Lane_System';
  const lanes = [
    { id: MGR, name: 'Audit programme manager', rows: 1 },
    { id: TM, name: 'Top management', rows: 1 },
    { id: SYS, name: 'System', rows: 1 },
  ];
  const nodes = [
    { id: 'SE_ProgrammeCycle', tag: 'startEvent', name: 'Programme cycle starts (yearly)', lane: SYS, col: 0, inner: timerCycle('R/P1Y') },
    { id: 'XG_MergeDraft', tag: 'exclusiveGateway', lane: MGR, col: 1 },
    { id: 'UT_DraftProgramme', tag: 'userTask', name: 'Draft audit programme', lane: MGR, col: 2, attrs: ut('audit-programme-draft', AM) },
    { id: 'UT_ApproveProgramme', tag: 'userTask', name: 'Approve programme', lane: TM, col: 3, attrs: ut('audit-programme-approve', `${TOP} itsm:excludePerformersOf="UT_DraftProgramme"`) },
    { id: 'XG_Approved', tag: 'exclusiveGateway', name: 'Approved?', lane: TM, col: 4, attrs: 'default="Flow_Revise"' },
    { id: 'ST_StartAudits', tag: 'sendTask', name: 'Start one audit per planned area', lane: SYS, col: 5, attrs: 'messageRef="Msg_AuditStart"',
      inner: '<bpmn:multiInstanceLoopCharacteristics camunda:collection="${plannedAudits}" camunda:elementVariable="plannedArea"/>' },
    { id: 'ICE_CycleEnd', tag: 'intermediateCatchEvent', name: 'Wait 330 days', lane: SYS, col: 6, inner: timerDuration('P330D') },
    { id: 'UT_ReviewProgramme', tag: 'userTask', name: 'Review programme effectiveness', lane: MGR, col: 7, attrs: ut('audit-programme-review', AM) },
    { id: 'EE_ProgrammeClosed', tag: 'endEvent', name: 'Programme closed', lane: MGR, col: 8 },
  ];
  const flows = fixLabels([
    { id: 'Flow_CycleStarted', from: 'SE_ProgrammeCycle', to: 'XG_MergeDraft', via: (s, t) => [[s.x + s.w, s.cy], [t.cx, s.cy], [t.cx, t.y + t.h]] },
    { id: 'Flow_ToDraft', from: 'XG_MergeDraft', to: 'UT_DraftProgramme' },
    { id: 'Flow_Drafted', from: 'UT_DraftProgramme', to: 'UT_ApproveProgramme' },
    { id: 'Flow_ToDecision', from: 'UT_ApproveProgramme', to: 'XG_Approved' },
    { id: 'Flow_Approve', name: 'approved', from: 'XG_Approved', to: 'ST_StartAudits', cond: '${programmeDecision == "approve"}', labelAt: [0, 0] },
    { id: 'Flow_Revise', name: 'revise', from: 'XG_Approved', to: 'XG_MergeDraft', labelAt: [0, 0],
      via: (s, t) => [[s.cx, s.y], [s.cx, t.y - 15], [t.cx, t.y - 15], [t.cx, t.y]] },
    { id: 'Flow_AuditsStarted', from: 'ST_StartAudits', to: 'ICE_CycleEnd' },
    { id: 'Flow_CycleEnding', from: 'ICE_CycleEnd', to: 'UT_ReviewProgramme' },
    { id: 'Flow_Reviewed', from: 'UT_ReviewProgramme', to: 'EE_ProgrammeClosed' },
  ]);
  build({ file: 'audit_programme.bpmn', processId: 'audit_programme', processName: 'Internal audit programme', cols: 9, lanes, nodes, flows,
    messages: [{ id: 'Msg_AuditStart', name: 'internal-audit-start' }] });
}

// ---------------------------------------------------------------- internal_audit
// One audit, started by the message `internal-audit-start` (from the programme, or by hand with POST /api/messages).
// Independence (9.2 b): every auditor task carries itsm:excludeUsersIn="areaStaff", the staff of the audited area
// listed when the audit is scoped: a member of it is refused (403). The auditor also declares independence; a
// declared conflict sends the audit back to be scoped and staffed again.
{
  const MGR = 'Lane_ProgrammeManager', LEAD = 'Lane_LeadAuditor', SYS = 'Lane_System';
  const lanes = [
    { id: MGR, name: 'Audit programme manager', rows: 1 },
    { id: LEAD, name: 'Lead auditor', rows: 2 },
    { id: SYS, name: 'System', rows: 2 },
  ];
  const sod = 'itsm:excludeUsersIn="areaStaff"';
  const nodes = [
    { id: 'SE_AuditDue', tag: 'startEvent', name: 'Audit due', lane: SYS, col: 0, inner: msg('Msg_AuditStart') },
    { id: 'XG_MergeScope', tag: 'exclusiveGateway', lane: MGR, col: 1 },
    { id: 'UT_ScopeAudit', tag: 'userTask', name: 'Scope audit and list area staff', lane: MGR, col: 2, attrs: ut('audit-scope', `${AM} itsm:recordState="planning"`) },
    { id: 'UT_IndependenceCheck', tag: 'userTask', name: 'Declare independence', lane: LEAD, col: 3, attrs: ut('audit-independence', `${AUD} ${sod} itsm:recordState="independence check"`) },
    { id: 'XG_Independent', tag: 'exclusiveGateway', name: 'Independent?', lane: LEAD, col: 4, label: 'below', attrs: 'default="Flow_Conflict"' },
    { id: 'UT_PrepareAuditPlan', tag: 'userTask', name: 'Prepare audit plan', lane: LEAD, col: 5, attrs: ut('audit-plan', `${AUD} ${sod} itsm:recordState="planned"`) },
    { id: 'ICE_AuditDate', tag: 'intermediateCatchEvent', name: 'Audit date', lane: SYS, col: 6, inner: timerDate('${plannedDate}') },
    { id: 'UT_Fieldwork', tag: 'userTask', name: 'Fieldwork: collect and verify evidence', lane: LEAD, col: 7, attrs: ut('audit-fieldwork', `${AUD} ${sod} itsm:recordState="fieldwork"`) },
    { id: 'UT_ClassifyFindings', tag: 'userTask', name: 'Classify findings', lane: LEAD, col: 8, attrs: ut('audit-findings', `${AUD} ${sod} itsm:recordState="findings"`) },
    { id: 'XG_HasNC', tag: 'exclusiveGateway', name: 'Nonconformities?', lane: SYS, col: 9, attrs: 'default="Flow_NoNC"' },
    { id: 'ST_RaiseNC', tag: 'sendTask', name: 'Raise one nonconformity per NC finding', lane: SYS, row: 1, col: 10, attrs: 'messageRef="Msg_RaiseNC"',
      inner: '<bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality xsi:type="bpmn:tFormalExpression">${nonconformityCount}</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>' },
    { id: 'XG_MergeNC', tag: 'exclusiveGateway', lane: SYS, col: 11 },
    { id: 'XG_MergeReport', tag: 'exclusiveGateway', lane: LEAD, col: 12 },
    { id: 'UT_IssueReport', tag: 'userTask', name: 'Issue audit report', lane: LEAD, col: 13, attrs: ut('audit-report', `${AUD} ${sod} itsm:recordState="reporting"`) },
    { id: 'TBE_ReportOverdue', tag: 'boundaryEvent', name: 'P10D', attachedTo: 'UT_IssueReport', offset: 20, attrs: 'cancelActivity="false"', inner: timerDuration('P10D'), label: 'left' },
    { id: 'EE_ReportOverdue', tag: 'endEvent', name: 'Report overdue: notify programme manager', lane: LEAD, row: 1, col: 13, dx: -40, inner: msg('Msg_ReportOverdue'), label: 'right' },
    { id: 'UT_ApproveReport', tag: 'userTask', name: 'Approve report', lane: MGR, col: 14, attrs: ut('audit-report-approve', `${AM} itsm:excludePerformersOf="UT_IssueReport" itsm:recordState="report review"`) },
    { id: 'XG_ReportOk', tag: 'exclusiveGateway', name: 'Report approved?', lane: MGR, col: 15, attrs: 'default="Flow_Rework"' },
    { id: 'UT_CloseAudit', tag: 'userTask', name: 'Distribute report and close', lane: MGR, col: 16, attrs: ut('audit-close', AM) },
    { id: 'EE_AuditClosed', tag: 'endEvent', name: 'Audit closed', lane: MGR, col: 17, attrs: 'itsm:recordState="closed"' },
  ];
  const flows = fixLabels([
    { id: 'Flow_Due', from: 'SE_AuditDue', to: 'XG_MergeScope', via: (s, t) => [[s.x + s.w, s.cy], [t.cx, s.cy], [t.cx, t.y + t.h]] },
    { id: 'Flow_ToScope', from: 'XG_MergeScope', to: 'UT_ScopeAudit' },
    { id: 'Flow_Scoped', from: 'UT_ScopeAudit', to: 'UT_IndependenceCheck' },
    { id: 'Flow_Declared', from: 'UT_IndependenceCheck', to: 'XG_Independent' },
    { id: 'Flow_Independent', name: 'independent', labelW: 60, from: 'XG_Independent', to: 'UT_PrepareAuditPlan', cond: '${independence == "independent"}', labelAt: [0, 0] },
    { id: 'Flow_Conflict', name: 'conflict: rescope', labelW: 90, from: 'XG_Independent', to: 'XG_MergeScope', labelAt: [POOL_X + LABEL_BAND + LEFT + 4 * COLW - 96, POOL_Y + ROWH + ROWH / 2 - 25 - 18],
      via: (s, t) => [[s.cx, s.y], [s.cx, t.y + t.h + 30], [t.cx, t.y + t.h + 30], [t.cx, t.y + t.h]] },
    { id: 'Flow_Planned', from: 'UT_PrepareAuditPlan', to: 'ICE_AuditDate' },
    { id: 'Flow_AuditDay', from: 'ICE_AuditDate', to: 'UT_Fieldwork' },
    { id: 'Flow_EvidenceCollected', from: 'UT_Fieldwork', to: 'UT_ClassifyFindings' },
    { id: 'Flow_Classified', from: 'UT_ClassifyFindings', to: 'XG_HasNC' },
    { id: 'Flow_HasNC', name: 'yes', from: 'XG_HasNC', to: 'ST_RaiseNC', cond: '${nonconformityCount > 0}', labelAt: [0, 0] },
    { id: 'Flow_NoNC', name: 'no', from: 'XG_HasNC', to: 'XG_MergeNC' },
    { id: 'Flow_NCRaised', from: 'ST_RaiseNC', to: 'XG_MergeNC', via: (s, t) => [[s.x + s.w, s.cy], [t.cx, s.cy], [t.cx, t.y + t.h]] },
    { id: 'Flow_ToReport', from: 'XG_MergeNC', to: 'XG_MergeReport' },
    { id: 'Flow_ToIssue', from: 'XG_MergeReport', to: 'UT_IssueReport' },
    { id: 'Flow_ReportOverdue', from: 'TBE_ReportOverdue', to: 'EE_ReportOverdue' },
    { id: 'Flow_Issued', from: 'UT_IssueReport', to: 'UT_ApproveReport' },
    { id: 'Flow_ToReportDecision', from: 'UT_ApproveReport', to: 'XG_ReportOk' },
    { id: 'Flow_ReportApproved', name: 'approved', from: 'XG_ReportOk', to: 'UT_CloseAudit', cond: '${reportDecision == "approve"}' },
    { id: 'Flow_Rework', name: 'rework', from: 'XG_ReportOk', to: 'XG_MergeReport', labelAt: [0, 0],
      via: (s, t) => [[s.cx, s.y], [s.cx, s.y - 20], [t.cx, s.y - 20], [t.cx, t.y]] },
    { id: 'Flow_Closed', from: 'UT_CloseAudit', to: 'EE_AuditClosed' },
  ]);
  build({ file: 'internal_audit.bpmn', processId: 'internal_audit', processName: 'Internal audit', processAttrs: ' itsm:recordType="audit"', cols: 18, lanes, nodes, flows,
    messages: [
      { id: 'Msg_AuditStart', name: 'internal-audit-start' },
      { id: 'Msg_RaiseNC', name: 'raise-nonconformity', key: '${recordNumber}' },
      { id: 'Msg_ReportOverdue', name: 'audit-report-overdue', key: '${recordNumber}' },
    ] });
}
