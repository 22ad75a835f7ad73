// Generates processes/request/service_request.bpmn with full diagram interchange (left to right, a lane per role).
// Run: node scripts/generate-request-bpmn.mjs. The layout is a grid: lane × row × column.
import { buildBpmn, io, timerDuration, ut } from './lib/bpmn-layout.mjs';

const build = (spec) => buildBpmn('request', 'generate-request-bpmn.mjs', spec);

// ---------------------------------------------------------------- service_request (ITSM_REFERENCE §3.2)
{
  const REQ = 'Lane_Requester', APP = 'Lane_Approver', FUL = 'Lane_Fulfilment', SYS = 'Lane_System';
  const lanes = [
    { id: REQ, name: 'Requester', rows: 2 },
    { id: APP, name: 'Approver', rows: 2 },
    { id: FUL, name: 'Fulfilment group', rows: 1 },
    { id: SYS, name: 'System', rows: 1 },
  ];
  const nodes = [
    { id: 'SE_RequestSubmitted', tag: 'startEvent', name: 'Request submitted', lane: REQ, col: 0, attrs: 'camunda:formRef="request-submit" camunda:initiator="initiator"' },
    { id: 'BRT_LoadRequestModel', tag: 'businessRuleTask', name: 'Load request model', lane: SYS, col: 1, attrs: 'camunda:decisionRef="request-catalogue" camunda:resultVariable="requestModel" camunda:mapDecisionResult="singleResult"' },
    { id: 'XG_ApprovalRequired', tag: 'exclusiveGateway', name: 'Approval needed?', lane: SYS, col: 2, attrs: 'default="Flow_NoApproval"' },
    { id: 'UT_ApproveRequest', tag: 'userTask', name: 'Approve request', lane: APP, col: 3, attrs: ut('request-approve', 'camunda:candidateGroups="request-approvers" itsm:excludeUsersIn="initiator" itsm:recordState="awaiting approval"') },
    { id: 'TBE_ApprovalExpired', tag: 'boundaryEvent', name: 'No decision in 5 days', attachedTo: 'UT_ApproveRequest', offset: 20, inner: timerDuration('P5D'), label: 'belowRight' },
    { id: 'EE_Cancelled', tag: 'endEvent', name: 'Approval expired', lane: APP, row: 1, col: 3, dx: 40, attrs: 'itsm:recordState="cancelled"', label: 'below' },
    { id: 'XG_Approved', tag: 'exclusiveGateway', name: 'Approved?', lane: APP, col: 4, attrs: 'default="Flow_Rejected"' },
    { id: 'EE_Rejected', tag: 'endEvent', name: 'Request rejected', lane: REQ, col: 5, attrs: 'itsm:recordState="rejected"', label: 'right' },
    { id: 'XG_ApprovalJoin', tag: 'exclusiveGateway', lane: SYS, col: 5 },
    { id: 'ST_StartFulfilmentClock', tag: 'serviceTask', name: 'Start fulfilment clock', lane: SYS, col: 6, attrs: 'camunda:delegateExpression="${startSla}"', inner: io([['name', 'resolution'], ['target', '${requestModel.fulfilmentTarget}'], ['calendar', '${requestModel.calendar}']]) },
    { id: 'XG_FulfilJoin', tag: 'exclusiveGateway', lane: FUL, col: 7 },
    { id: 'UT_FulfilTask', tag: 'userTask', name: 'Fulfil: ${fulfilmentTask}', lane: FUL, col: 8, attrs: ut('request-fulfil', 'camunda:candidateGroups="fulfilment" itsm:recordState="in fulfilment"'), inner: '<bpmn:multiInstanceLoopCharacteristics camunda:collection="${requestModel.fulfilmentTasks}" camunda:elementVariable="fulfilmentTask"/>' },
    { id: 'ITE_Fulfilled', tag: 'intermediateThrowEvent', name: 'Request fulfilled', lane: FUL, col: 9, attrs: 'itsm:recordState="resolved"' },
    { id: 'UT_ConfirmFulfilment', tag: 'userTask', name: 'Confirm fulfilment', lane: REQ, col: 10, attrs: ut('request-confirm', 'camunda:assignee="${initiator}" itsm:recordState="awaiting confirmation"'), inner: io([], [['confirmation', '${confirmation}'], ['confirmationComment', '=confirmationComment'], ['reopenCount', '=if confirmation = "rejected" then (if reopenCount = null then 1 else reopenCount + 1) else reopenCount']]) },
    { id: 'TBE_AutoClose', tag: 'boundaryEvent', name: 'No answer in 5 days', attachedTo: 'UT_ConfirmFulfilment', offset: 60, inner: timerDuration('P5D'), label: 'belowRight' },
    { id: 'EE_AutoClosed', tag: 'endEvent', name: 'Closed automatically', lane: REQ, row: 1, col: 11, label: 'right' },
    { id: 'XG_Accepted', tag: 'exclusiveGateway', name: 'Fulfilment accepted?', lane: REQ, col: 11, label: 'below', attrs: 'default="Flow_Accepted"' },
    { id: 'EE_Fulfilled', tag: 'endEvent', name: 'Request closed', lane: REQ, col: 12, attrs: 'itsm:recordState="closed"' },
  ];
  const flows = [
    { id: 'Flow_Submitted', from: 'SE_RequestSubmitted', to: 'BRT_LoadRequestModel' },
    { id: 'Flow_ModelLoaded', from: 'BRT_LoadRequestModel', to: 'XG_ApprovalRequired' },
    { id: 'Flow_NeedsApproval', name: 'yes', from: 'XG_ApprovalRequired', to: 'UT_ApproveRequest', cond: '${requestModel.needsApproval == true}', labelW: 30 },
    { id: 'Flow_NoApproval', name: 'no', from: 'XG_ApprovalRequired', to: 'XG_ApprovalJoin' , labelW: 30 },
    { id: 'Flow_Decided', from: 'UT_ApproveRequest', to: 'XG_Approved' },
    { id: 'Flow_Approved', name: 'approved', from: 'XG_Approved', to: 'XG_ApprovalJoin', cond: '${approvalDecision == "approve"}' },
    { id: 'Flow_Rejected', name: 'rejected', from: 'XG_Approved', to: 'EE_Rejected', labelFirst: true },
    { id: 'Flow_ToClock', from: 'XG_ApprovalJoin', to: 'ST_StartFulfilmentClock' },
    { id: 'Flow_ToFulfil', from: 'ST_StartFulfilmentClock', to: 'XG_FulfilJoin' },
    { id: 'Flow_Fulfil', from: 'XG_FulfilJoin', to: 'UT_FulfilTask' },
    { id: 'Flow_AllDone', from: 'UT_FulfilTask', to: 'ITE_Fulfilled' },
    { id: 'Flow_ToConfirm', from: 'ITE_Fulfilled', to: 'UT_ConfirmFulfilment' },
    { id: 'Flow_Answered', from: 'UT_ConfirmFulfilment', to: 'XG_Accepted' },
    { id: 'Flow_Accepted', name: 'accepted', from: 'XG_Accepted', to: 'EE_Fulfilled' },
    { id: 'Flow_Reopen', name: 'rejected: reopen', from: 'XG_Accepted', to: 'XG_FulfilJoin', cond: '${confirmation == "rejected"}',
      via: (s, t) => [[s.cx, s.y], [s.cx, 75], [t.cx, 75], [t.cx, t.y]], labelAt: [1880, 62], labelW: 95 },
    { id: 'Flow_Expired', from: 'TBE_ApprovalExpired', to: 'EE_Cancelled' },
    { id: 'Flow_AutoClose', from: 'TBE_AutoClose', to: 'EE_AutoClosed' },
  ];
  build({
    file: 'service_request.bpmn', processId: 'service_request', processName: 'Service request fulfilment (ISO/IEC 20000-1 8.6.2)', processAttrs: ' itsm:recordType="request"',
    lanes, nodes, flows, cols: 13,
  });
}
