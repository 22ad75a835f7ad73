import { calculatePriorityHandler } from './calculate-priority.handler';
import { BpmnBusinessError } from './service-handler';

const run = (impact: unknown, urgency: unknown) =>
  calculatePriorityHandler.run({ instanceId: 'i', businessKey: null, elementId: 'p', idempotencyKey: 'k', variables: { impact, urgency }, inputs: {}, now: new Date() });

describe('calculatePriority handler', () => {
  it.each([
    ['high', 'high', 'P1'], ['high', 'medium', 'P2'], ['medium', 'high', 'P2'], ['high', 'low', 'P3'],
    ['medium', 'medium', 'P3'], ['low', 'high', 'P3'], ['medium', 'low', 'P4'], ['low', 'medium', 'P4'], ['low', 'low', 'P4'],
    [1, 2, 'P2'], ['H', 'l', 'P3'],
  ])('impact %s × urgency %s → %s', (impact, urgency, priority) => {
    expect(run(impact, urgency)).toEqual({ priority, majorIncidentCandidate: priority === 'P1' });
  });

  it('raises the BPMN error INVALID_INPUT for an unknown level', () => {
    expect(() => run('severe', 'high')).toThrow(BpmnBusinessError);
    expect(() => run('severe', 'high')).toThrow(/impact must be/);
  });
});
