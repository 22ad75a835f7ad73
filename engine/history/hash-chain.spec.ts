import { chainEvents, verifyChain, canonicalJson } from './hash-chain';

const draft = (type: string, payload: Record<string, unknown> | null = null) => ({
  instanceId: 'i-1', type, elementId: 'task', elementType: 'bpmn:UserTask', executionId: 'task_1', actor: 'alice', payload, occurredAt: '2026-11-21T08:00:00.000Z',
});

describe('history hash chain', () => {
  it('links each event to its predecessor and verifies an untouched chain', () => {
    // given
    const { records, head } = chainEvents({ seq: 0, hash: null }, [draft('a'), draft('b', { x: 1 }), draft('c')]);

    // then
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(records[0]!.prevHash).toBeNull();
    expect(records[1]!.prevHash).toBe(records[0]!.hash);
    expect(head).toEqual({ seq: 3, hash: records[2]!.hash });
    expect(verifyChain(records, head)).toEqual({ valid: true, checked: 3, firstInvalid: null });
  });

  it('continues an existing chain across commands', () => {
    const first = chainEvents({ seq: 0, hash: null }, [draft('a')]);
    const second = chainEvents(first.head, [draft('b')]);
    expect(verifyChain([...first.records, ...second.records], second.head).valid).toBe(true);
  });

  it('names a changed event', () => {
    const { records, head } = chainEvents({ seq: 0, hash: null }, [draft('a'), draft('b', { amount: 10 }), draft('c')]);
    const tampered = records.map((r) => (r.seq === 2 ? { ...r, payload: { amount: 1000 } } : r));
    const verdict = verifyChain(tampered, head);
    expect(verdict.valid).toBe(false);
    expect(verdict.firstInvalid).toEqual({ seq: 2, reason: expect.stringMatching(/changed/) });
  });

  it('names the position of a removed event and a removed tail', () => {
    const { records, head } = chainEvents({ seq: 0, hash: null }, [draft('a'), draft('b'), draft('c')]);
    expect(verifyChain([records[0]!, records[2]!], head).firstInvalid).toEqual({ seq: 3, reason: expect.stringMatching(/missing/) });
    expect(verifyChain(records.slice(0, 2), head).firstInvalid).toEqual({ seq: 3, reason: expect.stringMatching(/tail removed/) });
  });

  it('detects an event rewritten together with its own hash (the next link breaks)', () => {
    const { records, head } = chainEvents({ seq: 0, hash: null }, [draft('a'), draft('b'), draft('c')]);
    const forged = chainEvents({ seq: 1, hash: records[0]!.hash }, [{ ...draft('b'), actor: 'mallory' }]).records[0]!;
    const verdict = verifyChain([records[0]!, forged, records[2]!], head);
    expect(verdict.firstInvalid?.seq).toBe(3);
  });

  it('hashes independently of key order (jsonb reorders keys)', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 1 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"e":1,"f":2}]},"b":1}');
  });
});
