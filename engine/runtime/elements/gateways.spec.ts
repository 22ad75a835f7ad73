import { bpmn, sequenceFlow as flow, userTask } from '../../../test/support/bpmn';
import { ProcessHarness } from '../testing/harness';

const task = (id: string) => userTask(id, 'staff');

/** start → OR split (a, b, c by condition) → A/B/C → OR join → after → end */
const orSplitJoin = bpmn(
  'orJoin',
  [
    '<bpmn:startEvent id="start"/>',
    '<bpmn:inclusiveGateway id="split"/>',
    task('A'),
    task('B'),
    task('C'),
    '<bpmn:inclusiveGateway id="join"/>',
    task('after'),
    '<bpmn:endEvent id="end"/>',
    flow('f0', 'start', 'split'),
    flow('fa', 'split', 'A', '${a}'),
    flow('fb', 'split', 'B', '${b}'),
    flow('fc', 'split', 'C', '${c}'),
    flow('ja', 'A', 'join'),
    flow('jb', 'B', 'join'),
    flow('jc', 'C', 'join'),
    flow('f1', 'join', 'after'),
    flow('f2', 'after', 'end'),
  ].join('\n'),
);

describe('inclusive join (OR-join semantics)', () => {
  it('waits for every branch the split took, fires once, then ends once', async () => {
    const p = await (await ProcessHarness.deploy(orSplitJoin)).start({ a: true, b: false, c: true });
    expect([...p.tasks.keys()].sort()).toEqual(['A', 'C']);
    await p.complete('A');
    expect(p.count('join')).toBe(0);
    // The token that arrived waits at the join.
    expect(p.active).toEqual(['C', 'join']);
    await p.complete('C');
    expect(p.count('join')).toBe(1);
    expect([...p.tasks.keys()]).toEqual(['after']);
    await p.complete('after');
    expect(p.status).toBe('completed');
    expect(p.count('join')).toBe(1);
    expect(p.count('end')).toBe(1);
  });

  it('fires at once when the split took a single branch', async () => {
    const p = await (await ProcessHarness.deploy(orSplitJoin)).start({ a: false, b: true, c: false });
    await p.complete('B');
    expect(p.count('join')).toBe(1);
    expect([...p.tasks.keys()]).toEqual(['after']);
  });

  it('keeps waiting while a branch holds a token further upstream (a chain of tasks)', async () => {
    const xml = bpmn(
      'orChain',
      [
        '<bpmn:startEvent id="start"/>',
        '<bpmn:inclusiveGateway id="split"/>',
        task('A'),
        task('B1'),
        task('B2'),
        '<bpmn:inclusiveGateway id="join"/>',
        '<bpmn:endEvent id="end"/>',
        flow('f0', 'start', 'split'),
        flow('fa', 'split', 'A', '${true}'),
        flow('fb', 'split', 'B1', '${true}'),
        flow('fb2', 'B1', 'B2'),
        flow('ja', 'A', 'join'),
        flow('jb', 'B2', 'join'),
        flow('f1', 'join', 'end'),
      ].join('\n'),
    );
    const p = await (await ProcessHarness.deploy(xml)).start();
    await p.complete('A');
    await p.complete('B1');
    expect(p.count('join')).toBe(0);
    expect(p.status).toBe('running');
    await p.complete('B2');
    expect(p.count('join')).toBe(1);
    expect(p.status).toBe('completed');
  });

  it('does not deadlock after a loop back before the split', async () => {
    const xml = bpmn(
      'orLoop',
      [
        '<bpmn:startEvent id="start"/>',
        '<bpmn:exclusiveGateway id="merge"/>',
        '<bpmn:inclusiveGateway id="split"/>',
        task('A'),
        task('B'),
        '<bpmn:inclusiveGateway id="join"/>',
        task('review'),
        '<bpmn:exclusiveGateway id="again" default="done"/>',
        '<bpmn:endEvent id="end"/>',
        flow('f0', 'start', 'merge'),
        flow('f1', 'merge', 'split'),
        flow('fa', 'split', 'A', '${true}'),
        flow('fb', 'split', 'B', '${round == 1}'),
        flow('ja', 'A', 'join'),
        flow('jb', 'B', 'join'),
        flow('f2', 'join', 'review'),
        flow('f3', 'review', 'again'),
        flow('back', 'again', 'merge', '${loop}'),
        flow('done', 'again', 'end'),
      ].join('\n'),
    );
    const p = await (await ProcessHarness.deploy(xml)).start({ round: 1 });
    await p.complete('A');
    expect(p.count('join')).toBe(0);
    await p.complete('B');
    expect(p.count('join')).toBe(1);
    await p.complete('review', { round: 2, loop: true });
    // Second round: only A is taken; the join must not wait for B.
    expect([...p.tasks.keys()]).toEqual(['A']);
    await p.complete('A');
    expect(p.count('join')).toBe(2);
    await p.complete('review', { loop: false });
    expect(p.status).toBe('completed');
  });

  it('works inside an embedded sub-process', async () => {
    const xml = bpmn(
      'orSub',
      [
        '<bpmn:startEvent id="start"/>',
        '<bpmn:subProcess id="sub">',
        '<bpmn:startEvent id="subStart"/>',
        '<bpmn:inclusiveGateway id="split"/>',
        task('A'),
        task('B'),
        '<bpmn:inclusiveGateway id="join"/>',
        '<bpmn:endEvent id="subEnd"/>',
        flow('s0', 'subStart', 'split'),
        flow('fa', 'split', 'A', '${true}'),
        flow('fb', 'split', 'B', '${true}'),
        flow('ja', 'A', 'join'),
        flow('jb', 'B', 'join'),
        flow('s1', 'join', 'subEnd'),
        '</bpmn:subProcess>',
        task('after'),
        '<bpmn:endEvent id="end"/>',
        flow('f0', 'start', 'sub'),
        flow('f1', 'sub', 'after'),
        flow('f2', 'after', 'end'),
      ].join('\n'),
    );
    const p = await (await ProcessHarness.deploy(xml)).start();
    await p.complete('B');
    expect(p.count('join')).toBe(0);
    expect(p.tasks.has('after')).toBe(false);
    await p.complete('A');
    expect(p.count('join')).toBe(1);
    expect(p.count('sub')).toBe(1);
    expect([...p.tasks.keys()]).toEqual(['after']);
  });
});

