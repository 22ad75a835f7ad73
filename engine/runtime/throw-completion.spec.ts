import { bpmn, sequenceFlow as flow } from '../../test/support/bpmn';
import { ProcessHarness } from './testing/harness';


/** A sub-process whose user task is followed by an end event throwing `definition`, caught by an interrupting boundary. */
function thrownInSubProcess(definition: string, catchDefinition: string, root: string): string {
  const xml = bpmn(
    'throws',
    [
      '<bpmn:startEvent id="start"/>',
      '<bpmn:subProcess id="sp">',
      '  <bpmn:startEvent id="spStart"/>',
      '  <bpmn:userTask id="A" camunda:candidateGroups="staff"/>',
      `  <bpmn:endEvent id="raise">${definition}</bpmn:endEvent>`,
      flow('s1', 'spStart', 'A'),
      flow('s2', 'A', 'raise'),
      '</bpmn:subProcess>',
      `<bpmn:boundaryEvent id="caught" attachedToRef="sp">${catchDefinition}</bpmn:boundaryEvent>`,
      '<bpmn:endEvent id="endCaught"/>',
      '<bpmn:endEvent id="endNormal"/>',
      flow('f1', 'start', 'sp'),
      flow('f2', 'sp', 'endNormal'),
      flow('f3', 'caught', 'endCaught'),
    ].join('\n'),
  );
  return xml.replace('<bpmn:process ', `${root}\n<bpmn:process `);
}

describe('a throwing event completes when it throws', () => {
  it('an error end event cancelled by the error boundary that catches it is recorded as completed, once, before the boundary', async () => {
    const xml = thrownInSubProcess('<bpmn:errorEventDefinition errorRef="Err"/>', '<bpmn:errorEventDefinition errorRef="Err"/>', '<bpmn:error id="Err" errorCode="E1"/>');
    const p = await (await ProcessHarness.deploy(xml)).start();
    await p.complete('A');
    expect(p.status).toBe('completed');
    expect(p.completed).toEqual(['start', 'spStart', 'A', 'raise', 'caught', 'endCaught']);
  });

  it('an escalation end event caught by an interrupting boundary is recorded as completed, once, before the boundary', async () => {
    const xml = thrownInSubProcess('<bpmn:escalationEventDefinition escalationRef="Esc"/>', '<bpmn:escalationEventDefinition escalationRef="Esc"/>', '<bpmn:escalation id="Esc" escalationCode="X1"/>');
    const p = await (await ProcessHarness.deploy(xml)).start();
    await p.complete('A');
    expect(p.status).toBe('completed');
    expect(p.completed).toEqual(['start', 'spStart', 'A', 'raise', 'caught', 'endCaught']);
  });

  it('an escalation end event caught by a non-interrupting boundary completes once (its own end is not recorded again)', async () => {
    const xml = thrownInSubProcess('<bpmn:escalationEventDefinition escalationRef="Esc"/>', '<bpmn:escalationEventDefinition escalationRef="Esc"/>', '<bpmn:escalation id="Esc" escalationCode="X1"/>').replace(
      'attachedToRef="sp"',
      'attachedToRef="sp" cancelActivity="false"',
    );
    const p = await (await ProcessHarness.deploy(xml)).start();
    await p.complete('A');
    expect(p.status).toBe('completed');
    expect(p.count('raise')).toBe(1);
    expect(p.count('sp')).toBe(1);
        expect(p.completed.indexOf('raise')).toBeLessThan(p.completed.indexOf('caught'));
  });

  it('a link throw event completes before its catch event (a virtual sequence flow)', async () => {
    const xml = bpmn(
      'links',
      [
        '<bpmn:startEvent id="start"/>',
        '<bpmn:userTask id="A" camunda:candidateGroups="staff"/>',
        '<bpmn:intermediateThrowEvent id="goto"><bpmn:linkEventDefinition name="L"/></bpmn:intermediateThrowEvent>',
        '<bpmn:intermediateCatchEvent id="landing"><bpmn:linkEventDefinition name="L"/></bpmn:intermediateCatchEvent>',
        '<bpmn:endEvent id="end"/>',
        flow('f1', 'start', 'A'),
        flow('f2', 'A', 'goto'),
        flow('f3', 'landing', 'end'),
      ].join('\n'),
    );
    const p = await (await ProcessHarness.deploy(xml)).start();
    await p.complete('A');
    expect(p.status).toBe('completed');
    expect(p.completed).toEqual(['start', 'A', 'goto', 'landing', 'end']);
  });
});
