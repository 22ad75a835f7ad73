// Generates processes/incident/*.bpmn with full diagram interchange (left to right, a lane per role).
// Run: node scripts/generate-incident-bpmn.mjs. The layout is a grid: lane × row × column.
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
<!-- Generated by scripts/generate-incident-bpmn.mjs; edit in a modeller or in the generator. -->
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:itsm="http://itsm-orchestrator.dev/schema/bpmn" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="Definitions_${processId}" targetNamespace="https://itsm-orchestrator.dev/processes" exporter="itsm-orchestrator generator" exporterVersion="1">
${messages.map((m) => `  <bpmn:message id="${m.id}" name="${m.name}" itsm:correlationKey="${esc(m.key)}"/>`).join('\n')}
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
  writeFileSync(new URL(`../processes/incident/${file}`, import.meta.url), xml);
}

const io = (inputs, outputs = []) => `<bpmn:extensionElements><camunda:inputOutput>${inputs.map(([k, v]) => `<camunda:inputParameter name="${k}">${esc(v)}</camunda:inputParameter>`).join('')}${outputs.map(([k, v]) => `<camunda:outputParameter name="${k}">${esc(v)}</camunda:outputParameter>`).join('')}</camunda:inputOutput></bpmn:extensionElements>`;
const timerDate = (expr) => `<bpmn:timerEventDefinition><bpmn:timeDate xsi:type="bpmn:tFormalExpression">${esc(expr)}</bpmn:timeDate></bpmn:timerEventDefinition>`;
const timerDuration = (expr) => `<bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">${esc(expr)}</bpmn:timeDuration></bpmn:timerEventDefinition>`;
const msg = (ref) => `<bpmn:messageEventDefinition messageRef="${ref}"/>`;
const ut = (form, who) => `camunda:formRef="${form}" ${who}`;

