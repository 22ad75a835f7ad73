import { compileDefinition, loadSourceContext } from '../definitions';
import { checkExpression } from '../expressions';
import { ServiceHandlerRegistry } from '../services/service-handler';
import { ManualClock } from '../clock';
import { InstanceRunner, LIVE_ENGINE_MIN_AGE_MS, liveEngineBytes, type EngineHandle, type RunOutcome, type RunnableDefinition } from './instance-runner';
import { linearTasks } from '../../test/support/bpmn';

/** The action completing the waiting task `executionId`. */
const complete = (executionId: string) => (h: EngineHandle) => {
  h.signal(executionId, {});
  return true;
};

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
      await runner.resume(definition, { instanceId: id, businessKey: null }, outcome.state!, complete(task.executionId), { revision: 1 });
    }
    return warm;
  }

  it('keeps as many engines as their estimated size fits in the budget; a newcomer does not push out engines kept just now', async () => {
    const size = liveEngineBytes(definition.sourceContext);
    const runner = new InstanceRunner(new ServiceHandlerRegistry(), undefined, 'UTC', 64, undefined, 3 * size);
    expect(await warmResumes(runner, 5)).toEqual([true, true, true, false, false]);
  });

  it('lets a newcomer take the place of the least recently kept engine once that one has been idle long enough', async () => {
    const size = liveEngineBytes(definition.sourceContext);
    const clock = new ManualClock();
    const runner = new InstanceRunner(new ServiceHandlerRegistry(), clock, 'UTC', 64, undefined, 2 * size);
    const warm: boolean[] = [];
    runner.onResume = (w) => warm.push(w);
    const started = new Map<string, RunOutcome>();
    for (const id of ['a', 'b']) {
      const outcome = await runner.start(definition, { instanceId: id, businessKey: null }, {});
      runner.keep(id, 1, outcome.live);
      started.set(id, outcome);
    }
    clock.advance(LIVE_ENGINE_MIN_AGE_MS);
    const c = await runner.start(definition, { instanceId: 'c', businessKey: null }, {});
    runner.keep('c', 1, c.live);
    started.set('c', c);
    expect(runner.liveEngines()).toEqual({ count: 2, bytes: 2 * size });
    for (const [id, outcome] of started) {
      await runner.resume(definition, { instanceId: id, businessKey: null }, outcome.state!, complete(outcome.createdTasks[0]!.executionId), { revision: 1 });
    }
    expect(warm).toEqual([false, true, true]);
  });

  it('keeps the engines it holds warm when more instances take turns than the budget holds (plain LRU would find none)', async () => {
    const definition3 = { ...definition, sourceContext: loadSourceContext((await compileDefinition(linearTasks('p3', ['a', 'b', 'c']), { knownHandlers: new Set(), checkExpression })).serialized) };
    const runner = new InstanceRunner(new ServiceHandlerRegistry(), undefined, 'UTC', 64, undefined, 3 * liveEngineBytes(definition3.sourceContext));
    const warm: boolean[] = [];
    runner.onResume = (w) => warm.push(w);
    const state = new Map<string, { outcome: RunOutcome; revision: number }>();
    for (let i = 0; i < 6; i++) {
      const outcome = await runner.start(definition3, { instanceId: `i${i}`, businessKey: null }, {});
      runner.keep(`i${i}`, 1, outcome.live);
      state.set(`i${i}`, { outcome, revision: 1 });
    }
    // two rounds: every instance completes its next task in turn
    for (let round = 0; round < 2; round++) {
      for (const [id, s] of state) {
        const task = s.outcome.createdTasks[0]!;
        const outcome = await runner.resume(definition3, { instanceId: id, businessKey: null }, s.outcome.state!, complete(task.executionId), { revision: s.revision });
        runner.keep(id, s.revision + 1, outcome.live);
        state.set(id, { outcome, revision: s.revision + 1 });
      }
    }
    expect(warm).toEqual([true, true, true, false, false, false, true, true, true, false, false, false]);
  });

  it('holds the place of an engine its command took until the command keeps it again, so another instance cannot fill it', async () => {
    const size = liveEngineBytes(definition.sourceContext);
    const runner = new InstanceRunner(new ServiceHandlerRegistry(), undefined, 'UTC', 64, undefined, size);
    const a = await runner.start(definition, { instanceId: 'a', businessKey: null }, {});
    runner.keep('a', 1, a.live);
    // a's command takes its engine, then fails (nothing kept): the next one of a recovers from the snapshot
    const warm: boolean[] = [];
    runner.onResume = (w) => warm.push(w);
    await expect(runner.resume(definition, { instanceId: 'a', businessKey: null }, a.state!, () => false, { revision: 1 })).rejects.toThrow();
    const b = await runner.start(definition, { instanceId: 'b', businessKey: null }, {});
    runner.keep('b', 1, b.live);
    expect(runner.liveEngines()).toEqual({ count: 1, bytes: size });
    const again = await runner.resume(definition, { instanceId: 'a', businessKey: null }, a.state!, complete(a.createdTasks[0]!.executionId), { revision: 1 });
    runner.keep('a', 2, again.live);
    expect(warm).toEqual([true, false]);
    expect(runner.liveEngines()).toEqual({ count: 1, bytes: size });
  });

  it('keeps none with a budget of 0, and never one engine larger than the budget', async () => {
    expect(await warmResumes(new InstanceRunner(new ServiceHandlerRegistry(), undefined, 'UTC', 64, undefined, 0), 2)).toEqual([false, false]);
    const size = liveEngineBytes(definition.sourceContext);
    expect(await warmResumes(new InstanceRunner(new ServiceHandlerRegistry(), undefined, 'UTC', 64, undefined, size - 1), 1)).toEqual([false]);
  });

  it('counts an engine once however often it is kept, and frees its share when it is forgotten', async () => {
    const runner = new InstanceRunner(new ServiceHandlerRegistry(), undefined, 'UTC', 64);
    const ctx = { instanceId: 'i1', businessKey: null };
    const outcome = await runner.start(definition, ctx, {});
    runner.keep('i1', 1, outcome.live);
    runner.keep('i1', 1, outcome.live);
    expect(runner.liveEngines()).toEqual({ count: 1, bytes: liveEngineBytes(definition.sourceContext) });
    runner.forget('i1');
    expect(runner.liveEngines()).toEqual({ count: 0, bytes: 0 });
  });

  it('sizes an engine by its diagram: activities and sequence flows', async () => {
    const bigger = await compileDefinition(linearTasks('q', ['a', 'b', 'c', 'd', 'e', 'f']), { knownHandlers: new Set(), checkExpression });
    expect(liveEngineBytes(loadSourceContext(bigger.serialized))).toBeGreaterThan(liveEngineBytes(definition.sourceContext));
  });
});
