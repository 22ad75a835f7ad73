// Generates processes/incident/*.bpmn with full diagram interchange (left to right, a lane per role).
// Run: node scripts/generate-incident-bpmn.mjs. The layout is a grid: lane × row × column.
import { buildBpmn, ROWH, io, timerDate, timerDuration, msg, ut } from './lib/bpmn-layout.mjs';

const build = (spec) => buildBpmn('incident', 'generate-incident-bpmn.mjs', spec);

// ---------------------------------------------------------------- incident_management
{
  const lanes = [
    { id: 'Lane_Caller', name: 'Caller', rows: 2 },
    { id: 'Lane_ServiceDesk', name: 'Service desk', rows: 2 },
    { id: 'Lane_Resolvers', name: 'Resolver group', rows: 5 },
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
    // Each threshold escalates once per incident: diagnosis is entered again after a reassignment, the
    // caller's reply or a reopen, and its timers are then armed again on instants already passed.
    ...[
      { at: 'ResBreach', row: 2, off: 40, flag: 'slaBreachReported', st: 'ST_ResolutionBreached', stName: 'Report the SLA breach', message: 'Msg_SlaBreach', ee: 'EE_ResolutionBreached', eeName: '100 %: SLA breach reported' },
      { at: 'Res75', row: 3, off: 0, flag: 'slaEscalatedAt75', st: 'ST_HierarchicalEscalation', stName: 'Notify the incident manager', message: 'Msg_SlaEscalation', ee: 'EE_HierarchicalEscalation', eeName: '75 %: incident manager notified' },
      { at: 'Res50', row: 4, off: -40, flag: 'slaEscalatedAt50', st: 'ST_FunctionalEscalation', stName: 'Notify the group lead', message: 'Msg_SlaEscalation', ee: 'EE_FunctionalEscalation', eeName: '50 %: group lead notified' },
    ].flatMap((e) => [
      { id: `XG_${e.at}Once`, tag: 'exclusiveGateway', name: 'Notified before?', lane: RES, row: e.row, col: 12, dx: e.off, label: 'aboveRight', attrs: `default="Flow_${e.at}Before"` },
      { id: e.st, tag: 'sendTask', name: e.stName, lane: RES, row: e.row, col: 13, dx: 60, attrs: `messageRef="${e.message}"`, inner: io([], [[e.flag, '${true}']]) },
      { id: e.ee, tag: 'endEvent', name: e.eeName, lane: RES, row: e.row, col: 14, label: 'right' },
      { id: `EE_${e.at}Before`, tag: 'endEvent', name: 'Notified before', lane: RES, row: e.row, col: 14, dy: 48, label: 'right' },
    ]),
    { id: 'XG_NextStep', tag: 'exclusiveGateway', name: 'Outcome of diagnosis', lane: RES, col: 13, attrs: 'default="Flow_Resolved"' },
    { id: 'RT_AwaitCaller', tag: 'receiveTask', name: 'Awaiting caller', lane: RES, row: 1, col: 14, attrs: 'messageRef="Msg_CallerReply" itsm:recordState="awaiting caller" itsm:pauseSla="resolution" itsm:pauseReason="awaiting_caller"' },
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
    ...[['Res50', 'ST_FunctionalEscalation', 'EE_FunctionalEscalation', 'slaEscalatedAt50'], ['Res75', 'ST_HierarchicalEscalation', 'EE_HierarchicalEscalation', 'slaEscalatedAt75'],
      ['ResBreach', 'ST_ResolutionBreached', 'EE_ResolutionBreached', 'slaBreachReported']].flatMap(([at, st, ee, flag]) => [
      { id: `Flow_${at}`, from: `TBE_${at}`, to: `XG_${at}Once` },
      { id: `Flow_${at}First`, name: 'no', from: `XG_${at}Once`, to: st, cond: `\${${flag} != true}` },
      { id: `Flow_${at}Sent`, from: st, to: ee },
      { id: `Flow_${at}Before`, name: 'yes', from: `XG_${at}Once`, to: `EE_${at}Before` },
    ]),
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

// ---------------------------------------------------------------- incident_from_change
// Receives `raise-incident` (thrown by change_management when a change fails, with only `sourceRecord` =
// the change number): the service desk logs the incident (form incident-log, the start form of
// incident_management), then incident_management runs as a call activity with all variables, so its INC
// record is linked to the change through the `sourceRecord` start variable. No record of its own.
{
  const SD = 'Lane_ServiceDesk', SYS = 'Lane_System';
  const lanes = [
    { id: SD, name: 'Service desk', rows: 1 },
    { id: SYS, name: 'System', rows: 1 },
  ];
  const nodes = [
    { id: 'SE_IncidentRaised', tag: 'startEvent', name: 'Incident raised by a failed change', lane: SD, col: 0, inner: msg('Msg_RaiseIncident') },
    { id: 'UT_LogIncident', tag: 'userTask', name: 'Log incident from failed change', lane: SD, col: 1, attrs: ut('incident-log', 'camunda:candidateGroups="servicedesk"') },
    { id: 'CA_IncidentManagement', tag: 'callActivity', name: 'Incident management', lane: SYS, col: 2, attrs: 'calledElement="incident_management"',
      inner: '<bpmn:extensionElements><camunda:in variables="all"/></bpmn:extensionElements>' },
    { id: 'EE_IncidentDone', tag: 'endEvent', name: 'Incident finished', lane: SYS, col: 3 },
  ];
  const flows = [
    { id: 'Flow_Raised', from: 'SE_IncidentRaised', to: 'UT_LogIncident' },
    { id: 'Flow_Logged', from: 'UT_LogIncident', to: 'CA_IncidentManagement' },
    { id: 'Flow_Done', from: 'CA_IncidentManagement', to: 'EE_IncidentDone' },
  ];
  build({
    file: 'incident_from_change.bpmn', processId: 'incident_from_change', processName: 'Incident raised by a failed change', cols: 4,
    lanes, nodes, flows,
    messages: [{ id: 'Msg_RaiseIncident', name: 'raise-incident' }], // a start event: started whatever the key (the change's number)
  });
}