// ---------------------------------------------------------------- incident_management
{
  const lanes = [
    { id: 'Lane_Caller', name: 'Caller', rows: 2 },
    { id: 'Lane_ServiceDesk', name: 'Service desk', rows: 2 },
    { id: 'Lane_Resolvers', name: 'Resolver group', rows: 2 },
    { id: 'Lane_IncidentManager', name: 'Incident manager', rows: 1 },
    { id: 'Lane_System', name: 'System', rows: 1 },
  ];
  const SD = 'Lane_ServiceDesk', RES = 'Lane_Resolvers', CALLER = 'Lane_Caller', IM = 'Lane_IncidentManager', SYS = 'Lane_System';
  const nodes = [
    { id: 'SE_IncidentReported', tag: 'startEvent', name: 'Incident reported', lane: SD, col: 0, attrs: 'camunda:formRef="incident-log"' },
    { id: 'BRT_Prioritise', tag: 'businessRuleTask', name: 'Prioritise (impact × urgency)', lane: SYS, col: 1, attrs: 'camunda:decisionRef="incident-priority" camunda:resultVariable="priority" camunda:mapDecisionResult="singleEntry"' },
    { id: 'BRT_SlaTargets', tag: 'businessRuleTask', name: 'Look up SLA targets', lane: SYS, col: 2, attrs: 'camunda:decisionRef="incident-sla-targets" camunda:resultVariable="slaTargets" camunda:mapDecisionResult="singleResult"' },
    { id: 'ST_StartResponseSla', tag: 'serviceTask', name: 'Start response clock', lane: SYS, col: 3, attrs: 'camunda:delegateExpression="${startSla}"', inner: io([['name', 'response'], ['target', '${slaTargets.responseTarget}'], ['calendar', '${slaTargets.calendar}']]) },
    { id: 'ST_StartResolutionSla', tag: 'serviceTask', name: 'Start resolution clock', lane: SYS, col: 4, attrs: 'camunda:delegateExpression="${startSla}"', inner: io([['name', 'resolution'], ['target', '${slaTargets.resolutionTarget}'], ['calendar', '${slaTargets.calendar}']]) },
    { id: 'UT_LogClassify', tag: 'userTask', name: 'Log, classify and match', lane: SD, col: 5, attrs: ut('incident-classify', 'camunda:candidateGroups="servicedesk"') },
    { id: 'TBE_ResponseDue', tag: 'boundaryEvent', name: 'Response due', attachedTo: 'UT_LogClassify', offset: 20, attrs: 'cancelActivity="false"', inner: timerDate('${sla.response.dueAt}'), label: 'left' },
    { id: 'EE_ResponseEscalated', tag: 'endEvent', name: 'Response escalated', lane: SD, row: 1, col: 5, dx: -40, attrs: '', inner: msg('Msg_SlaEscalation'), label: 'right' },
    { id: 'XG_RecordType', tag: 'exclusiveGateway', name: 'Is it an incident?', lane: SD, col: 6, attrs: 'default="Flow_IsIncident"' },
    { id: 'EE_Reclassified', tag: 'endEvent', name: 'Reclassified as request', lane: SD, row: 1, col: 7, dx: -30, dy: -30, label: 'right', attrs: 'itsm:recordState="reclassified"' },
    { id: 'EE_Cancelled', tag: 'endEvent', name: 'Cancelled (duplicate)', lane: SD, row: 1, col: 7, dx: 20, dy: 30, label: 'right', attrs: 'itsm:recordState="cancelled"' },
    { id: 'XG_Major', tag: 'exclusiveGateway', name: 'Major incident?', lane: SD, col: 8, attrs: 'default="Flow_NotMajor"' },
    { id: 'PG_Major', tag: 'parallelGateway', name: 'Handle in parallel', lane: IM, col: 9, label: 'below' },
    { id: 'CA_MajorIncident', tag: 'callActivity', name: 'Major incident procedure', lane: IM, col: 10, attrs: 'calledElement="major_incident" itsm:recordState="major incident"', inner: '<bpmn:extensionElements><camunda:in businessKey="${recordNumber}"/><camunda:in source="recordNumber" target="incidentNumber"/><camunda:in source="title" target="title"/><camunda:in source="priority" target="priority"/><camunda:out source="majorConfirmed" target="majorConfirmed"/></bpmn:extensionElements>' },
    { id: 'EE_MajorHandled', tag: 'endEvent', name: 'Major incident procedure done', lane: IM, col: 11 },
    { id: 'XG_L1Resolvable', tag: 'exclusiveGateway', name: 'Resolvable at first line?', lane: SD, col: 10, attrs: 'default="Flow_ToAssign"' },
    { id: 'XG_MergeMajor', tag: 'exclusiveGateway', lane: SD, col: 9 },
    { id: 'XG_MergeResolved', tag: 'exclusiveGateway', lane: RES, col: 15, dx: -40 },
    { id: 'XG_MergeAssign', tag: 'exclusiveGateway', lane: SD, row: 1, col: 10 },
    { id: 'XG_MergeInvestigate', tag: 'exclusiveGateway', lane: RES, col: 11 },
    { id: 'XG_MergeConfirm', tag: 'exclusiveGateway', lane: CALLER, col: 16 },
    { id: 'UT_ResolveL1', tag: 'userTask', name: 'Resolve at first line', lane: SD, col: 11, attrs: ut('incident-resolve', 'camunda:candidateGroups="servicedesk" itsm:recordState="in progress"') },
    { id: 'UT_AssignGroup', tag: 'userTask', name: 'Assign to resolver group', lane: SD, row: 1, col: 11, attrs: ut('incident-assign', 'camunda:candidateGroups="servicedesk" itsm:recordState="in progress"') },
    { id: 'UT_InvestigateDiagnose', tag: 'userTask', name: 'Investigate and diagnose', lane: RES, col: 12, attrs: ut('incident-diagnose', 'camunda:candidateGroups="resolvers" itsm:recordState="in progress"') },
    { id: 'TBE_Res50', tag: 'boundaryEvent', name: '50 %', attachedTo: 'UT_InvestigateDiagnose', offset: 20, attrs: 'cancelActivity="false"', inner: timerDate('${sla.resolution.escalations.at50}'), label: 'belowLeft' },
    { id: 'TBE_Res75', tag: 'boundaryEvent', name: '75 %', attachedTo: 'UT_InvestigateDiagnose', offset: 60, attrs: 'cancelActivity="false"', inner: timerDate('${sla.resolution.escalations.at75}'), label: 'belowLeft' },
    { id: 'TBE_ResBreach', tag: 'boundaryEvent', name: '100 %', attachedTo: 'UT_InvestigateDiagnose', offset: 100, attrs: 'cancelActivity="false"', inner: timerDate('${sla.resolution.dueAt}'), label: 'belowLeft' },
    { id: 'EE_FunctionalEscalation', tag: 'endEvent', name: '50 %: notify group lead', lane: RES, row: 1, col: 12, dx: -40, dy: 30, inner: msg('Msg_SlaEscalation'), label: 'right' },
    { id: 'EE_HierarchicalEscalation', tag: 'endEvent', name: '75 %: notify incident manager', lane: RES, row: 1, col: 12, dx: 0, dy: 0, inner: msg('Msg_SlaEscalation'), label: 'right' },
    { id: 'EE_ResolutionBreached', tag: 'endEvent', name: '100 %: SLA breached', lane: RES, row: 1, col: 12, dx: 40, dy: -30, inner: msg('Msg_SlaBreach'), label: 'right' },
    { id: 'XG_NextStep', tag: 'exclusiveGateway', name: 'Outcome of diagnosis', lane: RES, col: 13, attrs: 'default="Flow_Resolved"' },
    { id: 'RT_AwaitCaller', tag: 'receiveTask', name: 'Awaiting caller', lane: RES, row: 1, col: 14, attrs: 'messageRef="Msg_CallerReply" itsm:recordState="awaiting caller"' },
    { id: 'UT_ApplyResolution', tag: 'userTask', name: 'Apply resolution', lane: RES, col: 14, attrs: ut('incident-resolve', 'camunda:candidateGroups="resolvers"') },
    { id: 'XG_ProblemCandidate', tag: 'exclusiveGateway', name: 'Problem candidate?', lane: RES, col: 15, dx: 40, label: 'below', attrs: 'default="Flow_NoProblem"' },
    { id: 'ITE_RaiseProblem', tag: 'intermediateThrowEvent', name: 'Raise problem', lane: RES, col: 16, inner: msg('Msg_RaiseProblem') },
    { id: 'UT_ConfirmResolution', tag: 'userTask', name: 'Confirm resolution', lane: CALLER, col: 17, attrs: ut('incident-confirm', 'camunda:assignee="${caller}" itsm:recordState="resolved"'), inner: io([], [['confirmation', '${confirmation}'], ['satisfaction', '=satisfaction'], ['confirmationComment', '=confirmationComment'], ['reopenCount', '=if confirmation = "rejected" then (if reopenCount = null then 1 else reopenCount + 1) else reopenCount']]) },
    { id: 'TBE_AutoClose', tag: 'boundaryEvent', name: 'No answer in 72 h', attachedTo: 'UT_ConfirmResolution', offset: 60, inner: timerDuration('PT72H'), label: 'belowRight' },
    { id: 'EE_AutoClosed', tag: 'endEvent', name: 'Closed automatically', lane: CALLER, row: 1, col: 17, dy: 20, attrs: 'itsm:recordState="closed"', label: 'right' },
    { id: 'XG_Accepted', tag: 'exclusiveGateway', name: 'Resolution accepted?', lane: CALLER, col: 18, attrs: 'default="Flow_Accepted"' },
    { id: 'EE_Closed', tag: 'endEvent', name: 'Incident closed', lane: CALLER, col: 19, attrs: 'itsm:recordState="closed"' },
  ];
  const flows = [
    { id: 'Flow_Start', from: 'SE_IncidentReported', to: 'BRT_Prioritise' },
    { id: 'Flow_Targets', from: 'BRT_Prioritise', to: 'BRT_SlaTargets' },
    { id: 'Flow_Response', from: 'BRT_SlaTargets', to: 'ST_StartResponseSla' },
    { id: 'Flow_Resolution', from: 'ST_StartResponseSla', to: 'ST_StartResolutionSla' },
    { id: 'Flow_ToLog', from: 'ST_StartResolutionSla', to: 'UT_LogClassify' },
    { id: 'Flow_ResponseDue', from: 'TBE_ResponseDue', to: 'EE_ResponseEscalated' },
    { id: 'Flow_Logged', from: 'UT_LogClassify', to: 'XG_RecordType' },
    { id: 'Flow_IsIncident', name: 'incident', from: 'XG_RecordType', to: 'XG_Major' },
    { id: 'Flow_IsRequest', name: 'service request', labelW: 90, from: 'XG_RecordType', to: 'EE_Reclassified', cond: '${classification == "service_request"}', labelAt: null },
    { id: 'Flow_IsDuplicate', name: 'duplicate', from: 'XG_RecordType', to: 'EE_Cancelled', cond: '${classification == "duplicate"}' },
    { id: 'Flow_IsMajor', name: 'major', from: 'XG_Major', to: 'PG_Major', cond: '${major == true}' },
    { id: 'Flow_NotMajor', name: 'not major', from: 'XG_Major', to: 'XG_MergeMajor' },
    { id: 'Flow_MergedMajor', from: 'XG_MergeMajor', to: 'XG_L1Resolvable' },
    { id: 'Flow_ToMajorProcedure', from: 'PG_Major', to: 'CA_MajorIncident' },
    { id: 'Flow_AlsoNormal', from: 'PG_Major', to: 'XG_MergeMajor', via: (s, t) => [[s.cx, s.y], [t.cx, t.y + t.h]] },
    { id: 'Flow_MajorDone', from: 'CA_MajorIncident', to: 'EE_MajorHandled' },
    { id: 'Flow_ToResolveL1', name: 'yes', from: 'XG_L1Resolvable', to: 'UT_ResolveL1', cond: '${resolvableAtL1 == true}' },
    { id: 'Flow_ToAssign', name: 'no', from: 'XG_L1Resolvable', to: 'XG_MergeAssign', via: (s, t) => [[s.cx, s.y + s.h], [t.cx, t.y]], labelAt: [0, 0] },
    { id: 'Flow_MergedAssign', from: 'XG_MergeAssign', to: 'UT_AssignGroup' },
    { id: 'Flow_Assigned', from: 'UT_AssignGroup', to: 'XG_MergeInvestigate', via: (s, t) => [[s.cx, s.y + s.h], [t.cx, t.y]] },
    { id: 'Flow_MergedInvestigate', from: 'XG_MergeInvestigate', to: 'UT_InvestigateDiagnose' },
    { id: 'Flow_Res50', from: 'TBE_Res50', to: 'EE_FunctionalEscalation' },
    { id: 'Flow_Res75', from: 'TBE_Res75', to: 'EE_HierarchicalEscalation' },
    { id: 'Flow_ResBreach', from: 'TBE_ResBreach', to: 'EE_ResolutionBreached' },
    { id: 'Flow_Diagnosed', from: 'UT_InvestigateDiagnose', to: 'XG_NextStep' },
    { id: 'Flow_NeedsInfo', name: 'needs info', from: 'XG_NextStep', to: 'RT_AwaitCaller', cond: '${nextStep == "needs_info"}' },
    { id: 'Flow_Reassign', name: 'reassign', from: 'XG_NextStep', to: 'XG_MergeAssign', cond: '${nextStep == "reassign"}',
      via: (s, t) => [[s.cx, s.y], [s.cx, t.cy + 52], [t.cx, t.cy + 52], [t.cx, t.y + t.h]], labelAt: [0, 0] },
    { id: 'Flow_Resolved', name: 'resolved', from: 'XG_NextStep', to: 'UT_ApplyResolution' },
    { id: 'Flow_CallerReplied', from: 'RT_AwaitCaller', to: 'XG_MergeInvestigate',
      via: (s, t) => [[s.cx, s.y + s.h], [s.cx, s.cy + 56], [t.cx - 8, s.cy + 56], [t.cx - 8, t.y + t.h - 8]], labelAt: [0, 0] },
    { id: 'Flow_MergedResolved', from: 'XG_MergeResolved', to: 'XG_ProblemCandidate' },
    { id: 'Flow_ResolvedL1', from: 'UT_ResolveL1', to: 'XG_MergeResolved',
      via: (s, t) => [[s.x + s.w, s.cy], [t.cx, s.cy], [t.cx, t.y]] },
    { id: 'Flow_ResolutionApplied', from: 'UT_ApplyResolution', to: 'XG_MergeResolved' },
    { id: 'Flow_ProblemCandidate', name: 'yes', from: 'XG_ProblemCandidate', to: 'ITE_RaiseProblem', cond: '${problemCandidate == true}' },
    { id: 'Flow_NoProblem', name: 'no', from: 'XG_ProblemCandidate', to: 'XG_MergeConfirm' },
    { id: 'Flow_ProblemRaised', from: 'ITE_RaiseProblem', to: 'XG_MergeConfirm', via: (s, t) => [[s.cx, s.y], [t.cx, t.y + t.h]] },
    { id: 'Flow_MergedConfirm', from: 'XG_MergeConfirm', to: 'UT_ConfirmResolution' },
    { id: 'Flow_AutoClose', from: 'TBE_AutoClose', to: 'EE_AutoClosed' },
    { id: 'Flow_Confirmed', from: 'UT_ConfirmResolution', to: 'XG_Accepted' },
    { id: 'Flow_Accepted', name: 'accepted', from: 'XG_Accepted', to: 'EE_Closed' },
    { id: 'Flow_Reopen', name: 'rejected: reopen', labelW: 100, from: 'XG_Accepted', to: 'XG_MergeInvestigate', cond: '${confirmation == "rejected"}',
      via: (s, t) => [[s.cx, s.y + s.h], [s.cx, t.cy + ROWH + 64], [t.cx + 8, t.cy + ROWH + 64], [t.cx + 8, t.y + t.h - 8]], labelAt: [0, 0] },
  ];
  // place labels that were given as [0,0] next to their first segment
  for (const f of flows) {
    if (f.labelAt && f.labelAt[0] === 0) {
      f.labelAt = undefined;
      f.labelFirst = true;
    }
  }
  build({
    file: 'incident_management.bpmn', processId: 'incident_management', processName: 'Incident management', processAttrs: ' itsm:recordType="incident"', cols: 20,
    lanes, nodes, flows,
    messages: [
      { id: 'Msg_CallerReply', name: 'incident-caller-reply', key: '${recordNumber}' },
      { id: 'Msg_RaiseProblem', name: 'raise-problem', key: '${recordNumber}' },
      { id: 'Msg_SlaEscalation', name: 'incident-sla-escalation', key: '${recordNumber}' },
      { id: 'Msg_SlaBreach', name: 'sla-breach', key: '${recordNumber}' }, // starts an SLA breach review (processes/slr)
    ],
  });
}

