import { bpmn, sequenceFlow as flow, userTask } from '../../test/support/bpmn';
import { ProcessHarness } from './testing/harness';

const task = (id: string) => userTask(id, 'staff');
const condition = (expression: string) =>
  `<bpmn:conditionalEventDefinition><bpmn:condition xsi:type="bpmn:tFormalExpression">${expression}</bpmn:condition></bpmn:conditionalEventDefinition>`;

describe('conditional intermediate catch event', () => {
  const xml = bpmn(
    'condCatch',
    [
      '<bpmn:startEvent id="start"/>',
      '<bpmn:parallelGateway id="fork"/>',
      task('prepare'),
      `<bpmn:intermediateCatchEvent id="whenReady">${condition('${ready == true}')}</bpmn:intermediateCatchEvent>`,
      task('go'),
      '<bpmn:endEvent id="end1"/>',
      '<bpmn:endEvent id="end2"/>',
      flow('f0', 'start', 'fork'),
      flow('f1', 'fork', 'prepare'),
      flow('f2', 'fork', 'whenReady'),
      flow('f3', 'prepare', 'end1'),
      flow('f4', 'whenReady', 'go'),
      flow('f5', 'go', 'end2'),
    ].join('\n'),
  );

  it('waits while the condition is false and fires when a later task completion makes it true', async () => {
    const p = await (await ProcessHarness.deploy(xml)).start({ ready: false });
    expect(p.active).toEqual(['prepare', 'whenReady']);
    expect(p.last.events).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'element.waiting', elementId: 'whenReady' })]));
    await p.complete('prepare', { ready: true });
    expect(p.count('whenReady')).toBe(1);
    expect([...p.tasks.keys()]).toEqual(['go']);
  });

  it('passes at once when the condition already holds', async () => {
    const p = await (await ProcessHarness.deploy(xml)).start({ ready: true });
    expect(p.count('whenReady')).toBe(1);
    expect([...p.tasks.keys()].sort()).toEqual(['go', 'prepare']);
  });

  it('does not fire while the variable stays false', async () => {
    const p = await (await ProcessHarness.deploy(xml)).start({ ready: false });
    await p.complete('prepare', { ready: false });
    expect(p.count('whenReady')).toBe(0);
    expect(p.active).toEqual(['whenReady']);
    expect(p.status).toBe('running');
  });
});

describe('conditional catch event inside an embedded sub-process', () => {
  it('sees the process variables set after the sub-process started', async () => {
    const xml = bpmn(
      'condSub',
      [
        '<bpmn:startEvent id="start"/>',
        '<bpmn:parallelGateway id="fork"/>',
        task('setter'),
        '<bpmn:endEvent id="e1"/>',
        '<bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/>',
        `<bpmn:intermediateCatchEvent id="wait">${condition('${ready}')}</bpmn:intermediateCatchEvent>`,
        task('inner'),
        '<bpmn:endEvent id="se"/>',
        flow('s0', 'ss', 'wait'),
        flow('s1', 'wait', 'inner'),
        flow('s2', 'inner', 'se'),
        '</bpmn:subProcess>',
        '<bpmn:endEvent id="e2"/>',
        flow('f0', 'start', 'fork'),
        flow('f1', 'fork', 'setter'),
        flow('f2', 'fork', 'sub'),
        flow('f3', 'setter', 'e1'),
        flow('f4', 'sub', 'e2'),
      ].join('\n'),
    );
    const p = await (await ProcessHarness.deploy(xml)).start({ ready: false });
    expect(p.active).toEqual(['setter', 'sub', 'wait']);
    await p.complete('setter', { ready: true });
    expect(p.count('wait')).toBe(1);
    expect([...p.tasks.keys()]).toEqual(['inner']);
  });
});

