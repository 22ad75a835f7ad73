import { chainEvents, hashEvent } from './hash-chain';
import { auditInstance, replayVariables } from './audit';
import { HistoryKeyring, sealEvent, sealHead } from './seal';

const ring = new HistoryKeyring('the current history key, 32 bytes or more');
const draft = (type: string, payload: Record<string, unknown> | null = null) => ({
  instanceId: 'i1', type, elementId: null, elementType: null, executionId: null, actor: 'alice', payload, occurredAt: '2026-01-01T00:00:00.000Z',
});

function sealed(drafts = [draft('instance.started', { variables: { a: 1 } }), draft('variables.changed', { changes: { b: 2 } }), draft('instance.ended')]) {
  const { records, head } = chainEvents({ seq: 0, hash: null }, drafts);
  return { events: records.map((e) => ({ ...e, mac: sealEvent(ring, e.hash) })), head, headSeal: sealHead(ring, 'i1', head) };
}

describe('history seals', () => {
  it('given a sealed chain, when nothing changed, then it audits clean', () => {
    const { events, head, headSeal } = sealed();
    expect(auditInstance({ instanceId: 'i1', head, headSeal, events, variables: { a: 1, b: 2 }, tasks: [] }, ring)).toEqual([]);
  });

  it('given a rewritten event with its plain hash recomputed, then its seal fails; without the key no seal can be made', () => {
    const { events, head, headSeal } = sealed();
    const forged = { ...events[1]!, actor: 'mallory' };
    forged.hash = hashEvent(forged);
    const other = new HistoryKeyring('an attacker-chosen key of 32 bytes or more');
    const problems = auditInstance({ instanceId: 'i1', head, headSeal, events: [events[0]!, { ...forged, mac: sealEvent(other, forged.hash) }, events[2]!], variables: { a: 1, b: 2 }, tasks: [] }, ring);
    expect(problems.map((p) => p.kind)).toEqual(expect.arrayContaining(['chain', 'seal']));
    expect(problems.find((p) => p.kind === 'seal')?.reason).toMatch(/key this server does not hold/);
  });

  it('given a previous key in the ring, then what it sealed still verifies and new seals use the current key', () => {
    const old = new HistoryKeyring('the previous history key, 32 bytes or more');
    const rotated = new HistoryKeyring('the current history key, 32 bytes or more', ['the previous history key, 32 bytes or more']);
    const seal = old.sign('event', 'abc');
    expect(rotated.check('event', 'abc', seal)).toBe('valid');
    expect(rotated.sign('event', 'abc').startsWith(`${rotated.keyId}:`)).toBe(true);
    expect(rotated.check('head', 'abc', seal)).toBe('invalid'); // a seal of one purpose is no seal of another
    expect(rotated.check('event', 'abd', seal)).toBe('invalid');
    expect(rotated.check('event', 'abc', null)).toBe('missing');
    expect(() => new HistoryKeyring('short')).toThrow(/at least 32 bytes/);
  });

  it('replays variables from the start variables and each change, a null removing', () => {
    const { events } = sealed([draft('instance.started', { variables: { a: 1, c: 3 } }), draft('variables.changed', { changes: { a: 2, c: null } })]);
    expect(replayVariables(events)).toEqual({ a: 2, c: null });
  });
});
