/**
 * Cost of the execution budget (engine/runtime/budget.ts), in-process:
 *   - one command's engine run (start → task → gateway with FEEL conditions → task), the same
 *     runs without a budget and under one (checkpoints, step counting, slices), alternating batches;
 *   - each limit on its own ({@link benchLimits}): the same commands under the full budget and
 *     under one with that limit's check switched off, median of repeats, as time per command;
 *   - one FEEL condition on the in-process fast path against the same kind of condition in the
 *     worker sandbox (a `for` expression is never trivially safe).
 * Knobs: BENCH_BUDGET_RUNS (default 300), BENCH_BUDGET_REPEATS (default 7).
 * Runs alone as `node dist/test/bench/budget-cost.js` (after `npx nest build`), or from bench.ts.
 */
import { compileDefinition, loadSourceContext, checkExpression, InstanceRunner, ServiceHandlerRegistry } from '../../engine';
import { CommandBudget, runWithBudget } from '../../engine/runtime/budget';
import { closeFeelSandbox, evaluateFeel, feelSandbox, isTriviallySafe } from '../../engine/expressions';

const RUNS = Number(process.env.BENCH_BUDGET_RUNS ?? 300);
const REPEATS = Number(process.env.BENCH_BUDGET_REPEATS ?? 7);

const XML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="Definitions_budget" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="bench-budget" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:userTask id="triage" camunda:candidateGroups="bench"/>
    <bpmn:exclusiveGateway id="gw" default="low"/>
    <bpmn:userTask id="major" camunda:candidateGroups="bench"/>
    <bpmn:userTask id="normal" camunda:candidateGroups="bench"/>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="triage"/>
    <bpmn:sequenceFlow id="f2" sourceRef="triage" targetRef="gw"/>
    <bpmn:sequenceFlow id="high" sourceRef="gw" targetRef="major"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">=impact = "high" and urgency = "high"</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="low" sourceRef="gw" targetRef="normal"/>
    <bpmn:sequenceFlow id="f3" sourceRef="major" targetRef="end"/>
    <bpmn:sequenceFlow id="f4" sourceRef="normal" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>`;

/** A command creating 20 user tasks through a parallel multi-instance (task cap, loop cap). */
const MI_XML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="Definitions_budget_mi" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="bench-budget-mi" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:userTask id="review" camunda:candidateGroups="bench"><bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality xsi:type="bpmn:tFormalExpression">20</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>`;

export interface BudgetCost {
  withoutMs: number;
  withMs: number;
  fastMicros: number;
  sandboxMicros: number;
}

export async function benchBudget(): Promise<BudgetCost> {
  const compiled = await compileDefinition(XML, { knownHandlers: new Set(), checkExpression });
  const definition = { id: 'bench', key: compiled.processId, version: 1, sourceContext: loadSourceContext(compiled.serialized) };
  const runner = new InstanceRunner(new ServiceHandlerRegistry([]), undefined, 'UTC', 0);
  const once = async (i: number) => {
    const started = await runner.start(definition, { instanceId: `b${i}`, businessKey: null }, { impact: 'high', urgency: i % 2 ? 'high' : 'low' });
    const task = started.createdTasks[0]!;
    await runner.resume(definition, { instanceId: `b${i}`, businessKey: null }, started.state!, (engine) => {
      engine.signal(task.executionId, {});
      return true;
    });
  };
  for (let i = 0; i < 30; i++) await once(i); // warm-up
  let without = 0;
  let within = 0;
  for (let batch = 0; batch < 10; batch++) {
    const per = Math.ceil(RUNS / 10);
    let t = performance.now();
    for (let i = 0; i < per; i++) await once(i);
    without += performance.now() - t;
    t = performance.now();
    for (let i = 0; i < per; i++) await runWithBudget(new CommandBudget(), () => once(i));
    within += performance.now() - t;
  }
  const runs = Math.ceil(RUNS / 10) * 10;

  const scope = { impact: 'high', urgency: 'high', items: [1, 2, 3, 4] };
  const fast = 'impact = "high" and urgency = "high"';
  const slow = 'count(for i in items return i) > 2';
  if (!isTriviallySafe(fast) || isTriviallySafe(slow)) throw new Error('unexpected classification');
  feelSandbox().warm();
  for (let i = 0; i < 200; i++) {
    evaluateFeel(fast, scope);
    evaluateFeel(slow, scope);
  }
  const time = (source: string, n: number) => {
    const t = performance.now();
    for (let i = 0; i < n; i++) evaluateFeel(source, scope);
    return ((performance.now() - t) / n) * 1000;
  };
  const fastMicros = time(fast, 5000);
  const sandboxMicros = time(slow, 2000);
  closeFeelSandbox();
  return { withoutMs: without / runs, withMs: within / runs, fastMicros, sandboxMicros };
}

/** What one limit costs per command: the command with the limit's check and without it (median of repeats). */
export interface LimitCost {
  limit: string;
  /** The command the cost is measured on. */
  command: string;
  withMicros: number;
  withoutMicros: number;
  /** with − without, µs per command (can be slightly negative: noise). */
  costMicros: number;
}

