import { EventEmitter } from 'node:events';
import { Engine } from 'bpmn-engine';
import camunda from 'camunda-bpmn-moddle/resources/camunda.json';
import { createEngineExpressions } from './expressions';

function gatewayDiagram(condition: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  id="defs" targetNamespace="http://example.com/test">
  <process id="gatewayProcess" isExecutable="true">
    <startEvent id="start" />
    <sequenceFlow id="toGateway" sourceRef="start" targetRef="gateway" />
    <exclusiveGateway id="gateway" default="toLow" />
    <sequenceFlow id="toHigh" sourceRef="gateway" targetRef="endHigh">
      <conditionExpression xsi:type="tFormalExpression">${condition}</conditionExpression>
    </sequenceFlow>
    <sequenceFlow id="toLow" sourceRef="gateway" targetRef="endLow" />
    <endEvent id="endHigh" />
    <endEvent id="endLow" />
  </process>
</definitions>`;
}

function timerDiagram(duration: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  id="defs" targetNamespace="http://example.com/test">
  <process id="timerProcess" isExecutable="true">
    <startEvent id="start" />
    <sequenceFlow id="toTimer" sourceRef="start" targetRef="wait" />
    <intermediateCatchEvent id="wait">
      <timerEventDefinition><timeDuration xsi:type="tFormalExpression">${duration}</timeDuration></timerEventDefinition>
    </intermediateCatchEvent>
    <sequenceFlow id="toEnd" sourceRef="wait" targetRef="end" />
    <endEvent id="end" />
  </process>
</definitions>`;
}

/** Runs a diagram to its end with our expressions and no scripts; returns the ids of ended activities. */
async function runToEnd(source: string, variables: Record<string, unknown>): Promise<string[]> {
  const ended: string[] = [];
  const listener = new EventEmitter();
  listener.on('activity.end', (api: { id: string }) => ended.push(api.id));
  const engine = new Engine({
    name: 'expressions-spec',
    source,
    moddleOptions: { camunda },
    expressions: createEngineExpressions(),
    scripts: { register() {}, getScript() {} } as any,
  });
  const end = engine.waitFor('end');
  await engine.execute({ listener, variables });
  await end;
  return ended;
}

describe('createEngineExpressions in a real bpmn-engine process', () => {
  it.each([
    ['${x > 3}', 10, 'endHigh'],
    ['${x > 3}', 1, 'endLow'],
    ['${environment.variables.x gt 3}', 10, 'endHigh'],
    ['=x > 3', 10, 'endHigh'],
    ['=x > 3', 1, 'endLow'],
  ])('Given the condition %s and x=%p, When the process runs, Then it ends in %s', async (condition, x, expectedEnd) => {
    // Given
    const source = gatewayDiagram(condition.replace('>', '&gt;'));
    // When
    const ended = await runToEnd(source, { x });
    // Then
    expect(ended).toContain(expectedEnd);
    expect(ended).not.toContain(expectedEnd === 'endHigh' ? 'endLow' : 'endHigh');
  });

  it('Given a malformed condition, When the process runs, Then it fails with the syntax error', async () => {
    await expect(runToEnd(gatewayDiagram('${x &gt;}'), { x: 1 })).rejects.toThrow('expected a value at position 3 in "x >"');
  });

  it.each(['${environment.variables.delay}', '=delay'])(
    'Given the timer duration %s, When the process runs, Then the timer resolves and the process ends',
    async (duration) => {
      // When
      const ended = await runToEnd(timerDiagram(duration), { delay: 'PT0.01S' });
      // Then
      expect(ended).toEqual(expect.arrayContaining(['wait', 'end']));
    },
  );
});