// ---------------------------------------------------------------- major_incident
{
  const IM = 'Lane_IncidentManager', MIM = 'Lane_MajorIncidentManager';
  const lanes = [{ id: IM, name: 'Incident manager', rows: 2 }, { id: MIM, name: 'Major incident manager', rows: 1 }];
  const nodes = [
    { id: 'SE_MajorDeclared', tag: 'startEvent', name: 'Major incident declared', lane: IM, col: 0 },
    { id: 'UT_ConfirmMajor', tag: 'userTask', name: 'Confirm major incident', lane: IM, col: 1, attrs: ut('major-confirm', 'camunda:candidateGroups="incident-managers"') },
    { id: 'XG_Confirmed', tag: 'exclusiveGateway', name: 'Confirmed as major?', lane: IM, col: 2, attrs: 'default="Flow_Confirmed"' },
    { id: 'EE_NotMajor', tag: 'endEvent', name: 'Downgraded', lane: IM, row: 1, col: 3 },
    { id: 'UT_CoordinateRecovery', tag: 'userTask', name: 'Coordinate recovery and inform top management', lane: MIM, col: 3, attrs: ut('major-coordinate', 'camunda:candidateGroups="major-incident-managers"') },
    { id: 'UT_MajorIncidentReport', tag: 'userTask', name: 'Major incident report', lane: MIM, col: 4, attrs: ut('major-report', 'camunda:candidateGroups="major-incident-managers"') },
    { id: 'UT_PostIncidentReview', tag: 'userTask', name: 'Post-incident review', lane: MIM, col: 5, attrs: ut('major-review', 'camunda:candidateGroups="major-incident-managers"') },
    { id: 'EE_MajorClosed', tag: 'endEvent', name: 'Major incident closed', lane: MIM, col: 6 },
  ];
  const flows = [
    { id: 'Flow_Declared', from: 'SE_MajorDeclared', to: 'UT_ConfirmMajor' },
    { id: 'Flow_Checked', from: 'UT_ConfirmMajor', to: 'XG_Confirmed' },
    { id: 'Flow_Downgraded', name: 'no', from: 'XG_Confirmed', to: 'EE_NotMajor', cond: '${majorConfirmed == false}' },
    { id: 'Flow_Confirmed', name: 'yes', from: 'XG_Confirmed', to: 'UT_CoordinateRecovery' },
    { id: 'Flow_Recovered', from: 'UT_CoordinateRecovery', to: 'UT_MajorIncidentReport' },
    { id: 'Flow_Reported', from: 'UT_MajorIncidentReport', to: 'UT_PostIncidentReview' },
    { id: 'Flow_Reviewed', from: 'UT_PostIncidentReview', to: 'EE_MajorClosed' },
  ];
  build({ file: 'major_incident.bpmn', processId: 'major_incident', processName: 'Major incident procedure', cols: 7, lanes, nodes, flows });
}
