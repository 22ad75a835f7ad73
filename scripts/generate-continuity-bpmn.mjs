// Generates processes/continuity/continuity_test.bpmn and continuity_invocation.bpmn with full diagram interchange (left to right, a lane per role).
// Run: node scripts/generate-continuity-bpmn.mjs. The layout is a grid: lane × row × column.
import { buildBpmn, io, timerDate, timerCycle, msg, ut } from './lib/bpmn-layout.mjs';

const build = (spec) => buildBpmn('continuity', 'generate-continuity-bpmn.mjs', spec);

const named = (flows) => {
  for (const f of flows) {
    if (f.labelAt && f.labelAt[0] === 0) {
      f.labelAt = undefined;
      f.labelFirst = true;
    }
  }
  return flows;
};
const CM = 'Lane_ContinuityManager', RT = 'Lane_RecoveryTeams';
const cm = 'camunda:candidateGroups="continuity-managers"', rt = 'camunda:candidateGroups="recovery-teams"';

// ---------------------------------------------------------------- continuity_test (ITSM_REFERENCE §3.6.3)
// A yearly timer start (R/P1Y; a process owner edits the cycle, e.g. a cron expression); a continuity
// manager can also start one by hand (the start timer then fires at once). Plan → wait for the test date → execute (recovery
// teams record achieved RTO/RPO) → review → objectives not met: re-test (back to planning) or a
// corrective action (throws `raise-nonconformity`) → report → passed / failed.
{
  const lanes = [
    { id: CM, name: 'Continuity manager', rows: 2 },
    { id: RT, name: 'Recovery teams', rows: 1 },
  ];
  const nodes = [
    { id: 'SE_TestDue', tag: 'startEvent', name: 'Yearly test due', lane: CM, col: 0, inner: timerCycle('R/P1Y') },
    { id: 'XG_MergePlan', tag: 'exclusiveGateway', lane: CM, col: 1 },
    { id: 'UT_PlanTest', tag: 'userTask', name: 'Plan the test', lane: CM, col: 2, attrs: ut('bct-test-plan', `${cm} itsm:recordState="planned"`) },
    { id: 'ICE_TestDate', tag: 'intermediateCatchEvent', name: 'Wait for the test date', lane: CM, col: 3, attrs: 'itsm:recordState="scheduled"', inner: timerDate('${testDate}') },
    { id: 'UT_ExecuteTest', tag: 'userTask', name: 'Execute the test and record results', lane: RT, col: 4, attrs: ut('bct-test-execute', `${rt} itsm:recordState="in test"`),
      inner: io([], [['achievedRtoMinutes', '=achievedRtoMinutes'], ['achievedRpoMinutes', '=achievedRpoMinutes'], ['stepsFailed', '=stepsFailed'], ['executionNotes', '=executionNotes'],
        ['rtoMet', '=achievedRtoMinutes <= rtoMinutes'], ['rpoMet', '=achievedRpoMinutes <= rpoMinutes']]) },
    { id: 'UT_ReviewTest', tag: 'userTask', name: 'Post-test review', lane: CM, col: 5, attrs: ut('bct-test-review', `${cm} itsm:recordState="under review"`),
      inner: io([], [['findings', '=findings'], ['deficiencies', '=deficiencies'],
        ['objectivesMet', '=rtoMet = true and rpoMet = true and stepsFailed = 0 and deficiencies = false']]) },
    { id: 'XG_ObjectivesMet', tag: 'exclusiveGateway', name: 'Objectives met?', lane: CM, col: 6, attrs: 'default="Flow_NotMet"' },
    { id: 'UT_DecideActions', tag: 'userTask', name: 'Decide actions', lane: CM, row: 1, col: 7, attrs: ut('bct-test-actions', `${cm} itsm:recordState="actions"`) },
    { id: 'XG_Action', tag: 'exclusiveGateway', name: 'Action?', lane: CM, row: 1, col: 8, attrs: 'default="Flow_Corrective"' },
    { id: 'ITE_RaiseCapa', tag: 'intermediateThrowEvent', name: 'Raise corrective action', lane: CM, row: 1, col: 9, inner: msg('Msg_RaiseNc') },
    { id: 'XG_MergeReport', tag: 'exclusiveGateway', lane: CM, col: 10 },
    { id: 'UT_ReportResults', tag: 'userTask', name: 'Report results', lane: CM, col: 11, attrs: ut('bct-test-report', `${cm} itsm:recordState="reporting"`) },
    { id: 'XG_Result', tag: 'exclusiveGateway', name: 'Passed?', lane: CM, col: 12, attrs: 'default="Flow_Failed"' },
    { id: 'EE_TestPassed', tag: 'endEvent', name: 'Test passed', lane: CM, col: 13, attrs: 'itsm:recordState="passed"' },
    { id: 'EE_TestFailed', tag: 'endEvent', name: 'Test failed, actions raised', lane: CM, row: 1, col: 13, attrs: 'itsm:recordState="failed"' },
  ];
  const flows = named([
    { id: 'Flow_Due', from: 'SE_TestDue', to: 'XG_MergePlan' },
    { id: 'Flow_ToPlan', from: 'XG_MergePlan', to: 'UT_PlanTest' },
    { id: 'Flow_Planned', from: 'UT_PlanTest', to: 'ICE_TestDate' },
    { id: 'Flow_TestDay', from: 'ICE_TestDate', to: 'UT_ExecuteTest' },
    { id: 'Flow_Executed', from: 'UT_ExecuteTest', to: 'UT_ReviewTest' },
    { id: 'Flow_Reviewed', from: 'UT_ReviewTest', to: 'XG_ObjectivesMet' },
    { id: 'Flow_Met', name: 'yes', from: 'XG_ObjectivesMet', to: 'XG_MergeReport', cond: '${objectivesMet == true}' },
    { id: 'Flow_NotMet', name: 'no', from: 'XG_ObjectivesMet', to: 'UT_DecideActions', labelAt: [0, 0] },
    { id: 'Flow_Decided', from: 'UT_DecideActions', to: 'XG_Action' },
    { id: 'Flow_Retest', name: 're-test', from: 'XG_Action', to: 'XG_MergePlan', cond: '${action == "retest"}', labelAt: [0, 0],
      via: (s, t) => [[s.cx, s.y + s.h], [s.cx, s.cy + 50], [t.cx, s.cy + 50], [t.cx, t.y + t.h]] },
    { id: 'Flow_Corrective', name: 'corrective action', labelW: 100, from: 'XG_Action', to: 'ITE_RaiseCapa', labelAt: [0, 0] },
    { id: 'Flow_CapaRaised', from: 'ITE_RaiseCapa', to: 'XG_MergeReport', via: (s, t) => [[s.x + s.w, s.cy], [t.cx, s.cy], [t.cx, t.y + t.h]] },
    { id: 'Flow_ToReport', from: 'XG_MergeReport', to: 'UT_ReportResults' },
    { id: 'Flow_Reported', from: 'UT_ReportResults', to: 'XG_Result' },
    { id: 'Flow_Passed', name: 'yes', from: 'XG_Result', to: 'EE_TestPassed', cond: '${objectivesMet == true}' },
    { id: 'Flow_Failed', name: 'no', from: 'XG_Result', to: 'EE_TestFailed', labelAt: [0, 0] },
  ]);
  // Flow_Corrective is a straight line: its label above the line, not at the first bend
  const corrective = flows.find((f) => f.id === 'Flow_Corrective');
  corrective.labelFirst = false;
  build({
    file: 'continuity_test.bpmn', processId: 'continuity_test', processName: 'Service continuity test', processAttrs: ' itsm:recordType="bct"', cols: 14,
    lanes, nodes, flows,
    messages: [{ id: 'Msg_RaiseNc', name: 'raise-nonconformity', key: '${recordNumber}' }],
  });
}