describe('conditional boundary event', () => {
  const boundary = (interrupting: boolean) =>
    bpmn(
      'condBoundary',
      [
        '<bpmn:startEvent id="start"/>',
        '<bpmn:parallelGateway id="fork"/>',
        task('work'),
        task('watch'),
        `<bpmn:boundaryEvent id="escalated" attachedToRef="work" cancelActivity="${interrupting}">${condition('=priority = "high"')}</bpmn:boundaryEvent>`,
        task('escalation'),
        '<bpmn:endEvent id="end1"/>',
        '<bpmn:endEvent id="end2"/>',
        '<bpmn:endEvent id="end3"/>',
        flow('f0', 'start', 'fork'),
        flow('f1', 'fork', 'work'),
        flow('f2', 'fork', 'watch'),
        flow('f3', 'work', 'end1'),
        flow('f4', 'watch', 'end2'),
        flow('f5', 'escalated', 'escalation'),
        flow('f6', 'escalation', 'end3'),
      ].join('\n'),
    );

  it('interrupting: cancels the activity when another task makes the condition true', async () => {
    const p = await (await ProcessHarness.deploy(boundary(true))).start({ priority: 'low' });
    expect([...p.tasks.keys()].sort()).toEqual(['watch', 'work']);
    await p.complete('watch', { priority: 'high' });
    expect(p.count('escalated')).toBe(1);
    // The interrupted task is no longer waiting (its row is closed by the host).
    expect([...p.tasks.keys()]).toEqual(['escalation']);
    expect(p.last.waitingTaskExecutionIds).toHaveLength(1);
  });

  it('non-interrupting: keeps the activity and starts the boundary path', async () => {
    const p = await (await ProcessHarness.deploy(boundary(false))).start({ priority: 'low' });
    await p.complete('watch', { priority: 'high' });
    expect(p.count('escalated')).toBe(1);
    expect([...p.tasks.keys()].sort()).toEqual(['escalation', 'work']);
    await p.complete('work');
    await p.complete('escalation');
    expect(p.status).toBe('completed');
  });

  it('does not fire when the condition stays false, and goes away with its activity', async () => {
    const p = await (await ProcessHarness.deploy(boundary(true))).start({ priority: 'low' });
    await p.complete('watch', { priority: 'medium' });
    expect(p.count('escalated')).toBe(0);
    await p.complete('work');
    expect(p.status).toBe('completed');
  });
});

describe('conditional event sub-process start', () => {
  const withEventSubProcess = (interrupting: boolean) =>
    bpmn(
      'condEsp',
      [
        '<bpmn:startEvent id="start"/>',
        task('first'),
        task('second'),
        '<bpmn:endEvent id="end"/>',
        flow('f0', 'start', 'first'),
        flow('f1', 'first', 'second'),
        flow('f2', 'second', 'end'),
        `<bpmn:subProcess id="onCancel" triggeredByEvent="true">
           <bpmn:startEvent id="cancelRequested" isInterrupting="${interrupting}">${condition('${cancelRequested}')}</bpmn:startEvent>
           ${task('handleCancel')}
           <bpmn:endEvent id="cancelEnd"/>
           ${flow('e0', 'cancelRequested', 'handleCancel')}
           ${flow('e1', 'handleCancel', 'cancelEnd')}
         </bpmn:subProcess>`,
      ].join('\n'),
    );

  it('interrupting: starts when a task completion sets the variable, cancelling the process tokens', async () => {
    const p = await (await ProcessHarness.deploy(withEventSubProcess(true))).start({ cancelRequested: false });
    expect(p.active).toEqual(['first']);
    await p.complete('first', { cancelRequested: true });
    expect(p.count('cancelRequested')).toBe(1);
    expect([...p.tasks.keys()]).toEqual(['handleCancel']);
    expect(p.last.events).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'element.cancelled', elementId: 'second' })]));
    await p.complete('handleCancel');
    expect(p.status).toBe('completed');
    expect(p.count('end')).toBe(0);
  });

  it('non-interrupting: starts beside the process, once per false-to-true change', async () => {
    const p = await (await ProcessHarness.deploy(withEventSubProcess(false))).start({ cancelRequested: false });
    await p.complete('first', { cancelRequested: true });
    expect([...p.tasks.keys()].sort()).toEqual(['handleCancel', 'second']);
    await p.complete('handleCancel');
    // Still true: no new start without a change to false first.
    expect(p.count('cancelRequested')).toBe(1);
    await p.complete('second');
    expect(p.status).toBe('completed');
    expect(p.count('end')).toBe(1);
  });

  it('interrupting: drops the tokens waiting at a join, so the instance ends with the event sub-process', async () => {
    const xml = bpmn(
      'condEspJoin',
      [
        '<bpmn:startEvent id="start"/>',
        '<bpmn:inclusiveGateway id="split"/>',
        task('A'),
        task('B'),
        '<bpmn:inclusiveGateway id="join"/>',
        '<bpmn:endEvent id="end"/>',
        '<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="split"/>',
        '<bpmn:sequenceFlow id="fa" sourceRef="split" targetRef="A"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${true}</bpmn:conditionExpression></bpmn:sequenceFlow>',
        '<bpmn:sequenceFlow id="fb" sourceRef="split" targetRef="B"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${true}</bpmn:conditionExpression></bpmn:sequenceFlow>',
        flow('ja', 'A', 'join'),
        flow('jb', 'B', 'join'),
        flow('f1', 'join', 'end'),
        `<bpmn:subProcess id="onCancel" triggeredByEvent="true">
           <bpmn:startEvent id="cancelRequested">${condition('${cancelRequested}')}</bpmn:startEvent>
           <bpmn:endEvent id="cancelEnd"/>
           ${flow('e0', 'cancelRequested', 'cancelEnd')}
         </bpmn:subProcess>`,
      ].join('\n'),
    );
    const p = await (await ProcessHarness.deploy(xml)).start({ cancelRequested: false });
    await p.complete('A');
    expect(p.active).toEqual(['B', 'join']);
    // A command that only changes variables (B still waits, A's token waits at the join).
    await p.command((engine) => {
      engine.setVariables({ cancelRequested: true });
      return true;
    });
    expect(p.count('cancelEnd')).toBe(1);
    expect(p.count('join')).toBe(0);
    expect(p.count('end')).toBe(0);
    expect(p.status).toBe('completed');
  });

  it('starts at once when the condition holds when the instance starts', async () => {
    const p = await (await ProcessHarness.deploy(withEventSubProcess(true))).start({ cancelRequested: true });
    expect([...p.tasks.keys()]).toEqual(['handleCancel']);
  });
});

