import { compileDefinition, loadSourceContext } from '../definitions';
import { checkExpression } from '../expressions';
import { InstanceRunner, type RunOutcome, type RunnableDefinition } from '../runtime/instance-runner';
import { ServiceHandlerRegistry } from '../services/service-handler';
import { messagingCatalog } from './catalog';

const HEADER = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:itsm="http://itsm-orchestrator.dev/schema/bpmn" id="D" targetNamespace="x">`;

async function runnable(body: string): Promise<RunnableDefinition> {
  const compiled = await compileDefinition(`${HEADER}${body}</bpmn:definitions>`, { knownHandlers: new Set(), checkExpression });
  return { id: compiled.sha256, key: compiled.processId, version: 1, sourceContext: loadSourceContext(compiled.serialized) };
}

const ctx = { instanceId: 'i-1', businessKey: null };
const ping = (correlationKey: string, variables: Record<string, unknown> = {}) => ({ kind: 'message' as const, name: 'ping', correlationKey, variables });

describe('messaging runtime', () => {
  const runner = new InstanceRunner(new ServiceHandlerRegistry([]));

  const nonInterrupting = `
    <bpmn:message id="Reply" name="reply" itsm:correlationKey="\${ticket}"/>
    <bpmn:message id="Ping" name="ping"><bpmn:extensionElements><zeebe:subscription correlationKey="=ticket"/></bpmn:extensionElements></bpmn:message>
    <bpmn:process id="p" isExecutable="true">
      <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t"/>
      <bpmn:receiveTask id="t" messageRef="Reply"/>
      <bpmn:boundaryEvent id="b" attachedToRef="t" cancelActivity="false"><bpmn:messageEventDefinition messageRef="Ping"/></bpmn:boundaryEvent>
      <bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e"/><bpmn:endEvent id="e"/>
      <bpmn:sequenceFlow id="f3" sourceRef="b" targetRef="e2"/><bpmn:endEvent id="e2"/>
    </bpmn:process>`;

  it('reads message names and correlation keys of both dialects', async () => {
    const catalog = messagingCatalog((await runnable(nonInterrupting)).sourceContext);
    expect(catalog.catches.get('t')).toMatchObject({ kind: 'message', name: 'reply', correlationKey: '${ticket}' });
    expect(catalog.catches.get('b')).toMatchObject({ kind: 'message', name: 'ping', correlationKey: '=ticket', boundary: { attachedTo: 't', interrupting: false } });
  });

  it('re-arms a non-interrupting message boundary event after each message, and reports the waiting catches with their keys', async () => {
    const definition = await runnable(nonInterrupting);
    let outcome: RunOutcome = await runner.start(definition, ctx, { ticket: 'T-1' });
    expect(outcome.subscriptions?.map((s) => [s.elementId, s.correlationKey])).toEqual([
      ['b', 'T-1'],
      ['t', 'T-1'],
    ]);
    for (const n of [1, 2, 3]) {
      const boundary = outcome.subscriptions!.find((s) => s.elementId === 'b')!.executionId;
      outcome = await runner.resume(definition, ctx, outcome.state!, (engine) => engine.deliver(boundary, ping('T-1', { n })));
      expect(outcome.events.filter((e) => e.type === 'element.completed' && e.elementId === 'e2')).toHaveLength(1);
      expect(outcome.subscriptions?.map((s) => s.elementId).sort()).toEqual(['b', 't']);
      expect(outcome.variables).toMatchObject({ n });
    }
    const task = outcome.subscriptions!.find((s) => s.elementId === 't')!.executionId;
    outcome = await runner.resume(definition, ctx, outcome.state!, (engine) => engine.deliver(task, { kind: 'message', name: 'reply', correlationKey: 'T-1', variables: {} }));
    expect(outcome.status).toBe('completed');
    expect(outcome.subscriptions).toEqual([]);
  });

  it('reports messages and signals thrown by throw events and send tasks', async () => {
    const definition = await runnable(`
      <bpmn:message id="M" name="raise" itsm:correlationKey="\${ticket}"/><bpmn:signal id="S" name="shout"/>
      <bpmn:process id="p" isExecutable="true">
        <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="send"/>
        <bpmn:sendTask id="send" messageRef="M"/><bpmn:sequenceFlow id="f2" sourceRef="send" targetRef="sig"/>
        <bpmn:intermediateThrowEvent id="sig"><bpmn:signalEventDefinition signalRef="S"/></bpmn:intermediateThrowEvent>
        <bpmn:sequenceFlow id="f3" sourceRef="sig" targetRef="e"/><bpmn:endEvent id="e"/>
      </bpmn:process>`);
    const outcome = await runner.start(definition, ctx, { ticket: 'T-9' });
    expect(outcome.status).toBe('completed');
    expect(outcome.thrown).toEqual([
      { kind: 'message', name: 'raise', correlationKey: 'T-9', elementId: 'send', elementType: 'bpmn:SendTask' },
      { kind: 'signal', name: 'shout', correlationKey: null, elementId: 'sig', elementType: 'bpmn:IntermediateThrowEvent' },
    ]);
  });
  it('applies the output parameters of a send task without a handler (a flag a gateway reads the next time round)', async () => {
    const definition = await runnable(`
      <bpmn:message id="M" name="escalate" itsm:correlationKey="\${ticket}"/>
      <bpmn:process id="p" isExecutable="true">
        <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="g"/>
        <bpmn:exclusiveGateway id="g" default="f3"/>
        <bpmn:sequenceFlow id="f2" sourceRef="g" targetRef="send"><bpmn:conditionExpression>\${notified != true}</bpmn:conditionExpression></bpmn:sequenceFlow>
        <bpmn:sequenceFlow id="f3" sourceRef="g" targetRef="already"/><bpmn:endEvent id="already"/>
        <bpmn:sendTask id="send" messageRef="M"><bpmn:extensionElements><camunda:inputOutput>
          <camunda:inputParameter name="level">high</camunda:inputParameter>
          <camunda:outputParameter name="notified">\${true}</camunda:outputParameter>
          <camunda:outputParameter name="notifiedLevel">=level</camunda:outputParameter>
        </camunda:inputOutput></bpmn:extensionElements></bpmn:sendTask>
        <bpmn:sequenceFlow id="f4" sourceRef="send" targetRef="e"/><bpmn:endEvent id="e"/>
      </bpmn:process>`);
    const first = await runner.start(definition, ctx, { ticket: 'T-1' });
    expect(first.status).toBe('completed');
    expect(first.thrown?.map((t) => t.elementId)).toEqual(['send']);
    expect(first.variables).toMatchObject({ notified: true, notifiedLevel: 'high' });
    // with the flag already set, the gateway takes the default: nothing is sent
    const second = await runner.start(definition, ctx, { ticket: 'T-2', notified: true });
    expect(second.thrown ?? []).toEqual([]);
    expect(second.events.some((e) => e.type === 'element.completed' && e.elementId === 'already')).toBe(true);
  });

  it('sends once per instance of a multi-instance send task (not once more for the whole activity)', async () => {
    const definition = await runnable(`
      <bpmn:message id="M" name="raise"/>
      <bpmn:process id="p" isExecutable="true">
        <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="send"/>
        <bpmn:sendTask id="send" messageRef="M"><bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>3</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics></bpmn:sendTask>
        <bpmn:sequenceFlow id="f2" sourceRef="send" targetRef="e"/><bpmn:endEvent id="e"/>
      </bpmn:process>`);
    const outcome = await runner.start(definition, ctx, {});
    expect(outcome.status).toBe('completed');
    expect(outcome.thrown?.map((t) => t.elementId)).toEqual(['send', 'send', 'send']);
  });
});