type Variant = (budget: CommandBudget) => void;
const off = (budget: CommandBudget, method: string, value: unknown) => Object.defineProperty(budget, method, { value: () => value });
/** Switches one limit's check off on a budget (an own property in front of the method). */
const VARIANTS: Record<string, Variant> = {
  'time budget (ENGINE_TIME_BUDGET_MS) and slicing (ENGINE_SLICE_MS)': (b) => {
    off(b, 'checkTime', true);
    off(b, 'shouldYield', false);
    Object.defineProperty(b, 'limits', { value: { ...b.limits, sliceMs: Number.POSITIVE_INFINITY } });
  },
  'memory budget (ENGINE_MEMORY_BUDGET_MB)': (b) => off(b, 'checkMemory', true),
  'step cap (ENGINE_MAX_STEPS)': (b) => Object.defineProperty(b, 'limits', { value: { ...b.limits, steps: Number.MAX_SAFE_INTEGER } }),
  'task cap (ENGINE_MAX_TASKS)': (b) => off(b, 'task', true),
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

/** Each limit's cost per command, median of {@link REPEATS} alternating batches. */
export async function benchLimits(): Promise<LimitCost[]> {
  const runner = new InstanceRunner(new ServiceHandlerRegistry([]), undefined, 'UTC', 0);
  const load = async (xml: string) => {
    const compiled = await compileDefinition(xml, { knownHandlers: new Set(), checkExpression });
    return { id: compiled.processId, key: compiled.processId, version: 1, sourceContext: loadSourceContext(compiled.serialized) };
  };
  const gateway = await load(XML);
  const fanOut = await load(MI_XML);
  const commands: Record<string, (i: number) => Promise<unknown>> = {
    'start + complete through a FEEL gateway': async (i) => {
      const started = await runner.start(gateway, { instanceId: `g${i}`, businessKey: null }, { impact: 'high', urgency: i % 2 ? 'high' : 'low' });
      const task = started.createdTasks[0]!;
      await runner.resume(gateway, { instanceId: `g${i}`, businessKey: null }, started.state!, (engine) => {
        engine.signal(task.executionId, {});
        return true;
      });
    },
    'start creating 20 user tasks (parallel multi-instance)': (i) => runner.start(fanOut, { instanceId: `m${i}`, businessKey: null }, {}),
  };
  const per = Math.max(10, Math.ceil(RUNS / REPEATS));
  const batch = async (command: (i: number) => Promise<unknown>, variant: Variant | null) => {
    const t = performance.now();
    for (let i = 0; i < per; i++) {
      const budget = new CommandBudget();
      variant?.(budget);
      await runWithBudget(budget, () => command(i));
    }
    return ((performance.now() - t) / per) * 1000;
  };
  const results: LimitCost[] = [];
  for (const [name, command] of Object.entries(commands)) {
    for (let i = 0; i < 20; i++) await runWithBudget(new CommandBudget(), () => command(i)); // warm-up
    const limits = name.startsWith('start creating')
      ? { ...VARIANTS, 'loop cap (ENGINE_MAX_LOOP_INSTANCES) and sliced multi-instance starts': null }
      : VARIANTS;
    for (const [limit, variant] of Object.entries(limits)) {
      const withs: number[] = [];
      const withouts: number[] = [];
      for (let r = 0; r < REPEATS; r++) {
        withs.push(await batch(command, null));
        // The loop cap works without a budget too (scopes.ts); without a budget the multi-instance starts are not sliced either.
        withouts.push(variant === null ? await (async () => {
          const t = performance.now();
          for (let i = 0; i < per; i++) await command(i);
          return ((performance.now() - t) / per) * 1000;
        })() : await batch(command, variant));
      }
      const withMicros = median(withs);
      const withoutMicros = median(withouts);
      results.push({ limit, command: name, withMicros, withoutMicros, costMicros: withMicros - withoutMicros });
    }
  }
  return results;
}

/** Prints every figure (the standalone run, and bench.ts's section 5). */
export async function printBudgetCost(): Promise<void> {
  const limits = await benchLimits();
  const r = await benchBudget();
  console.log(`execution budget: one engine run (start + complete through a FEEL gateway) ${r.withoutMs.toFixed(2)} ms without, ${r.withMs.toFixed(2)} ms with the whole budget (${(((r.withMs - r.withoutMs) / r.withoutMs) * 100).toFixed(1)} %)`);
  console.log(`execution budget, each limit (median of ${REPEATS} batches, µs per command; with = the whole budget, without = that check off):`);
  for (const l of limits) {
    console.log(`  ${l.limit.padEnd(68)} ${l.costMicros >= 0 ? '+' : ''}${l.costMicros.toFixed(1).padStart(7)} µs  (${l.withMicros.toFixed(0)} vs ${l.withoutMicros.toFixed(0)} µs; ${l.command})`);
  }
  console.log(`  ${'expression sandbox (EXPRESSION_TIMEOUT_MS, EXPRESSION_MEMORY_MB)'.padEnd(68)} +${(r.sandboxMicros - r.fastMicros).toFixed(1).padStart(7)} µs  per FEEL condition that needs it (${r.sandboxMicros.toFixed(1)} µs in the worker vs ${r.fastMicros.toFixed(1)} µs in-process; trivially safe conditions stay in-process)`);
}

if (require.main === module) {
  printBudgetCost().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