describe('parallel join', () => {
  /** bpmn-engine#200 (ENGINE_NOTES exp 19): fork → A ‖ (XOR split → B | skip → XOR merge) → join. */
  const xorBeforeJoin = bpmn(
    'xorJoin',
    [
      '<bpmn:startEvent id="start"/>',
      '<bpmn:parallelGateway id="fork"/>',
      task('A'),
      '<bpmn:exclusiveGateway id="xs" default="skip"/>',
      task('B'),
      '<bpmn:exclusiveGateway id="xj"/>',
      '<bpmn:parallelGateway id="join"/>',
      '<bpmn:endEvent id="end"/>',
      flow('f0', 'start', 'fork'),
      flow('fa', 'fork', 'A'),
      flow('fx', 'fork', 'xs'),
      flow('toB', 'xs', 'B', '${needB}'),
      flow('skip', 'xs', 'xj'),
      flow('fromB', 'B', 'xj'),
      flow('ja', 'A', 'join'),
      flow('jx', 'xj', 'join'),
      flow('f1', 'join', 'end'),
    ].join('\n'),
  );

  it('waits for the token still in B after an exclusive merge (bpmn-engine#200)', async () => {
    const p = await (await ProcessHarness.deploy(xorBeforeJoin)).start({ needB: true });
    expect([...p.tasks.keys()].sort()).toEqual(['A', 'B']);
    await p.complete('A');
    expect(p.count('join')).toBe(0);
    expect(p.status).toBe('running');
    expect(p.tasks.has('B')).toBe(true);
    await p.complete('B');
    expect(p.count('join')).toBe(1);
    expect(p.count('end')).toBe(1);
    expect(p.status).toBe('completed');
  });

  it('fires once when the exclusive split skipped B', async () => {
    const p = await (await ProcessHarness.deploy(xorBeforeJoin)).start({ needB: false });
    await p.complete('A');
    expect(p.count('join')).toBe(1);
    expect(p.status).toBe('completed');
  });

  it('ignores conditions on the outgoing flows of a parallel gateway', async () => {
    const xml = bpmn(
      'parCond',
      [
        '<bpmn:startEvent id="start"/>',
        '<bpmn:parallelGateway id="fork"/>',
        task('A'),
        task('B'),
        '<bpmn:parallelGateway id="join"/>',
        '<bpmn:endEvent id="end"/>',
        flow('f0', 'start', 'fork'),
        flow('fa', 'fork', 'A', '${false}'),
        flow('fb', 'fork', 'B', '${true}'),
        flow('ja', 'A', 'join'),
        flow('jb', 'B', 'join'),
        flow('f1', 'join', 'end'),
      ].join('\n'),
    );
    const p = await (await ProcessHarness.deploy(xml)).start();
    expect([...p.tasks.keys()].sort()).toEqual(['A', 'B']);
    await p.complete('B');
    expect(p.status).toBe('running');
    await p.complete('A');
    expect(p.status).toBe('completed');
    expect(p.count('join')).toBe(1);
  });

  it('fires once per complete set of tokens when two rounds arrive through exclusive merges', async () => {
    const xml = bpmn(
      'rounds',
      [
        '<bpmn:startEvent id="start"/>',
        '<bpmn:parallelGateway id="fork"/>',
        ...['n1', 'n2', 'n3', 'n4'].map((id) => `<bpmn:task id="${id}"/>`),
        '<bpmn:exclusiveGateway id="m1"/>',
        '<bpmn:exclusiveGateway id="m2"/>',
        '<bpmn:parallelGateway id="join"/>',
        task('after'),
        '<bpmn:endEvent id="end"/>',
        flow('f0', 'start', 'fork'),
        ...['n1', 'n2', 'n3', 'n4'].map((id) => flow(`to${id}`, 'fork', id)),
        flow('n1m', 'n1', 'm1'),
        flow('n2m', 'n2', 'm1'),
        flow('n3m', 'n3', 'm2'),
        flow('n4m', 'n4', 'm2'),
        flow('a', 'm1', 'join'),
        flow('b', 'm2', 'join'),
        flow('f1', 'join', 'after'),
        flow('f2', 'after', 'end'),
      ].join('\n'),
    );
    const p = await (await ProcessHarness.deploy(xml)).start();
    expect(p.count('join')).toBe(2);
    // bpmn-engine runs one execution of an activity at a time: the second token waits before it.
    await p.complete('after');
    await p.complete('after');
    expect(p.count('end')).toBe(2);
    expect(p.status).toBe('completed');
  });

  it('keeps waiting (BPMN deadlock) instead of firing when a missing flow can no longer receive a token', async () => {
    const xml = bpmn(
      'deadlock',
      [
        '<bpmn:startEvent id="start"/>',
        '<bpmn:parallelGateway id="fork"/>',
        task('A'),
        '<bpmn:exclusiveGateway id="xs" default="toC"/>',
        task('B'),
        task('C'),
        '<bpmn:parallelGateway id="join"/>',
        '<bpmn:endEvent id="end"/>',
        '<bpmn:endEvent id="end2"/>',
        flow('f0', 'start', 'fork'),
        flow('fa', 'fork', 'A'),
        flow('fx', 'fork', 'xs'),
        flow('toB', 'xs', 'B', '${b}'),
        flow('toC', 'xs', 'C'),
        flow('ja', 'A', 'join'),
        flow('jb', 'B', 'join'),
        flow('cEnd', 'C', 'end2'),
        flow('f1', 'join', 'end'),
      ].join('\n'),
    );
    const p = await (await ProcessHarness.deploy(xml)).start({ b: false });
    await p.complete('C');
    await p.complete('A');
    expect(p.count('join')).toBe(0);
    expect(p.status).toBe('running');
    expect(p.active).toEqual(['join']);
  });
});
