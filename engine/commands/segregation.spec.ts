import { excludedBy } from './segregation';
import type { VariableHistoryEntry } from '../persistence/ports';

const at = (n: number) => `2026-01-01T00:00:0${n}.000Z`;
const started = (values: Record<string, unknown>): VariableHistoryEntry => ({ type: 'instance.started', occurredAt: at(0), values });
const submitted = (n: number, values: Record<string, unknown>): VariableHistoryEntry => ({ type: 'task.completed', occurredAt: at(n), values });
const changed = (n: number, values: Record<string, unknown>): VariableHistoryEntry => ({ type: 'variables.changed', occurredAt: at(n), values });

describe('excludedBy (segregation of duties replayed from history)', () => {
  it('given a start value rewritten by a task submission, then the start value stays excluded with the new one', () => {
    const history = [started({ requester: 'mallory' }), submitted(1, { requester: 'somebody-else' }), changed(1, { requester: 'somebody-else' })];
    expect(excludedBy(history, 'requester').sort()).toEqual(['mallory', 'somebody-else']);
  });

  it('given a value the process replaced (not submitted), then only the new value excludes', () => {
    const history = [changed(1, { actionOwners: ['quinn', 'adam'] }), submitted(2, { other: 1 }), changed(3, { actionOwners: ['adam'] })];
    expect(excludedBy(history, 'actionOwners')).toEqual(['adam']);
  });

  it('given a submission in an earlier command, then a later process change is not taken for a submission', () => {
    const history = [started({ owner: 'olga' }), submitted(1, { owner: 'olga' }), changed(2, { owner: 'quinn' })];
    expect(excludedBy(history, 'owner')).toEqual(['quinn']);
  });

  it('given a first value set by a submission, then it excludes, and a later submission keeps it excluded', () => {
    const history = [submitted(1, { owner: 'olga' }), changed(1, { owner: 'olga' }), submitted(2, { owner: null }), changed(2, { owner: null })];
    expect(excludedBy(history, 'owner')).toEqual(['olga']);
  });
});
