import { compileDefinition, loadSourceContext } from '../definitions';
import { checkExpression } from '../expressions';
import { InstanceRunner, type RunOutcome, type RunnableDefinition } from './instance-runner';
import { ServiceHandlerRegistry } from '../services/service-handler';

const HEADER = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
  xmlns:itsm="http://itsm-orchestrator.dev/schema/bpmn" id="D" targetNamespace="x">`;

async function runnable(body: string): Promise<RunnableDefinition> {
  const compiled = await compileDefinition(`${HEADER}${body}</bpmn:definitions>`, { knownHandlers: new Set(), checkExpression });
  return { id: compiled.sha256, key: compiled.processId, version: 1, sourceContext: loadSourceContext(compiled.serialized) };
}

const process = (startDefinition: string) => `
  <bpmn:message id="Ping" name="ping"/><bpmn:signal id="Major" name="major"/>
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="work"/>
    <bpmn:userTask id="work"/><bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="e"/><bpmn:endEvent id="e"/>
    <bpmn:subProcess id="esp" triggeredByEvent="true">
      <bpmn:startEvent id="es" isInterrupting="false">${startDefinition}</bpmn:startEvent>
      <bpmn:sequenceFlow id="g1" sourceRef="es" targetRef="handle"/>
      <bpmn:userTask id="handle"/><bpmn:sequenceFlow id="g2" sourceRef="handle" targetRef="ee"/><bpmn:endEvent id="ee"/>
    </bpmn:subProcess>
  </bpmn:process>`;

const ctx = { instanceId: 'i-1', businessKey: null };
const ping = (n: number) => ({ kind: 'message' as const, name: 'ping', correlationKey: null, variables: { n } });

describe('queued starts of a running non-interrupting event sub-process', () => {
  // No live engine kept: every command recovers from the snapshot.
  const runner = new InstanceRunner(new ServiceHandlerRegistry([]), undefined, 'UTC', 0);
  const tasks = (o: RunOutcome, id: string) => o.createdTasks.filter((t) => t.elementId === id);

  it('runs a second message after the first one, one handler after the other, and the process does not end while one is queued', async () => {
    const definition = await runnable(process('<bpmn:messageEventDefinition messageRef="Ping"/>'));
    let o = await runner.start(definition, ctx, {});
    const esm = o.subscriptions!.find((s) => s.elementId === 'es')!.executionId;
    const work = tasks(o, 'work')[0].executionId;
    o = await runner.resume(definition, ctx, o.state!, (engine) => engine.deliver(esm, ping(1)));
    const first = tasks(o, 'handle');
    expect(first).toHaveLength(1);
    // Still subscribed while it runs.
    expect(o.subscriptions!.map((s) => s.executionId)).toContain(esm);
    let delivered = false;
    o = await runner.resume(definition, ctx, o.state!, (engine) => (delivered = engine.deliver(esm, ping(2))));
    expect(delivered).toBe(true);
    expect(tasks(o, 'handle')).toHaveLength(0);
    expect(o.state!.eventStartQueue).toHaveLength(1);
    // The main path ends: the process waits for the event sub-process and its queued start.
    o = await runner.resume(definition, ctx, o.state!, (engine) => (engine.signal(work, {}), true));
    expect(o.status).toBe('running');
    o = await runner.resume(definition, ctx, o.state!, (engine) => (engine.signal(first[0].executionId, {}), true));
    expect(o.status).toBe('running');
    const second = tasks(o, 'handle');
    expect(second).toHaveLength(1);
    expect(o.variables).toMatchObject({ n: 2 });
    expect(o.state!.eventStartQueue).toBeUndefined();
    o = await runner.resume(definition, ctx, o.state!, (engine) => (engine.signal(second[0].executionId, {}), true));
    expect(o.status).toBe('completed');
  });

  it('queues a signal for a running non-interrupting signal event sub-process', async () => {
    const definition = await runnable(process('<bpmn:signalEventDefinition signalRef="Major"/>'));
    let o = await runner.start(definition, ctx, {});
    const esm = o.subscriptions!.find((s) => s.elementId === 'es')!.executionId;
    const major = (n: number) => ({ kind: 'signal' as const, name: 'major', correlationKey: null, variables: { n } });
    o = await runner.resume(definition, ctx, o.state!, (engine) => engine.deliver(esm, major(1)));
    const first = tasks(o, 'handle');
    expect(o.subscriptions!.map((s) => s.executionId)).toContain(esm);
    o = await runner.resume(definition, ctx, o.state!, (engine) => engine.deliver(esm, major(2)));
    expect(tasks(o, 'handle')).toHaveLength(0);
    o = await runner.resume(definition, ctx, o.state!, (engine) => (engine.signal(first[0].executionId, {}), true));
    expect(tasks(o, 'handle')).toHaveLength(1);
    expect(o.variables).toMatchObject({ n: 2 });
  });

  it('queues a timer cycle firing while the event sub-process runs instead of skipping it', async () => {
    const definition = await runnable(process('<bpmn:timerEventDefinition><bpmn:timeCycle>R3/PT1H</bpmn:timeCycle></bpmn:timerEventDefinition>'));
    let o = await runner.start(definition, ctx, {});
    const fire = async () => {
      const timer = o.timers.find((t) => t.elementId === 'es')!;
      o = await runner.resume(definition, ctx, o.state!, (engine) => engine.fireTimer(timer.executionId));
    };
    await fire();
    const first = tasks(o, 'handle');
    expect(first).toHaveLength(1);
    await fire();
    expect(tasks(o, 'handle')).toHaveLength(0);
    expect(o.events.find((e) => e.type === 'timer.fired')?.payload).not.toHaveProperty('skipped');
    o = await runner.resume(definition, ctx, o.state!, (engine) => (engine.signal(first[0].executionId, {}), true));
    expect(tasks(o, 'handle')).toHaveLength(1);
    expect(o.status).toBe('running');
  });
});
