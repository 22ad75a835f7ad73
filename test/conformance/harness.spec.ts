import { normalizeExpected, processKey, selectCases, shapeCompletions } from './harness';

/** The comparison the conformance cases rely on: it must fail on a wrong order or a missing element. */
describe('conformance harness', () => {
  const expected = ['start', 'fork', { set: ['A', 'B'] }, 'join', 'end'];

  it('accepts any order inside a set and the exact order outside it', () => {
    expect(shapeCompletions(['start', 'fork', 'B', 'A', 'join', 'end'], expected)).toEqual(normalizeExpected(expected));
  });

  it('rejects a join completing before both branches, a missing element and an extra one', () => {
    expect(shapeCompletions(['start', 'fork', 'A', 'join', 'B', 'end'], expected)).not.toEqual(normalizeExpected(expected));
    expect(shapeCompletions(['start', 'fork', 'A', 'B', 'join'], expected)).not.toEqual(normalizeExpected(expected));
    expect(shapeCompletions(['start', 'fork', 'A', 'B', 'join', 'end', 'end'], expected)).not.toEqual(normalizeExpected(expected));
  });

  it('finds the executable process whatever the prefix and attribute order', () => {
    expect(processKey('<bpmn2:process id="x" isExecutable="false"/><bpmn2:process name="n" isExecutable="true" id="ManualCheck">')).toBe('ManualCheck');
    expect(processKey('<participant processRef="p"/><process id="p" isExecutable="true">')).toBe('p');
    expect(() => processKey('<process id="p">')).toThrow('no executable process');
  });

  it('selects the cases named in CONFORMANCE_ONLY', () => {
    const cases = [{ name: 'a' }, { name: 'b' }, { name: 'c' }];
    const saved = process.env.CONFORMANCE_ONLY;
    try {
      process.env.CONFORMANCE_ONLY = 'c, a';
      expect(selectCases(cases).map((c) => c.name)).toEqual(['a', 'c']);
      delete process.env.CONFORMANCE_ONLY;
      expect(selectCases(cases)).toHaveLength(3);
      expect(() => selectCases([{ name: 'a' }, { name: 'a' }])).toThrow('duplicate');
    } finally {
      if (saved === undefined) delete process.env.CONFORMANCE_ONLY;
      else process.env.CONFORMANCE_ONLY = saved;
    }
  });
});
