import type { HistoryEventRecord } from '../../engine';
import { replaySteps } from './replay';

let seq = 0;
function event(type: string, elementId: string | null, executionId: string | null = null, payload: Record<string, unknown> | null = null): HistoryEventRecord {
  seq++;
  return { instanceId: 'i', seq, type, elementId, elementType: null, executionId, actor: null, payload, occurredAt: '2026-12-01T00:00:00.000Z', prevHash: null, hash: `h${seq}` };
}

describe('replaySteps', () => {
  beforeEach(() => (seq = 0));

  it('follows tokens through a parallel split, a failed service task (kept for its retry) and the end', () => {
    // given
    const events = [
      event('instance.started', 'p', null, { variables: { a: 1 } }),
      event('element.started', 'fork', 'x1'),
      event('element.completed', 'fork', 'x1'),
      event('element.started', 'left', 'x2'),
      event('element.started', 'right', 'x3'),
      event('element.waiting', 'left', 'x2'),
      event('element.failed', 'right', 'x3', { message: 'down', retry: true }),
      event('element.completed', 'left', 'x2'),
      event('instance.ended', 'p'),
    ];

    // when
    const { steps } = replaySteps(events);

    // then
    expect(steps.map((s) => s.tokens)).toEqual([[], ['fork'], [], ['left'], ['left', 'right'], ['left', 'right'], ['left', 'right'], ['right'], []]);
  });

  it('counts the instances of a multi-instance activity as tokens, not its body', () => {
    const { steps } = replaySteps([
      event('element.started', 'vote', 'body', { multiInstanceBody: true }),
      event('element.started', 'vote', 'v0', { loopCounter: 0 }),
      event('element.started', 'vote', 'v1', { loopCounter: 1 }),
      event('element.cancelled', 'vote', 'v0', { loopCounter: 0 }),
      event('element.completed', 'vote', 'v1', { loopCounter: 1 }),
      event('element.completed', 'vote', 'body', { multiInstanceBody: true }),
    ]);
    expect(steps.map((s) => s.tokens)).toEqual([[], ['vote'], ['vote', 'vote'], ['vote'], [], []]);
  });

  it('applies start variables, then the engine-assigned ones, then each committed delta; copies the variables only where they changed', () => {
    // given
    const events = [
      event('instance.started', 'p', null, { variables: { title: 'x' }, assignedVariables: { recordNumber: 'INC0000001' } }),
      event('task.completed', 't', 'e1', { variables: { ok: true } }),
      event('variables.changed', null, null, { changes: { ok: true, title: null } }),
      event('instance.ended', 'p'),
    ];

    // when
    const { steps, variables } = replaySteps(events);

    // then
    expect(steps[0]).toMatchObject({ changed: ['title', 'recordNumber'], variables: { title: 'x', recordNumber: 'INC0000001' } });
    // the submitted values are committed by the command's delta, not by the completion event
    expect(steps[1]).toEqual(expect.objectContaining({ changed: [] }));
    expect(steps[1]).not.toHaveProperty('variables');
    expect(steps[2]).toMatchObject({ changed: ['ok', 'title'], variables: { title: null, recordNumber: 'INC0000001', ok: true } });
    expect(variables).toEqual({ title: null, recordNumber: 'INC0000001', ok: true });
    // a later step's copy is not shared with an earlier one
    expect(steps[0]!.variables).toEqual({ title: 'x', recordNumber: 'INC0000001' });
  });
});