// ---------------------------------------------------------------- continuity_invocation (ITSM_REFERENCE §3.6.4)
// Started only by the message `continuity-invoke` (a major incident throws it; a continuity manager
// raises it by hand with POST /api/messages): deploy validation refuses a none start beside a message start.
{
  const lanes = [
    { id: CM, name: 'Continuity manager', rows: 2 },
    { id: RT, name: 'Recovery teams', rows: 2 },
  ];
  const nodes = [
    { id: 'SE_InvocationRequested', tag: 'startEvent', name: 'Major loss of service', lane: CM, col: 0, inner: msg('Msg_Invoke') },
    { id: 'UT_DecideInvocation', tag: 'userTask', name: 'Invoke the plan?', lane: CM, col: 1, attrs: ut('bct-invoke-decide', `${cm} itsm:recordState="assessing"`) },
    { id: 'XG_Invoke', tag: 'exclusiveGateway', name: 'Invoke?', lane: CM, col: 2, attrs: 'default="Flow_NotInvoked"' },
    { id: 'EE_NotInvoked', tag: 'endEvent', name: 'Not invoked', lane: CM, row: 1, col: 3, attrs: 'itsm:recordState="not invoked"' },
    { id: 'UT_InvokePlan', tag: 'userTask', name: 'Invoke the plan and notify contacts', lane: CM, col: 3, attrs: ut('bct-invoke-plan', `${cm} itsm:recordState="invoked"`) },
    { id: 'PG_Split', tag: 'parallelGateway', lane: RT, col: 4 },
    { id: 'UT_RecoverInfrastructure', tag: 'userTask', name: 'Recover infrastructure and services', lane: RT, col: 5, attrs: ut('bct-recover-services', `${rt} itsm:recordState="recovering"`) },
    { id: 'UT_RestoreData', tag: 'userTask', name: 'Restore data', lane: RT, row: 1, col: 5, attrs: ut('bct-restore-data', rt) },
    { id: 'PG_Join', tag: 'parallelGateway', lane: RT, col: 6 },
    { id: 'UT_ReturnToNormal', tag: 'userTask', name: 'Return to normal', lane: RT, col: 7, attrs: ut('bct-return-to-normal', `${rt} itsm:recordState="returning to normal"`) },
    { id: 'UT_PostInvocationReview', tag: 'userTask', name: 'Post-invocation review', lane: CM, col: 8, attrs: ut('bct-invocation-review', `${cm} itsm:recordState="under review"`) },
    { id: 'XG_Retest', tag: 'exclusiveGateway', name: 'Re-test needed?', lane: CM, col: 9, attrs: 'default="Flow_NoRetest"' },
    { id: 'ITE_RequestRetest', tag: 'intermediateThrowEvent', name: 'Request re-test', lane: CM, row: 1, col: 10, inner: msg('Msg_Retest') },
    { id: 'XG_MergeEnd', tag: 'exclusiveGateway', lane: CM, col: 11 },
    { id: 'EE_Recovered', tag: 'endEvent', name: 'Recovered', lane: CM, col: 12, attrs: 'itsm:recordState="closed"' },
  ];
  const flows = named([
    { id: 'Flow_Requested', from: 'SE_InvocationRequested', to: 'UT_DecideInvocation' },
    { id: 'Flow_Decided', from: 'UT_DecideInvocation', to: 'XG_Invoke' },
    { id: 'Flow_Invoke', name: 'yes', from: 'XG_Invoke', to: 'UT_InvokePlan', cond: '${invoke == true}' },
    { id: 'Flow_NotInvoked', name: 'no', from: 'XG_Invoke', to: 'EE_NotInvoked', labelAt: [0, 0] },
    { id: 'Flow_Invoked', from: 'UT_InvokePlan', to: 'PG_Split' },
    { id: 'Flow_ToRecover', from: 'PG_Split', to: 'UT_RecoverInfrastructure' },
    { id: 'Flow_ToRestore', from: 'PG_Split', to: 'UT_RestoreData' },
    { id: 'Flow_Recovered', from: 'UT_RecoverInfrastructure', to: 'PG_Join' },
    { id: 'Flow_Restored', from: 'UT_RestoreData', to: 'PG_Join', via: (s, t) => [[s.x + s.w, s.cy], [t.cx, s.cy], [t.cx, t.y + t.h]] },
    { id: 'Flow_ToNormal', from: 'PG_Join', to: 'UT_ReturnToNormal' },
    { id: 'Flow_Normal', from: 'UT_ReturnToNormal', to: 'UT_PostInvocationReview' },
    { id: 'Flow_Reviewed', from: 'UT_PostInvocationReview', to: 'XG_Retest' },
    { id: 'Flow_Retest', name: 'yes', from: 'XG_Retest', to: 'ITE_RequestRetest', cond: '${retestRequired == true}', labelAt: [0, 0] },
    { id: 'Flow_NoRetest', name: 'no', from: 'XG_Retest', to: 'XG_MergeEnd' },
    { id: 'Flow_RetestRequested', from: 'ITE_RequestRetest', to: 'XG_MergeEnd', via: (s, t) => [[s.x + s.w, s.cy], [t.cx, s.cy], [t.cx, t.y + t.h]] },
    { id: 'Flow_ToEnd', from: 'XG_MergeEnd', to: 'EE_Recovered' },
  ]);
  build({
    file: 'continuity_invocation.bpmn', processId: 'continuity_invocation', processName: 'Service continuity invocation', processAttrs: ' itsm:recordType="bct"', cols: 13,
    lanes, nodes, flows,
    messages: [
      { id: 'Msg_Invoke', name: 'continuity-invoke' }, // a start event: started whatever the key (e.g. the major incident's number)
      { id: 'Msg_Retest', name: 'continuity-retest', key: '${recordNumber}' },
    ],
  });
}
