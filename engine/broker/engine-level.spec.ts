/**
 * Engine-level differential test: bpmn-engine and bpmn-elements, loaded twice in isolated module
 * registries (one with smqp 11, one with `smqp` resolved to engine/broker for that registry only),
 * run the same process; the listener events, the postponed activities and the saved states must be
 * equal (generated ids and timestamps normalised). A state saved on smqp 11 is recovered on both and
 * run on to the end: engine/broker reads what production snapshots hold.
 */
import { candidate } from './testing/candidate';
import { reference as smqp11 } from './testing/reference';
import { IdNormalizer } from '../../test/broker/trace';

type EngineModule = { Engine: new (options: Record<string, unknown>) => any };

function loadEngine(lean: boolean): EngineModule {
  let mod: EngineModule | undefined;
  jest.isolateModules(() => {
    // by path: a bare 'smqp' from here resolves to engine/broker itself (package self-reference),
    // while bpmn-engine and bpmn-elements resolve node_modules/smqp (a link to engine/broker): each
    // registry gets its broker there, smqp 11 (smqp-reference) or engine/broker
    jest.doMock('../../node_modules/smqp', () => (lean ? candidate : smqp11));
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh copy per registry
    mod = require('bpmn-engine') as EngineModule;
  });
  return mod!;
}

const source = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="defs" targetNamespace="t">
  <process id="proc" isExecutable="true">
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="fork"/>
    <parallelGateway id="fork"/>
    <sequenceFlow id="f2" sourceRef="fork" targetRef="review"/>
    <sequenceFlow id="f3" sourceRef="fork" targetRef="sub"/>
    <userTask id="review"/>
    <boundaryEvent id="cancel" attachedToRef="review"><messageEventDefinition messageRef="msg"/></boundaryEvent>
    <sequenceFlow id="f4" sourceRef="review" targetRef="decide"/>
    <exclusiveGateway id="decide" default="f6"/>
    <sequenceFlow id="f5" sourceRef="decide" targetRef="join"><conditionExpression xsi:type="tFormalExpression">\${environment.variables.ok}</conditionExpression></sequenceFlow>
    <sequenceFlow id="f6" sourceRef="decide" targetRef="join"/>
    <subProcess id="sub">
      <startEvent id="subStart"/>
      <sequenceFlow id="s1" sourceRef="subStart" targetRef="approve"/>
      <userTask id="approve"/>
      <sequenceFlow id="s2" sourceRef="approve" targetRef="subEnd"/>
      <endEvent id="subEnd"/>
    </subProcess>
    <sequenceFlow id="f7" sourceRef="sub" targetRef="join"/>
    <parallelGateway id="join"/>
    <sequenceFlow id="f8" sourceRef="join" targetRef="end"/>
    <sequenceFlow id="f9" sourceRef="cancel" targetRef="end"/>
    <endEvent id="end"/>
  </process>
  <message id="msg" name="cancel"/>
</definitions>`;

/** bpmn-elements' and smqp's random ids numbered by first appearance, timestamps as `#time` (this spec runs on the real clock). */
function normaliser(): (value: unknown) => unknown {
  const ids = new IdNormalizer(undefined, { times: true });
  return (value) => ids.normalize(value);
}

interface Run {
  trace: unknown[];
  states: unknown[];
}

/** Runs the process (or resumes `state`) and completes user tasks in order until it ends. */
async function run(mod: EngineModule, state?: unknown, ok = true): Promise<Run & { saved: unknown }> {
  const norm = normaliser();
  const trace: unknown[] = [];
  const states: unknown[] = [];
  const listener = {
    emit(eventName: string, api: any) {
      trace.push(norm([eventName, api?.id, api?.fields?.routingKey, api?.content?.state, api?.content?.isRecovered]));
    },
  };
  let engine: any;
  let execution: any;
  if (state) {
    engine = new mod.Engine({ name: 'x' }).recover(JSON.parse(JSON.stringify(state)));
    execution = await engine.resume({ listener });
  } else {
    engine = new mod.Engine({ name: 'x', source, variables: { ok } });
    execution = await engine.execute({ listener });
  }
  const saved = JSON.parse(JSON.stringify(await engine.getState()));
  states.push(norm(saved));
  for (const target of ['review', 'approve']) {
    trace.push(norm(['postponed', execution.getPostponed().map((api: any) => api.id)]));
    execution.signal({ id: target });
    states.push(norm(JSON.parse(JSON.stringify(await engine.getState()))));
  }
  trace.push(norm(['end', execution.state]));
  return { trace, states, saved };
}

describe('bpmn-engine on engine/broker against smqp 11', () => {
  const reference = loadEngine(false);
  const lean = loadEngine(true);

  it('builds the brokers of one copy on smqp 11, of the other on engine/broker', () => {
    const brokerOf = (mod: EngineModule) => new mod.Engine({ name: 'x', source }).broker as Record<string, unknown>;
    expect(brokerOf(reference)._queues).toBeUndefined();
    expect(brokerOf(lean)._queues).toBeInstanceOf(Map);
  });

  it.each([true, false])('runs the same events and saves the same states (ok=%s)', async (ok) => {
    const expected = await run(reference, undefined, ok);
    const actual = await run(lean, undefined, ok);
    expect(actual.trace).toEqual(expected.trace);
    expect(actual.states).toEqual(expected.states);
    expect(JSON.stringify(expected.trace)).toContain('"definition.end","defs","definition.end","completed"');
  });

  it('recovers a state saved on smqp 11 and runs it to the end like smqp 11 does', async () => {
    const first = await runUntilWait(reference);
    const expected = await run(reference, first);
    const actual = await run(lean, first);
    expect(actual.trace).toEqual(expected.trace);
    expect(actual.states).toEqual(expected.states);
    expect(JSON.stringify(expected.trace)).toContain('"definition.end","defs","definition.end","completed"');
  });

  it('recovers its own state like smqp 11 recovers its own', async () => {
    const expected = await run(reference, await runUntilWait(reference));
    const actual = await run(lean, await runUntilWait(lean));
    expect(actual.trace).toEqual(expected.trace);
    expect(actual.states).toEqual(expected.states);
  });
});

/** Starts the process and saves its state at the first wait. */
async function runUntilWait(mod: EngineModule): Promise<unknown> {
  const engine = new mod.Engine({ name: 'x', source, variables: { ok: true } });
  await engine.execute({ listener: { emit() {} } });
  return JSON.parse(JSON.stringify(await engine.getState()));
}
