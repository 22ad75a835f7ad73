// Generates processes/slr/sla_review.bpmn with full diagram interchange (left to right, a lane per role).
// Run: node scripts/generate-slr-bpmn.mjs. The layout is a grid: lane × row × column.
import { buildBpmn, timerCycle, msg, ut } from './lib/bpmn-layout.mjs';

const build = (spec) => buildBpmn('slr', 'generate-slr-bpmn.mjs', spec);

// ---------------------------------------------------------------- sla_review
// Started by its timer start (monthly, `R/P1M`, scheduled at deploy; "Durable time" in the README).
// The report is a user task that records the period's figures (see the README "Service level review flow").
{
  const SLM = 'Lane_ServiceLevelManager', OWN = 'Lane_ServiceOwner', SYS = 'Lane_System';
  const lanes = [
    { id: SLM, name: 'Service level manager and customer representative', rows: 1 },
    { id: OWN, name: 'Service owner', rows: 1 },
    { id: SYS, name: 'System', rows: 1 },
  ];
  const slm = 'camunda:candidateGroups="service-level-managers"';
  const nodes = [
    { id: 'SE_ReportingPeriod', tag: 'startEvent', name: 'Reporting period ends (monthly)', lane: SYS, col: 0, inner: timerCycle('R/P1M') },
    { id: 'UT_PrepareServiceReport', tag: 'userTask', name: 'Prepare service report from the KPIs', lane: SLM, col: 1, attrs: ut('slr-report', `${slm} itsm:recordState="reporting"`) },
    { id: 'XG_TargetsOrWorkloadIssue', tag: 'exclusiveGateway', name: 'Target missed or workload exceeded?', lane: SYS, col: 2, attrs: 'default="Flow_NoIssue"', label: 'below' },
    { id: 'UT_IdentifyImprovements', tag: 'userTask', name: 'Identify improvement opportunities', lane: OWN, col: 3, attrs: ut('slr-improvements', 'camunda:candidateGroups="service-level-managers,service-owners"') },
    { id: 'XG_MergeIssue', tag: 'exclusiveGateway', lane: SYS, col: 4 },
    { id: 'UT_ServiceReview', tag: 'userTask', name: 'Service review with the customer', lane: SLM, col: 5, attrs: ut('slr-review', 'camunda:candidateGroups="service-level-managers,customer-representatives" itsm:recordState="under review"') },
    { id: 'XG_ActionsAgreed', tag: 'exclusiveGateway', name: 'Improvement actions agreed?', lane: SYS, col: 6, attrs: 'default="Flow_NoActions"', label: 'below' },
    { id: 'UT_ImprovementAction', tag: 'userTask', name: 'Carry out improvement action', lane: OWN, col: 7, attrs: ut('slr-action', 'camunda:candidateGroups="service-owners" itsm:recordState="actions in progress"'),
      inner: '<bpmn:multiInstanceLoopCharacteristics camunda:collection="${improvementActions}" camunda:elementVariable="action"/>' },
    { id: 'XG_MergeActions', tag: 'exclusiveGateway', lane: SYS, col: 8 },
    { id: 'UT_CloseReview', tag: 'userTask', name: 'Archive report and minutes', lane: SLM, col: 9, attrs: ut('slr-close', slm) },
    { id: 'EE_ReviewDone', tag: 'endEvent', name: 'Review closed', lane: SLM, col: 10, attrs: 'itsm:recordState="closed"' },
  ];
  const flows = [
    { id: 'Flow_PeriodEnded', from: 'SE_ReportingPeriod', to: 'UT_PrepareServiceReport' },
    { id: 'Flow_Reported', from: 'UT_PrepareServiceReport', to: 'XG_TargetsOrWorkloadIssue', via: (s, t) => [[s.x + s.w, s.cy], [t.cx, s.cy], [t.cx, t.y]] },
    { id: 'Flow_Issue', name: 'yes', from: 'XG_TargetsOrWorkloadIssue', to: 'UT_IdentifyImprovements', cond: '${targetsMissed == true || workloadExceeded == true}',
      via: (s, t) => [[s.x + s.w, s.cy], [s.x + s.w + 20, s.cy], [s.x + s.w + 20, t.cy], [t.x, t.cy]], labelAt: (s) => [s.x + s.w + 24, s.cy - 40] },
    { id: 'Flow_NoIssue', name: 'no', from: 'XG_TargetsOrWorkloadIssue', to: 'XG_MergeIssue' },
    { id: 'Flow_Improvements', from: 'UT_IdentifyImprovements', to: 'XG_MergeIssue', via: (s, t) => [[s.x + s.w, s.cy], [t.cx, s.cy], [t.cx, t.y]] },
    { id: 'Flow_ToReview', from: 'XG_MergeIssue', to: 'UT_ServiceReview', via: (s, t) => [[s.x + s.w, s.cy], [t.cx, s.cy], [t.cx, t.y + t.h]] },
    { id: 'Flow_Reviewed', from: 'UT_ServiceReview', to: 'XG_ActionsAgreed', via: (s, t) => [[s.x + s.w, s.cy], [t.cx, s.cy], [t.cx, t.y]] },
    { id: 'Flow_Actions', name: 'yes', from: 'XG_ActionsAgreed', to: 'UT_ImprovementAction', cond: '=improvementActions != null and count(improvementActions) > 0',
      via: (s, t) => [[s.x + s.w, s.cy], [s.x + s.w + 20, s.cy], [s.x + s.w + 20, t.cy], [t.x, t.cy]], labelAt: (s) => [s.x + s.w + 24, s.cy - 40] },
    { id: 'Flow_NoActions', name: 'no', from: 'XG_ActionsAgreed', to: 'XG_MergeActions' },
    { id: 'Flow_ActionsDone', from: 'UT_ImprovementAction', to: 'XG_MergeActions', via: (s, t) => [[s.x + s.w, s.cy], [t.cx, s.cy], [t.cx, t.y]] },
    { id: 'Flow_ToClose', from: 'XG_MergeActions', to: 'UT_CloseReview', via: (s, t) => [[s.x + s.w, s.cy], [t.cx, s.cy], [t.cx, t.y + t.h]] },
    { id: 'Flow_Closed', from: 'UT_CloseReview', to: 'EE_ReviewDone' },
  ];
  for (const f of flows) {
    if (f.labelAt && f.labelAt[0] === 0) {
      f.labelAt = undefined;
      f.labelFirst = true;
    }
  }
  build({ file: 'sla_review.bpmn', processId: 'sla_review', processName: 'Service level review', processAttrs: ' itsm:recordType="slr"', cols: 11, lanes, nodes, flows });
}

