import { ProcessHarness } from '../runtime/testing/harness';
import { compileDefinition } from '../definitions';
import { checkExpression } from '../expressions';
import type { DefinitionProblem } from '../errors';

const HEADER = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="D" targetNamespace="http://bpmn.io/schema/bpmn">`;

function diagram(body: string): string {
  return `${HEADER}<bpmn:process id="P" isExecutable="true">${body}</bpmn:process></bpmn:definitions>`;
}

/** start → external task X (topic "charge", priority from a variable, one input parameter) → end; an error boundary on X goes to "failed". */
const CHARGE = diagram(`
  <bpmn:startEvent id="S" />
  <bpmn:serviceTask id="X" camunda:type="external" camunda:topic="charge" camunda:taskPriority="\${urgency * 10}">
    <bpmn:extensionElements><camunda:inputOutput>
      <camunda:inputParameter name="amount">\${price * 2}</camunda:inputParameter>
      <camunda:outputParameter name="receipt">\${receiptNo}</camunda:outputParameter>
    </camunda:inputOutput></bpmn:extensionElements>
  </bpmn:serviceTask>
  <bpmn:boundaryEvent id="B" attachedToRef="X"><bpmn:errorEventDefinition errorRef="Declined" /></bpmn:boundaryEvent>
  <bpmn:endEvent id="E" /><bpmn:endEvent id="Failed" />
  <bpmn:sequenceFlow id="f1" sourceRef="S" targetRef="X" /><bpmn:sequenceFlow id="f2" sourceRef="X" targetRef="E" />
  <bpmn:sequenceFlow id="f3" sourceRef="B" targetRef="Failed" />`).replace('<bpmn:process', '<bpmn:error id="Declined" errorCode="DECLINED" /><bpmn:process');

describe('external tasks in the engine', () => {
  it('waits at the external task with its topic, priority and input parameters, across a recover', async () => {
    const h = await ProcessHarness.deploy(CHARGE);
    await h.start({ price: 21, urgency: 3 });
    expect(h.status).toBe('running');
    expect(h.last.externalTasks).toEqual([expect.objectContaining({ elementId: 'X', elementType: 'bpmn:ServiceTask', topic: 'charge', priority: 30, locals: { amount: 42 } })]);
    // The harness recovers from the snapshot for every command: the task still waits there.
    await h.command(() => true);
    expect(h.last.externalTasks?.map((t) => t.elementId)).toEqual(['X']);
    expect(h.active).toEqual(['B', 'X']);
  });

  it('completes with variables: they reach the process, local variables only the output parameters', async () => {
    const h = await ProcessHarness.deploy(CHARGE);
    await h.start({ price: 1, urgency: 1 });
    const executionId = h.last.externalTasks![0]!.executionId;
    await h.command((engine) => engine.externalTask(executionId, { kind: 'complete', variables: { charged: true }, localVariables: { receiptNo: 'R-7' } }));
    expect(h.status).toBe('completed');
    expect(h.variables).toMatchObject({ charged: true, receipt: 'R-7' });
    expect(h.variables).not.toHaveProperty('receiptNo');
    expect(h.completed).toEqual(['S', 'X', 'E']);
    expect(h.last.externalTasks).toEqual([]);
  });

  it('throws a BPMN error that the error boundary event catches, with the worker\'s variables', async () => {
    const h = await ProcessHarness.deploy(CHARGE);
    await h.start({ price: 1, urgency: 1 });
    const executionId = h.last.externalTasks![0]!.executionId;
    await h.command((engine) => engine.externalTask(executionId, { kind: 'bpmnError', code: 'DECLINED', message: 'card declined', variables: { reason: 'limit' } }));
    expect(h.status).toBe('completed');
    expect(h.completed).toContain('Failed');
    expect(h.completed).not.toContain('E');
    expect(h.variables).toMatchObject({ reason: 'limit' });
  });

  it('answers false for an execution that no longer waits', async () => {
    const h = await ProcessHarness.deploy(CHARGE);
    await h.start({ price: 1, urgency: 1 });
    await expect(h.command((engine) => engine.externalTask('nope', { kind: 'complete', variables: {}, localVariables: {} }))).rejects.toMatchObject({ code: 'TASK_NOT_OPEN' });
  });

  it('reads a Camunda 8 job worker task definition as the topic', async () => {
    const h = await ProcessHarness.deploy(diagram(`
      <bpmn:startEvent id="S" />
      <bpmn:sendTask id="N"><bpmn:extensionElements><zeebe:taskDefinition type="notify" /></bpmn:extensionElements></bpmn:sendTask>
      <bpmn:endEvent id="E" />
      <bpmn:sequenceFlow id="f1" sourceRef="S" targetRef="N" /><bpmn:sequenceFlow id="f2" sourceRef="N" targetRef="E" />`));
    await h.start();
    expect(h.last.externalTasks).toEqual([expect.objectContaining({ elementId: 'N', topic: 'notify', priority: 0, locals: {} })]);
  });

  it('has no external task list for a definition without external tasks', async () => {
    const h = await ProcessHarness.deploy(diagram(`<bpmn:startEvent id="S" /><bpmn:userTask id="U" camunda:assignee="a" /><bpmn:sequenceFlow id="f1" sourceRef="S" targetRef="U" />`));
    await h.start();
    expect(h.last.externalTasks).toBeUndefined();
  });
});

describe('external tasks at deploy', () => {
  async function problems(body: string): Promise<DefinitionProblem[]> {
    try {
      await compileDefinition(diagram(`<bpmn:startEvent id="S" />${body}<bpmn:sequenceFlow id="f1" sourceRef="S" targetRef="X" />`), { knownHandlers: new Set(['h']), checkExpression });
      return [];
    } catch (error) {
      return ((error as { details?: { problems?: DefinitionProblem[] } }).details?.problems ?? []);
    }
  }

  it('accepts an external service, send or business rule task with a topic', async () => {
    for (const tag of ['serviceTask', 'sendTask', 'businessRuleTask']) expect(await problems(`<bpmn:${tag} id="X" camunda:type="external" camunda:topic="t" camunda:taskPriority="5" />`)).toEqual([]);
  });

  it.each([
    ['no topic', 'camunda:type="external"', 'external-task-topic'],
    ['a blank topic', 'camunda:type="external" camunda:topic="  "', 'external-task-topic'],
    ['an expression as topic', 'camunda:type="external" camunda:topic="${t}"', 'external-task-topic'],
    ['a handler beside the topic', 'camunda:type="external" camunda:topic="t" camunda:delegateExpression="${h}"', 'service-implementation'],
    ['a priority that is neither an integer nor an expression', 'camunda:type="external" camunda:topic="t" camunda:taskPriority="high"', 'external-task-priority'],
    ['a priority expression that does not parse', 'camunda:type="external" camunda:topic="t" camunda:taskPriority="${a +}"', 'invalid-expression'],
  ])('refuses an external task with %s', async (_case, attributes, rule) => {
    expect(await problems(`<bpmn:serviceTask id="X" ${attributes} />`)).toContainEqual(expect.objectContaining({ rule, elementId: 'X' }));
  });

  it('refuses a Camunda 8 task definition without a type', async () => {
    expect(await problems('<bpmn:serviceTask id="X"><bpmn:extensionElements><zeebe:taskDefinition /></bpmn:extensionElements></bpmn:serviceTask>')).toContainEqual(
      expect.objectContaining({ rule: 'external-task-topic', elementId: 'X' }),
    );
  });
});
