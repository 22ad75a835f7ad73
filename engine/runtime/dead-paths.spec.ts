import { bpmn, sequenceFlow as flow, userTask } from '../../test/support/bpmn';
import { compileDefinition, loadSourceContext } from '../definitions';
import { checkExpression } from '../expressions';
import { deadPathReaders } from './dead-paths';
import { ProcessHarness } from './testing/harness';

const task = (id: string) => userTask(id, 'staff');

/** start → first → XOR split into `branches` tasks b0..bN-1 (by `branch`) → XOR merge → last → end */
function wideExclusive(branches: number): string {
  const parts = ['<bpmn:startEvent id="start"/>', task('first'), `<bpmn:exclusiveGateway id="split" default="to_b${branches - 1}"/>`, '<bpmn:exclusiveGateway id="merge"/>', task('last'), '<bpmn:endEvent id="end"/>'];
  parts.push(flow('f0', 'start', 'first'), flow('f1', 'first', 'split'), flow('f2', 'merge', 'last'), flow('f3', 'last', 'end'));
  for (let i = 0; i < branches; i++) {
    parts.push(task(`b${i}`), flow(`to_b${i}`, 'split', `b${i}`, i === branches - 1 ? undefined : `=branch = ${i}`), flow(`from_b${i}`, `b${i}`, 'merge'));
  }
  return bpmn('wide', parts.join('\n'));
}

/** start → XOR split → A → end1, or B → link throw "L"; link catch "L" → C → end2 */
const deadLink = bpmn(
  'deadLink',
  [
    '<bpmn:startEvent id="start"/>',
    '<bpmn:exclusiveGateway id="split" default="toB"/>',
    task('A'),
    task('B'),
    task('C'),
    '<bpmn:intermediateThrowEvent id="throwL"><bpmn:linkEventDefinition name="L"/></bpmn:intermediateThrowEvent>',
    '<bpmn:intermediateCatchEvent id="catchL"><bpmn:linkEventDefinition name="L"/></bpmn:intermediateCatchEvent>',
    '<bpmn:endEvent id="end1"/>',
    '<bpmn:endEvent id="end2"/>',
    flow('f0', 'start', 'split'),
    flow('toA', 'split', 'A', '=a'),
    flow('toB', 'split', 'B'),
    flow('fa', 'A', 'end1'),
    flow('fb', 'B', 'throwL'),
    flow('fl', 'catchL', 'C'),
    flow('fc', 'C', 'end2'),
  ].join('\n'),
);

/** start → OR split: (XOR split → A | B) and C; A, B and C meet in an OR join → after → end */
const orJoinAfterXor = bpmn(
  'orAfterXor',
  [
    '<bpmn:startEvent id="start"/>',
    '<bpmn:inclusiveGateway id="fork"/>',
    '<bpmn:exclusiveGateway id="xor" default="toB"/>',
    task('A'),
    task('B'),
    task('C'),
    '<bpmn:inclusiveGateway id="join"/>',
    task('after'),
    '<bpmn:endEvent id="end"/>',
    flow('f0', 'start', 'fork'),
    flow('fx', 'fork', 'xor', '=true'),
    flow('fc', 'fork', 'C', '=true'),
    flow('toA', 'xor', 'A', '=a'),
    flow('toB', 'xor', 'B'),
    flow('ja', 'A', 'join'),
    flow('jb', 'B', 'join'),
    flow('jc', 'C', 'join'),
    flow('f1', 'join', 'after'),
    flow('f2', 'after', 'end'),
  ].join('\n'),
);