// ---------------------------------------------------------------- sla_breach_review
// The SLA-breach path (ITSM_REFERENCE §3.5.3, `SE_SlaBreached`) is its own process: deploy validation
// refuses a message start beside the timer start of sla_review. The incident flow throws `sla-breach`
// when its resolution target is breached (100 %); the breach record is linked to the incident both ways
// through `sourceRecord`. A service level manager can also report one with POST /api/messages.
{
  const SLM = 'Lane_ServiceLevelManager', OWN = 'Lane_ServiceOwner', SYS = 'Lane_System';
  const lanes = [
    { id: SLM, name: 'Service level manager', rows: 1 },
    { id: OWN, name: 'Service owner', rows: 1 },
    { id: SYS, name: 'System', rows: 1 },
  ];
  const nodes = [
    { id: 'SE_SlaBreached', tag: 'startEvent', name: 'SLA breached', lane: SLM, col: 0, inner: msg('Msg_SlaBreach') },
    { id: 'UT_BreachAssessment', tag: 'userTask', name: 'Assess the breach', lane: SLM, col: 1, attrs: ut('slr-breach', 'camunda:candidateGroups="service-level-managers" itsm:recordState="assessing"') },
    { id: 'XG_ActionNeeded', tag: 'exclusiveGateway', name: 'Improvement action needed?', lane: SYS, col: 2, attrs: 'default="Flow_NoAction"', label: 'below' },
    { id: 'UT_BreachAction', tag: 'userTask', name: 'Carry out improvement action', lane: OWN, col: 3, attrs: ut('slr-breach-action', 'camunda:candidateGroups="service-owners" itsm:recordState="actions in progress"') },
    { id: 'XG_MergeAction', tag: 'exclusiveGateway', lane: SYS, col: 4 },
    { id: 'EE_BreachClosed', tag: 'endEvent', name: 'Breach recorded', lane: SYS, col: 5, attrs: 'itsm:recordState="closed"' },
  ];
  const flows = [
    { id: 'Flow_Breached', from: 'SE_SlaBreached', to: 'UT_BreachAssessment' },
    { id: 'Flow_Assessed', from: 'UT_BreachAssessment', to: 'XG_ActionNeeded', via: (s, t) => [[s.x + s.w, s.cy], [t.cx, s.cy], [t.cx, t.y]] },
    { id: 'Flow_Action', name: 'yes', from: 'XG_ActionNeeded', to: 'UT_BreachAction', cond: '${improvementNeeded == true}',
      via: (s, t) => [[s.x + s.w, s.cy], [s.x + s.w + 20, s.cy], [s.x + s.w + 20, t.cy], [t.x, t.cy]], labelAt: (s) => [s.x + s.w + 24, s.cy - 40] },
    { id: 'Flow_NoAction', name: 'no', from: 'XG_ActionNeeded', to: 'XG_MergeAction' },
    { id: 'Flow_ActionDone', from: 'UT_BreachAction', to: 'XG_MergeAction', via: (s, t) => [[s.x + s.w, s.cy], [t.cx, s.cy], [t.cx, t.y]] },
    { id: 'Flow_ToClosed', from: 'XG_MergeAction', to: 'EE_BreachClosed' },
  ];
  build({
    file: 'sla_breach_review.bpmn', processId: 'sla_breach_review', processName: 'SLA breach review', processAttrs: ' itsm:recordType="slr"', cols: 6,
    lanes, nodes, flows, messages: [{ id: 'Msg_SlaBreach', name: 'sla-breach' }],
  });
}
