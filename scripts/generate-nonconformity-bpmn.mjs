// Generates processes/nonconformity/nonconformity_capa.bpmn with full diagram interchange (left to right, a lane per role).
// Run: node scripts/generate-nonconformity-bpmn.mjs. The layout is a grid: lane × row × column.
import { buildBpmn, ROWH, io, timerDuration, msg, ut } from './lib/bpmn-layout.mjs';

const build = (spec) => buildBpmn('nonconformity', 'generate-nonconformity-bpmn.mjs', spec);


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
