/**
 * Cost of the execution budget (engine/runtime/budget.ts), in-process, one run:
 *   - one command's engine run (start → task → gateway with FEEL conditions → task), the same
 *     runs without a budget and under one (checkpoints, step counting, slices), alternating batches;
 *   - one FEEL condition on the in-process fast path against the same kind of condition in the
 *     worker sandbox (a `for` expression is never trivially safe).
 * Knob: BENCH_BUDGET_RUNS (default 300).
 */
import { compileDefinition, loadSourceContext, checkExpression, InstanceRunner, ServiceHandlerRegistry } from '../../engine';
import { CommandBudget, runWithBudget } from '../../engine/runtime/budget';
import { closeFeelSandbox, evaluateFeel, feelSandbox, isTriviallySafe } from '../../engine/expressions';

const RUNS = Number(process.env.BENCH_BUDGET_RUNS ?? 300);

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

if (require.main === module) {
  void benchBudget().then((r) => {
    console.log(`budget: engine run (start + complete, gateway with FEEL) ${r.withoutMs.toFixed(2)} ms without, ${r.withMs.toFixed(2)} ms with the budget (${(((r.withMs - r.withoutMs) / r.withoutMs) * 100).toFixed(1)} %)`);
    console.log(`budget: FEEL condition in-process ${r.fastMicros.toFixed(1)} µs, in the sandbox ${r.sandboxMicros.toFixed(1)} µs`);
  });
}
