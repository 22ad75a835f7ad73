import { bpmn } from '../../test/support/bpmn';
import { compileDefinition, loadSourceContext } from '../definitions';
import { EngineError, EngineErrorCode } from '../errors';
import { checkExpression } from '../expressions';
import { ServiceHandlerRegistry, type ServiceHandler } from '../services/service-handler';
import { InstanceRunner } from './instance-runner';
import { EngineEvents, setStallTimeout, untilQuiescent } from './quiescence';

/** An engine stub whose run never settles: "executing" for good, and silent. */
function stuckEngine() {
  return {
    name: 'i-stuck',
    activityStatus: 'executing',
    execution: { isRunning: true },
    once: () => undefined,
    removeListener: () => undefined,
  };
}

describe('untilQuiescent safety net', () => {
  let previous: number;
  beforeEach(() => {
    previous = setStallTimeout(200);
  });
  afterEach(() => {
    setStallTimeout(previous);
  });

  it('fails with ENGINE_STALLED naming the instance when the run stays executing without any event', async () => {
    const started = Date.now();
    const error = await untilQuiescent(stuckEngine(), new EngineEvents()).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).code).toBe(EngineErrorCode.EngineStalled);
    expect((error as EngineError).message).toContain('instance i-stuck');
    expect((error as EngineError).details).toMatchObject({ instanceId: 'i-stuck', activityStatus: 'executing' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });

  it('fails a command whose service handler never answers instead of hanging', async () => {
    const never: ServiceHandler = { name: 'never', description: 'never answers', run: () => new Promise(() => undefined) };
    const xml = bpmn(
      'neverAnswers',
      [
        '<bpmn:startEvent id="start"/>',
        '<bpmn:serviceTask id="call" camunda:delegateExpression="${never}"/>',
        '<bpmn:endEvent id="end"/>',
        '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="call"/>',
        '<bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="end"/>',
      ].join('\n'),
    );
    const compiled = await compileDefinition(xml, { knownHandlers: new Set(['never']), checkExpression });
    const definition = { id: 'def-1', key: compiled.processId, version: 1, sourceContext: loadSourceContext(compiled.serialized) };
    const runner = new InstanceRunner(new ServiceHandlerRegistry([never]), undefined, 'UTC', 0);
    const error = await runner.start(definition, { instanceId: 'i-never', businessKey: null }, {}).then(
      () => null,
      (e: unknown) => e,
    );
    expect((error as EngineError)?.code).toBe(EngineErrorCode.EngineStalled);
    expect((error as EngineError).message).toContain('instance i-never');
  });
});