describe('event-based gateway with timer and conditional branches', () => {
  const xml = bpmn(
    'ebg',
    [
      '<bpmn:startEvent id="start"/>',
      '<bpmn:parallelGateway id="fork"/>',
      task('work'),
      '<bpmn:eventBasedGateway id="race"/>',
      `<bpmn:intermediateCatchEvent id="done">${condition('${finished}')}</bpmn:intermediateCatchEvent>`,
      '<bpmn:intermediateCatchEvent id="late"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>',
      task('chase'),
      '<bpmn:endEvent id="end1"/>',
      '<bpmn:endEvent id="end2"/>',
      '<bpmn:endEvent id="end3"/>',
      flow('f0', 'start', 'fork'),
      flow('f1', 'fork', 'work'),
      flow('f2', 'fork', 'race'),
      flow('f3', 'work', 'end1'),
      flow('g1', 'race', 'done'),
      flow('g2', 'race', 'late'),
      flow('f4', 'done', 'end2'),
      flow('f5', 'late', 'chase'),
      flow('f6', 'chase', 'end3'),
    ].join('\n'),
  );

  it('takes the conditional branch when the condition becomes true first, disarming the timer', async () => {
    const p = await (await ProcessHarness.deploy(xml)).start({ finished: false });
    expect(p.last.timers.map((t) => t.elementId)).toEqual(['late']);
    await p.complete('work', { finished: true });
    expect(p.count('done')).toBe(1);
    expect(p.count('late')).toBe(0);
    expect(p.last.timers).toEqual([]);
    expect(p.status).toBe('completed');
  });

  it('takes the timer branch when the timer fires first', async () => {
    const p = await (await ProcessHarness.deploy(xml)).start({ finished: false });
    await p.fireTimer('late');
    expect(p.count('late')).toBe(1);
    expect(p.count('done')).toBe(0);
    expect([...p.tasks.keys()].sort()).toEqual(['chase', 'work']);
    await p.complete('work', { finished: true });
    expect(p.count('done')).toBe(0);
  });
});

describe('conditional events that keep triggering each other', () => {
  it('fail the command instead of looping forever', async () => {
    const xml = bpmn(
      'condLoop',
      [
        '<bpmn:startEvent id="start"/>',
        task('first'),
        '<bpmn:endEvent id="end"/>',
        flow('f0', 'start', 'first'),
        flow('f1', 'first', 'end'),
        `<bpmn:subProcess id="flip" triggeredByEvent="true">
           <bpmn:startEvent id="onX" isInterrupting="false">${condition('${x}')}</bpmn:startEvent>
           <bpmn:serviceTask id="unset" camunda:delegateExpression="\${setVars}">
             <bpmn:extensionElements><camunda:inputOutput><camunda:inputParameter name="x">\${false}</camunda:inputParameter></camunda:inputOutput></bpmn:extensionElements>
           </bpmn:serviceTask>
           <bpmn:endEvent id="flipEnd"/>
           ${flow('e0', 'onX', 'unset')}
           ${flow('e1', 'unset', 'flipEnd')}
         </bpmn:subProcess>`,
        `<bpmn:subProcess id="flop" triggeredByEvent="true">
           <bpmn:startEvent id="onNotX" isInterrupting="false">${condition('${!x}')}</bpmn:startEvent>
           <bpmn:serviceTask id="set" camunda:delegateExpression="\${setVars}">
             <bpmn:extensionElements><camunda:inputOutput><camunda:inputParameter name="x">\${true}</camunda:inputParameter></camunda:inputOutput></bpmn:extensionElements>
           </bpmn:serviceTask>
           <bpmn:endEvent id="flopEnd"/>
           ${flow('e2', 'onNotX', 'set')}
           ${flow('e3', 'set', 'flopEnd')}
         </bpmn:subProcess>`,
      ].join('\n'),
    );
    const harness = await ProcessHarness.deploy(xml);
    await expect(harness.start({ x: true })).rejects.toThrow(/conditional events kept firing/);
  });
});
