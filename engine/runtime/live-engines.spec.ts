import { compileDefinition, loadSourceContext } from '../definitions';
import { checkExpression } from '../expressions';
import { ServiceHandlerRegistry } from '../services/service-handler';
import { InstanceRunner, liveEngineBytes, type RunOutcome, type RunnableDefinition } from './instance-runner';
import { linearTasks } from '../../test/support/bpmn';

/** The engines a process keeps warm between commands are bounded by an estimated memory budget. */
describe('kept engines', () => {
  let definition: RunnableDefinition;
  beforeAll(async () => {
    const compiled = await compileDefinition(linearTasks('p', ['a', 'b']), { knownHandlers: new Set(), checkExpression });
    definition = { id: 'd1', key: compiled.processId, version: 1, sourceContext: loadSourceContext(compiled.serialized) };
  });

  /** Starts `instances` instances (each kept after its start), then completes the first task of each: which resumes found their engine warm. */
  async function warmResumes(runner: InstanceRunner, instances: number): Promise<boolean[]> {
    const warm: boolean[] = [];
    runner.onResume = (w) => warm.push(w);
    const started: { id: string; outcome: RunOutcome }[] = [];
    for (let i = 0; i < instances; i++) {
      const id = `i${i}`;
      const outcome = await runner.start(definition, { instanceId: id, businessKey: null }, {});
      runner.keep(id, 1, outcome.live);
      started.push({ id, outcome });
    }
    for (const { id, outcome } of started) {
      const task = outcome.createdTasks[0]!;
      await runner.resume(definition, { instanceId: id, businessKey: null }, outcome.state!, (h) => {
        h.signal(task.executionId, {});
        return true;
      }, { revision: 1 });
    }
    return warm;
  }

  it('keeps as many engines as their estimated size fits in the budget, dropping the least recently kept', async () => {
    const size = liveEngineBytes(definition.sourceContext);
    const runner = new InstanceRunner(new ServiceHandlerRegistry(), undefined, 'UTC', 64, undefined, 3 * size);
    expect(await warmResumes(runner, 5)).toEqual([false, false, true, true, true]);
  });

  it('keeps none with a budget of 0, and never one engine larger than the budget', async () => {
    expect(await warmResumes(new InstanceRunner(new ServiceHandlerRegistry(), undefined, 'UTC', 64, undefined, 0), 2)).toEqual([false, false]);
    const size = liveEngineBytes(definition.sourceContext);
    expect(await warmResumes(new InstanceRunner(new ServiceHandlerRegistry(), undefined, 'UTC', 64, undefined, size - 1), 1)).toEqual([false]);
  });

  it('counts an engine once however often it is kept, and frees its share when it is taken or forgotten', async () => {
    const runner = new InstanceRunner(new ServiceHandlerRegistry(), undefined, 'UTC', 64);
    const ctx = { instanceId: 'i1', businessKey: null };
    const outcome = await runner.start(definition, ctx, {});
    runner.keep('i1', 1, outcome.live);
    runner.keep('i1', 1, outcome.live);
    expect(runner.liveEngines()).toEqual({ count: 1, bytes: liveEngineBytes(definition.sourceContext) });
    runner.forget('i1');
    expect(runner.liveEngines()).toEqual({ count: 0, bytes: 0 });
  });

  it('drops an engine whose instance had no command for the idle time, and keeps the recently used ones', async () => {
    const runner = new InstanceRunner(new ServiceHandlerRegistry(), undefined, 'UTC', 64, undefined, undefined, 3000);
    const idle = await runner.start(definition, { instanceId: 'idle', businessKey: null }, {});
    runner.keep('idle', 1, idle.live);
    await new Promise((r) => setTimeout(r, 1500));
    const busy = await runner.start(definition, { instanceId: 'busy', businessKey: null }, {});
    runner.keep('busy', 1, busy.live);
    expect(runner.liveEngines().count).toBe(2);
    // past the idle time of the first only (with 1.5 s to spare for a loaded machine): its next command recovers the engine from the snapshot
    await new Promise((r) => setTimeout(r, 1500));
    expect(runner.liveEngines()).toEqual({ count: 1, bytes: liveEngineBytes(definition.sourceContext) });
    const warm: boolean[] = [];
    runner.onResume = (w) => warm.push(w);
    for (const [id, outcome] of [['idle', idle], ['busy', busy]] as const) {
      const task = outcome.createdTasks[0]!;
      const resumed = await runner.resume(definition, { instanceId: id, businessKey: null }, outcome.state!, (h) => {
        h.signal(task.executionId, {});
        return true;
      }, { revision: 1 });
      expect(resumed.createdTasks.map((t) => t.elementId)).toEqual(['b']);
    }
    expect(warm).toEqual([false, true]);
  });

  it('drops idle engines without further commands (a process that went quiet), and never with an idle time of 0', async () => {
    const runner = new InstanceRunner(new ServiceHandlerRegistry(), undefined, 'UTC', 64, undefined, undefined, 50);
    const keeping = new InstanceRunner(new ServiceHandlerRegistry(), undefined, 'UTC', 64, undefined, undefined, 0);
    for (const r of [runner, keeping]) r.keep('i1', 1, (await r.start(definition, { instanceId: 'i1', businessKey: null }, {})).live);
    const bytes = liveEngineBytes(definition.sourceContext);
    // read the byte count the way the sweep leaves it, without calling anything that sweeps
    const heldBytes = (r: InstanceRunner) => (r as unknown as { liveBytes: number }).liveBytes;
    expect(heldBytes(runner)).toBe(bytes);
    await new Promise((r) => setTimeout(r, 200));
    expect(heldBytes(runner)).toBe(0);
    expect(keeping.liveEngines()).toEqual({ count: 1, bytes });
  });

  it('sizes an engine by its diagram: activities and sequence flows', async () => {
    const bigger = await compileDefinition(linearTasks('q', ['a', 'b', 'c', 'd', 'e', 'f']), { knownHandlers: new Set(), checkExpression });
    expect(liveEngineBytes(loadSourceContext(bigger.serialized))).toBeGreaterThan(liveEngineBytes(definition.sourceContext));
  });
});