/** start → XOR split → A → end1, or B → parallel fork → P1, P2 → parallel join → end2 */
const deadParallel = bpmn(
  'deadParallel',
  [
    '<bpmn:startEvent id="start"/>',
    '<bpmn:exclusiveGateway id="split" default="toB"/>',
    task('A'),
    task('B'),
    '<bpmn:parallelGateway id="fork"/>',
    task('P1'),
    task('P2'),
    '<bpmn:parallelGateway id="join"/>',
    '<bpmn:endEvent id="end1"/>',
    '<bpmn:endEvent id="end2"/>',
    flow('f0', 'start', 'split'),
    flow('toA', 'split', 'A', '=a'),
    flow('toB', 'split', 'B'),
    flow('fa', 'A', 'end1'),
    flow('fb', 'B', 'fork'),
    flow('p1', 'fork', 'P1'),
    flow('p2', 'fork', 'P2'),
    flow('j1', 'P1', 'join'),
    flow('j2', 'P2', 'join'),
    flow('fe', 'join', 'end2'),
  ].join('\n'),
);

async function readersOf(xml: string): Promise<string[]> {
  const compiled = await compileDefinition(xml, { knownHandlers: new Set(), checkExpression });
  return [...deadPathReaders(loadSourceContext(compiled.serialized) as never)].sort();
}

describe('dead paths', () => {
  describe('which elements read them', () => {
    it('are the joins and link throws, and every element a dead path reaches them from', async () => {
      expect(await readersOf(deadLink)).toEqual(['B', 'split', 'start', 'throwL']);
      expect(await readersOf(deadParallel)).toEqual(['B', 'P1', 'P2', 'fork', 'join', 'split', 'start']);
      // An exclusive merge is no join: nothing reads the dead branches of a wide exclusive split.
      expect(await readersOf(wideExclusive(5))).toEqual([]);
    });
  });

  for (const live of [false, true]) {
    describe(live ? 'with the engine kept between commands' : 'recovered on every command', () => {
      it('a wide exclusive split and merge runs the chosen branch, then what follows the merge once, and ends', async () => {
        const p = await (await ProcessHarness.deploy(wideExclusive(30), { live })).start({ branch: 17 });
        await p.complete('first');
        expect([...p.tasks.keys()]).toEqual(['b17']);
        expect(p.active).toEqual(['b17']);
        await p.complete('b17');
        expect([...p.tasks.keys()]).toEqual(['last']);
        await p.complete('last');
        expect(p.status).toBe('completed');
        expect(p.completed).toEqual(['start', 'first', 'split', 'b17', 'merge', 'last', 'end']);
        expect(p.last.events.filter((e) => e.type === 'element.cancelled')).toEqual([]);
      });

      it('a dead branch ending in a link throw discards the link catch: the process ends', async () => {
        const p = await (await ProcessHarness.deploy(deadLink, { live })).start({ a: true });
        expect([...p.tasks.keys()]).toEqual(['A']);
        await p.complete('A');
        expect(p.status).toBe('completed');
        expect(p.count('C')).toBe(0);
        expect(p.count('end2')).toBe(0);
      });

      it('the link still carries the token on the taken branch', async () => {
        const p = await (await ProcessHarness.deploy(deadLink, { live })).start({ a: false });
        await p.complete('B');
        expect([...p.tasks.keys()]).toEqual(['C']);
        await p.complete('C');
        expect(p.status).toBe('completed');
        expect(p.count('end2')).toBe(1);
      });

      it('an inclusive join fed by an exclusive split fires once, with the dead branch counted, and the process ends', async () => {
        const p = await (await ProcessHarness.deploy(orJoinAfterXor, { live })).start({ a: true });
        expect([...p.tasks.keys()].sort()).toEqual(['A', 'C']);
        await p.complete('A');
        expect(p.count('join')).toBe(0);
        await p.complete('C');
        expect(p.count('join')).toBe(1);
        await p.complete('after');
        expect(p.status).toBe('completed');
        expect(p.count('end')).toBe(1);
      });

      it('a parallel fork and join on a dead branch never run, and the process ends', async () => {
        const p = await (await ProcessHarness.deploy(deadParallel, { live })).start({ a: true });
        await p.complete('A');
        expect(p.status).toBe('completed');
        expect(p.completed).toEqual(['start', 'split', 'A', 'end1']);
      });
    });
  }
});
