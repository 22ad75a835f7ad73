import { bpmn, sequenceFlow as flow } from '../../test/support/bpmn';
import { ProcessHarness } from './testing/harness';


describe('link events', () => {
  const xml = bpmn(
    'links',
    [
      '<bpmn:startEvent id="start"/>',
      '<bpmn:userTask id="first" camunda:candidateGroups="staff"/>',
      '<bpmn:exclusiveGateway id="xs" default="toEnd"/>',
      '<bpmn:intermediateThrowEvent id="throwL" name="L"><bpmn:linkEventDefinition name="L"/></bpmn:intermediateThrowEvent>',
      '<bpmn:intermediateCatchEvent id="catchL" name="L"><bpmn:linkEventDefinition name="L"/></bpmn:intermediateCatchEvent>',
      '<bpmn:userTask id="afterLink" camunda:candidateGroups="staff"/>',
      '<bpmn:endEvent id="end"/>',
      '<bpmn:endEvent id="end2"/>',
      flow('f0', 'start', 'first'),
      flow('f1', 'first', 'xs'),
      flow('toL', 'xs', 'throwL', '${jump}'),
      flow('toEnd', 'xs', 'end2'),
      flow('c1', 'catchL', 'afterLink'),
      flow('c2', 'afterLink', 'end'),
    ].join('\n'),
  );

  it('an unreached link catch event is neither active nor in the history', async () => {
    const p = await (await ProcessHarness.deploy(xml)).start({ jump: true });
    expect(p.active).toEqual(['first']);
    expect(p.last.events.filter((e) => e.elementId === 'catchL')).toEqual([]);
  });

  it('a reached link catch event continues the flow and is recorded as started and completed', async () => {
    const p = await (await ProcessHarness.deploy(xml)).start({ jump: true });
    await p.complete('first');
    expect(p.active).toEqual(['afterLink']);
    expect(p.last.events.filter((e) => e.elementId === 'catchL').map((e) => e.type)).toEqual(['element.started', 'element.completed']);
    await p.complete('afterLink');
    expect(p.status).toBe('completed');
  });

  it('an instance whose link is never thrown still completes', async () => {
    const p = await (await ProcessHarness.deploy(xml)).start({ jump: false });
    await p.complete('first');
    expect(p.status).toBe('completed');
    expect(p.count('catchL')).toBe(0);
  });
});
