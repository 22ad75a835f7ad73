import { compileDefinition, loadSourceContext } from '../definitions';
import { checkExpression } from '../expressions';
import { InstanceRunner, type RunnableDefinition } from '../runtime/instance-runner';
import type { ServiceHandlerRegistry } from '../services/service-handler';
import { callSpecOf, mapOut, resolveCall } from './call-spec';

const HEADER = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="x">
<bpmn:error id="Err" errorCode="E1"/>`;

async function runnable(key: string, body: string): Promise<RunnableDefinition> {
  const compiled = await compileDefinition(`${HEADER}<bpmn:process id="${key}" isExecutable="true">${body}</bpmn:process></bpmn:definitions>`, {
    knownHandlers: new Set(),
    checkExpression,
  });
  return { id: key, key, version: 1, sourceContext: loadSourceContext(compiled.serialized) };
}

const noHandlers = { names: () => new Set<string>(), get: () => undefined } as unknown as ServiceHandlerRegistry;
const ctx = { instanceId: 'i-1', businessKey: 'BK-1' };

/** A call activity with in/out mappings and an error boundary; the same process id as a call target proves it is not run in-engine. */
const CALLER = `<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="call"/>
  <bpmn:callActivity id="call" calledElement="caller"><bpmn:extensionElements>
    <camunda:in source="a" target="b"/><camunda:in businessKey="\${businessKey}-child"/><camunda:out source="r" target="result"/>
  </bpmn:extensionElements></bpmn:callActivity>
  <bpmn:boundaryEvent id="caught" attachedToRef="call"><bpmn:errorEventDefinition errorRef="Err"/></bpmn:boundaryEvent>
  <bpmn:sequenceFlow id="f3" sourceRef="caught" targetRef="errorEnd"/><bpmn:endEvent id="errorEnd"/>
  <bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="end"/><bpmn:endEvent id="end"/>`;

describe('call activities in the runner', () => {
  const runner = new InstanceRunner(noHandlers, undefined, 'UTC', 0);

  it('waits with the resolved call (key, camunda:in variables, business key) and never runs the called process in-engine', async () => {
    const def = await runnable('caller', CALLER);
    const started = await runner.start(def, ctx, { a: 1, other: 2 });
    expect(started.status).toBe('running');
    expect(started.calls).toEqual([
      { executionId: expect.any(String), elementId: 'call', call: { resolved: { calledElement: 'caller', binding: 'latest', version: null, versionTag: null, variables: { b: 1 }, businessKey: 'BK-1-child' } } },
    ]);
    expect(started.waitingCallExecutionIds).toEqual([started.calls[0]!.executionId]);
    // Only the one call activity waits: bpmn-elements did not start "caller" inside this engine.
    expect(started.events.filter((e) => e.type === 'element.started' && e.elementId === 's')).toHaveLength(1);
  });

  it('does not announce the call again when recovered from the snapshot, and completes it with the returned variables', async () => {
    const def = await runnable('caller', CALLER);
    const started = await runner.start(def, ctx, { a: 1 });
    const executionId = started.calls[0]!.executionId;
    const recovered = await runner.resume(def, ctx, started.state!);
    expect(recovered.calls).toEqual([]);
    expect(recovered.waitingCallExecutionIds).toEqual([executionId]);
    const done = await runner.resume(def, ctx, started.state!, (engine) => {
      engine.signal(executionId, { result: 5 });
      return true;
    });
    expect(done.status).toBe('completed');
    expect(done.variables).toEqual({ a: 1, result: 5 });
    expect(done.events.map((e) => e.elementId)).toContain('end');
  });

  it("raises the child's error on the call activity: a matching boundary catches it, another code fails the run", async () => {
    const def = await runnable('caller', CALLER);
    const started = await runner.start(def, ctx, {});
    const executionId = started.calls[0]!.executionId;
    const caught = await runner.resume(def, ctx, started.state!, (engine) => engine.failCall(executionId, { code: 'E1', message: 'child failed' }));
    expect(caught.status).toBe('completed');
    expect(caught.events.map((e) => e.elementId)).toEqual(expect.arrayContaining(['caught', 'errorEnd']));
    expect(caught.events.map((e) => e.elementId)).not.toContain('end');
    await expect(runner.resume(def, ctx, started.state!, (engine) => engine.failCall(executionId, { code: 'OTHER', message: 'child failed' }))).rejects.toMatchObject({
      code: 'PROCESS_FAILED',
    });
  });

  it('runs a call activity inside an embedded sub-process: it waits there and its returned variables reach the process', async () => {
    const def = await runnable('nested', `<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="sub"/>
      <bpmn:subProcess id="sub"><bpmn:startEvent id="s2"/><bpmn:sequenceFlow id="f2" sourceRef="s2" targetRef="call"/>
        <bpmn:callActivity id="call" calledElement="child"><bpmn:extensionElements><camunda:out source="r" target="result"/></bpmn:extensionElements></bpmn:callActivity>
        <bpmn:sequenceFlow id="f3" sourceRef="call" targetRef="e2"/><bpmn:endEvent id="e2"/></bpmn:subProcess>
      <bpmn:sequenceFlow id="f4" sourceRef="sub" targetRef="e"/><bpmn:endEvent id="e"/>`);
    const started = await runner.start(def, ctx, {});
    expect(started.calls.map((c) => c.elementId)).toEqual(['call']);
    const executionId = started.calls[0]!.executionId;
    expect(started.waitingCallExecutionIds).toEqual([executionId]);
    const done = await runner.resume(def, ctx, started.state!, (engine) => {
      if (!engine.isWaiting(executionId)) return false;
      engine.signal(executionId, { result: 'ok' });
      return true;
    });
    expect(done.status).toBe('completed');
    expect(done.variables).toEqual({ result: 'ok' });
  });

  it('reports an error end event nothing caught, and not one a boundary caught', async () => {
    const uncaught = await runnable('u', `<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="e"/>
      <bpmn:endEvent id="e"><bpmn:errorEventDefinition errorRef="Err"/></bpmn:endEvent>`);
    expect((await runner.start(uncaught, ctx, {})).uncaughtError).toMatchObject({ elementId: 'e', errorId: 'Err', code: 'E1' });
    const caught = await runnable('c', `<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="sub"/>
      <bpmn:subProcess id="sub"><bpmn:startEvent id="s2"/><bpmn:sequenceFlow id="f2" sourceRef="s2" targetRef="e"/>
        <bpmn:endEvent id="e"><bpmn:errorEventDefinition errorRef="Err"/></bpmn:endEvent></bpmn:subProcess>
      <bpmn:boundaryEvent id="b" attachedToRef="sub"><bpmn:errorEventDefinition errorRef="Err"/></bpmn:boundaryEvent>
      <bpmn:sequenceFlow id="f3" sourceRef="b" targetRef="e2"/><bpmn:endEvent id="e2"/>
      <bpmn:sequenceFlow id="f4" sourceRef="sub" targetRef="e3"/><bpmn:endEvent id="e3"/>`);
    expect((await runner.start(caught, ctx, {})).uncaughtError).toBeNull();
  });
});

describe('call specs', () => {
  const spec = callSpecOf({
    calledElement: '${target}',
    extensionElements: {
      values: [
        { $type: 'camunda:In', source: 'missing', target: 'm' },
        { $type: 'camunda:In', sourceExpression: '${n}', target: 'n2' },
        { $type: 'camunda:Out', variables: 'all' },
        { $type: 'camunda:Out', source: 'x', target: 'y' },
      ],
    },
  })!;

  it('resolves an expression key and maps an unset source to null; nothing else is passed', () => {
    expect(resolveCall(spec, { target: 'change', n: 3, secret: 's' }, null)).toMatchObject({ calledElement: 'change', variables: { m: null, n2: 3 }, businessKey: null });
  });

  it('maps out every variable with variables="all" and source to target', () => {
    expect(mapOut(spec, { x: 1, z: 2 })).toEqual({ x: 1, z: 2, y: 1 });
    expect(mapOut({ ...spec, outs: [] }, { x: 1 })).toEqual({});
  });
});
