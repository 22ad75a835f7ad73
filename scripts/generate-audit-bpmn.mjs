// Generates processes/audit/audit_programme.bpmn and internal_audit.bpmn with full diagram interchange (left to right, a lane per role).
// Run: node scripts/generate-audit-bpmn.mjs. The layout is a grid: lane × row × column.
import { buildBpmn, COLW, ROWH, POOL_X, POOL_Y, LABEL_BAND, LEFT, timerDate, timerDuration, timerCycle, msg, ut } from './lib/bpmn-layout.mjs';

const build = (spec) => buildBpmn('audit', 'generate-audit-bpmn.mjs', spec);

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
