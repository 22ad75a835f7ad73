import { initiatorVariables } from './initiator';

const context = (...activities: unknown[]) => ({ getActivities: () => activities });
const start = (id: string, behaviour: Record<string, unknown>, parent = 'bpmn:Process') => ({ id, type: 'bpmn:StartEvent', parent: { type: parent }, behaviour });

describe('camunda:initiator', () => {
  it('names the variable that holds the starting user, on process-level none start events only', () => {
    const ctx = context(
      start('SE', { initiator: 'requester' }),
      start('SE_Msg', { initiator: 'viaMessage', eventDefinitions: [{ type: 'bpmn:MessageEventDefinition' }] }),
      start('SE_Sub', { initiator: 'inSub' }, 'bpmn:SubProcess'),
      start('SE_Bad', { initiator: 'not a name' }),
      { id: 'UT', type: 'bpmn:UserTask', parent: { type: 'bpmn:Process' }, behaviour: { initiator: 'x' } },
    );
    expect(initiatorVariables(ctx, 'rita')).toEqual({ requester: 'rita' });
    expect(initiatorVariables(ctx, null)).toEqual({});
  });
});
