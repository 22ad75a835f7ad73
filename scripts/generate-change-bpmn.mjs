// Generates processes/change/change_from_problem.bpmn with full diagram interchange (left to right, a lane per role).
// Run: node scripts/generate-change-bpmn.mjs. change_management.bpmn and cab_review.bpmn are not generated.
import { buildBpmn, msg, ut } from './lib/bpmn-layout.mjs';

const build = (spec) => buildBpmn('change', 'generate-change-bpmn.mjs', spec);

// ---------------------------------------------------------------- change_from_problem
// Receives `raise-change` (thrown by problem_management with only `sourceRecord` = the problem number):
// a change manager drafts the RFC (form change-rfc), then change_management runs as a call activity with
// all variables, so its CHG record is linked to the problem through the `sourceRecord` start variable.
// No record of its own: the change record is the child's.
{
  const CM = 'Lane_ChangeManager', SYS = 'Lane_System';
  const lanes = [
    { id: CM, name: 'Change manager', rows: 1 },
    { id: SYS, name: 'System', rows: 1 },
  ];
  const nodes = [
    { id: 'SE_ChangeRaised', tag: 'startEvent', name: 'Change raised by a problem', lane: CM, col: 0, inner: msg('Msg_RaiseChange') },
    { id: 'UT_DraftRfc', tag: 'userTask', name: 'Draft RFC from problem', lane: CM, col: 1, attrs: ut('change-rfc', 'camunda:candidateGroups="change-managers"') },
    { id: 'CA_ChangeManagement', tag: 'callActivity', name: 'Change management', lane: SYS, col: 2, attrs: 'calledElement="change_management"',
      inner: '<bpmn:extensionElements><camunda:in variables="all"/></bpmn:extensionElements>' },
    { id: 'EE_ChangeDone', tag: 'endEvent', name: 'Change finished', lane: SYS, col: 3 },
  ];
  const flows = [
    { id: 'Flow_Raised', from: 'SE_ChangeRaised', to: 'UT_DraftRfc' },
    { id: 'Flow_Drafted', from: 'UT_DraftRfc', to: 'CA_ChangeManagement' },
    { id: 'Flow_Done', from: 'CA_ChangeManagement', to: 'EE_ChangeDone' },
  ];
  build({
    file: 'change_from_problem.bpmn', processId: 'change_from_problem', processName: 'Change raised by a problem', cols: 4,
    lanes, nodes, flows,
    messages: [{ id: 'Msg_RaiseChange', name: 'raise-change' }], // a start event: started whatever the key (the problem's number)
  });
}
