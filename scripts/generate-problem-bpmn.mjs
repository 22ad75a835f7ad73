// Generates processes/problem/problem_management.bpmn with full diagram interchange (left to right, a lane per role).
// Run: node scripts/generate-problem-bpmn.mjs. The layout is a grid: lane × row × column.
import { buildBpmn, io, timerDate, timerDuration, msg, ut } from './lib/bpmn-layout.mjs';

const build = (spec) => buildBpmn('problem', 'generate-problem-bpmn.mjs', spec);

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
