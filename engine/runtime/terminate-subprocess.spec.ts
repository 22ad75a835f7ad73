import { bpmn } from '../../test/support/bpmn';
import { ProcessHarness } from './testing/harness';

const task = (id: string) => `<bpmn:userTask id="${id}" name="${id}" camunda:candidateGroups="staff"/>`;
const flow = (from: string, to: string) => `<bpmn:sequenceFlow id="f_${from}_${to}" sourceRef="${from}" targetRef="${to}"/>`;
const terminateEnd = (id: string) => `<bpmn:endEvent id="${id}"><bpmn:terminateEventDefinition/></bpmn:endEvent>`;

/** WCP-29 cancelling discriminator: parallel branches in a sub-process, each ending in a terminate end event. */
const discriminator = bpmn(
  'discriminator',
  [
    '<bpmn:startEvent id="start"/>',
    '<bpmn:subProcess id="sp">',
    '<bpmn:startEvent id="spStart"/>',
    '<bpmn:parallelGateway id="fork"/>',
    task('A'),
    task('B'),
    task('C'),
    terminateEnd('tA'),
    terminateEnd('tB'),
    terminateEnd('tC'),
    flow('spStart', 'fork'),
    flow('fork', 'A'),
    flow('fork', 'B'),
    flow('fork', 'C'),
    flow('A', 'tA'),
    flow('B', 'tB'),
    flow('C', 'tC'),
    '</bpmn:subProcess>',
    task('D'),
    '<bpmn:endEvent id="end"/>',
    flow('start', 'sp'),
    flow('sp', 'D'),
    flow('D', 'end'),
  ].join('\n'),
);

describe('terminate end event inside a sub-process', () => {
  for (const live of [false, true]) {
    it(`ends the sub-process only, cancels its other branches and continues after it (${live ? 'live engine' : 'recovered'})`, async () => {
      const p = await (await ProcessHarness.deploy(discriminator, { live })).start();
      expect([...p.tasks.keys()].sort()).toEqual(['A', 'B', 'C']);
      await p.complete('B');
      expect(p.status).toBe('running');
      expect([...p.tasks.keys()]).toEqual(['D']);
      expect(p.count('sp')).toBe(1);
      expect(p.count('A')).toBe(0);
      expect(p.count('C')).toBe(0);
      await p.complete('D');
      expect(p.status).toBe('completed');
      expect(p.completed).toEqual(['start', 'spStart', 'fork', 'B', 'tB', 'sp', 'D', 'end']);
    }, 10000);
  }
});
