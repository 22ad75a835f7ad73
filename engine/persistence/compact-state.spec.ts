import { bpmn } from '../../test/support/bpmn';
import { EngineError } from '../errors';
import { ProcessHarness } from '../runtime/testing/harness';
import * as compact from './compact-state';
import { decodeState, dictionaryOf, encodeState, type JsonValue } from './compact-state';

const task = (id: string, inner = '') => `<bpmn:userTask id="${id}" name="Task ${id}" camunda:candidateGroups="staff">${inner}</bpmn:userTask>`;
const flow = (from: string, to: string) => `<bpmn:sequenceFlow id="f_${from}_${to}" sourceRef="${from}" targetRef="${to}"/>`;
const chain = (...ids: string[]) => ids.slice(1).map((id, i) => flow(ids[i]!, id));

/** start → fork → (A with a timer boundary event → B), (C, three times in parallel) → join → sub-process (D) → end. */
const diagram = bpmn(
  'compact',
  [
    '<bpmn:startEvent id="start"/>',
    '<bpmn:parallelGateway id="fork"/>',
    task('A'),
    `<bpmn:boundaryEvent id="late" attachedToRef="A" cancelActivity="false"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>`,
    '<bpmn:endEvent id="lateEnd"/>',
    task('B'),
    task('C', '<bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>3</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>'),
    '<bpmn:parallelGateway id="join"/>',
    `<bpmn:subProcess id="sub"><bpmn:startEvent id="subStart"/>${task('D')}<bpmn:endEvent id="subEnd"/>${chain('subStart', 'D', 'subEnd').join('')}</bpmn:subProcess>`,
    '<bpmn:endEvent id="end"/>',
    ...chain('start', 'fork', 'A', 'B', 'join', 'sub', 'end'),
    ...chain('fork', 'C', 'join'),
    flow('late', 'lateEnd'),
  ].join('\n'),
);

/** Runs the diagram to its end, recovering from the snapshot on every command; the states encoded on the way. */
async function run(live = false): Promise<{ states: unknown[]; encoded: JsonValue[]; harness: ProcessHarness }> {
  const states: unknown[] = [];
  const encoded: JsonValue[] = [];
  const original = compact.encodeState;
  const spy = jest.spyOn(compact, 'encodeState').mockImplementation((state, dictionary) => {
    states.push(JSON.parse(JSON.stringify(state)));
    const out = original(state, dictionary);
    encoded.push(JSON.parse(JSON.stringify(out)));
    return out;
  });
  try {
    const p = await (await ProcessHarness.deploy(diagram, { live })).start({ note: 'a variable', list: [1, 2, { deep: true }] });
    await p.fireTimer('late');
    await p.complete('A', { approved: true });
    for (let i = 0; i < 3; i++) await p.complete('C');
    await p.complete('B');
    await p.complete('D');
    return { states, encoded, harness: p };
  } finally {
    spy.mockRestore();
  }
}

describe('the compact engine state (snapshot schema 2)', () => {
  it('gives back every state of a run exactly, from what a store gives back in any key order, and the run behaves as before', async () => {
    // Given a run through a timer, multi-instance, a join and a sub-process, recovered on every command
    const { states, encoded, harness } = await run();
    // Then it ran exactly as an engine kept in memory throughout (never decoded) runs it
    const reference = (await run(true)).harness;
    expect(harness.status).toBe('completed');
    expect(harness.completed).toEqual(reference.completed);
    expect(harness.variables).toEqual(reference.variables);
    expect([harness.count('lateEnd'), harness.count('D'), harness.count('end')]).toEqual([1, 1, 1]);
    // And each state decodes to exactly what was encoded, whatever the key order it is read in
    const dictionary = dictionaryOf(harness.definition.sourceContext);
    expect(states.length).toBeGreaterThanOrEqual(6);
    states.forEach((state, i) => {
      const stored = JSON.parse(JSON.stringify(encoded[i]), (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v)) as JsonValue;
      expect(decodeState(stored, dictionary)).toEqual(state);
    });
    // And it is much smaller than the state it stands for
    const bytes = (values: unknown[]) => values.reduce<number>((sum, v) => sum + JSON.stringify(v).length, 0);
    expect(bytes(encoded)).toBeLessThan(bytes(states) * 0.6);
  });

  it('keeps objects that look like its own references, __proto__ fields, undefined fields, dates and repeated values', () => {
    const dictionary = dictionaryOf({ id: 'defs', type: 'bpmn:Definitions', elements: { activities: [{ id: 'a', type: 'bpmn:Task', name: 'A', parent: { id: 'p', type: 'bpmn:Process' } }] } });
    const repeated = { id: 'a', type: 'bpmn:Task', name: 'A', executionId: 'a_1', parent: { id: 'p', type: 'bpmn:Process' } };
    const state = {
      '#': 3,
      '-': ['x'],
      refLike: { '#': 0 },
      escapeLike: { '#': [{ a: 1 }], '-': ['id'] },
      missing: undefined,
      when: new Date(Date.UTC(2026, 0, 2)),
      list: [undefined, 1, -0, 'text', null, true, [], {}],
      a: repeated,
      b: { ...repeated },
      c: { ...repeated, executionId: 'a_2', extra: { nested: [repeated, repeated] } },
      d: { id: 'a', type: 'bpmn:Task' },
      own: JSON.parse('{"__proto__": {"polluted": true}, "id": "a", "type": "bpmn:Task", "name": "A"}') as unknown,
      long: ['x'.repeat(500), 'x'.repeat(500), { text: 'x'.repeat(500) }],
    };
    const expected = JSON.parse(JSON.stringify(state));
    const stored = JSON.parse(JSON.stringify(encodeState(state, dictionary))) as JsonValue;
    const decoded = decodeState(stored, dictionary) as typeof expected;
    expect(decoded).toEqual(expected);
    expect(Object.getPrototypeOf(decoded.own)).toBe(Object.prototype);
    expect(Object.keys(decoded.own)).toContain('__proto__');
    expect(JSON.stringify(decoded).length).toBe(JSON.stringify(expected).length);
    // references come back as copies: no two places share an object
    expect(decoded.b).not.toBe(decoded.a);
    expect(decoded.c.extra.nested[0]).not.toBe(decoded.c.extra.nested[1]);
  });

  it('still reads a snapshot in the schema-1 format, and refuses one encoded against another definition', async () => {
    // Given an instance waiting on a user task, its snapshot turned back into the schema-1 format
    const p = await (await ProcessHarness.deploy(diagram)).start();
    const snapshot = p.snapshot!;
    expect(snapshot.schemaVersion).toBe(2);
    const dictionary = dictionaryOf(p.definition.sourceContext);
    p.snapshot = { schemaVersion: 1, engineVersion: snapshot.engineVersion, state: decodeState(JSON.parse(JSON.stringify(snapshot.state)) as JsonValue, dictionary) };
    // When it is resumed, then it goes on and writes schema 2
    await p.complete('A');
    expect(p.tasks.has('B')).toBe(true);
    expect(p.snapshot!.schemaVersion).toBe(2);
    // And a schema-2 snapshot whose dictionary is not this definition's is refused, not misread
    p.snapshot = { ...p.snapshot!, dictionary: 'another' };
    await expect(p.complete('B')).rejects.toThrow(EngineError);
    await expect(p.complete('B')).rejects.toThrow(/another definition/);
  });
});
