import { ProcessHarness } from './testing/harness';
import { CommandBudget, runWithBudget, setBudgetLimits, type BudgetLimits } from './budget';
import { closeFeelSandbox, isTriviallySafe } from '../expressions';
import {
  COUNT_FOR_1E8, conditionAfterTask, conditionAtStart, endlessLoop, fanOut, formKeyTask, HUGE_STRING, multiInstance, PLAIN_TASK, serviceTask, SOME_OVER_N,
} from '../../test/hostile/budget-diagrams';

/** Runs `work` as one command does: under a fresh budget. */
const command = <T>(work: () => Promise<T>) => runWithBudget(new CommandBudget(), work);
const overBudget = (limit: keyof BudgetLimits | (keyof BudgetLimits)[], elementId: string) =>
  expect.objectContaining({ code: 'BUDGET_EXCEEDED', details: expect.objectContaining({ limit: Array.isArray(limit) ? expect.stringMatching(new RegExp(`^(${limit.join('|')})$`)) : limit, elementId }) });

describe('the execution budget of a command (engine level)', () => {
  afterAll(() => closeFeelSandbox());

  it('classifies FEEL: simple conditions in-process, iterations, ranges and unknown functions in the sandbox', () => {
    for (const safe of ['a > 1 and b.c = "x"', 'if x = null then 1 else x + 1', 'count(improvementActions) > 0', 'count(votes[item = "approve"]) > 1', 'x in (1..10]', 'date and time("2020-01-01T00:00:00Z") + duration("PT5M")']) {
      expect([safe, isTriviallySafe(safe)]).toEqual([safe, true]);
    }
    for (const unsafe of ['some x in 1..n satisfies x < 0', 'for a in actions return a.owner', 'string join(["a"], ",")', 'matches(a, "(a+)+$")', '{f: function(n) n}.f(1)', 'a[b[1] > 0]']) {
      expect([unsafe, isTriviallySafe(unsafe)]).toEqual([unsafe, false]);
    }
  });

  it('fails a condition that iterates a billion times, on the task completion that supplies n, naming the gateway', async () => {
    const p = await ProcessHarness.deploy(conditionAfterTask('some-n', SOME_OVER_N));
    await command(() => p.start());
    await expect(command(() => p.complete('A', { n: 1_000_000_000 }))).rejects.toEqual(overBudget(['expressionMs', 'expressionMemoryMb'], 'gw'));
    // the same condition with a small n is evaluated (in the sandbox) and the process goes on
    await command(() => p.complete('A', { n: 10 }));
    expect(p.status).toBe('completed');
    expect(p.completed).toContain('no');
  });

  it('fails a condition that builds a list of 100 million numbers at start', async () => {
    const p = await ProcessHarness.deploy(conditionAtStart('count-for', COUNT_FOR_1E8));
    await expect(command(() => p.start())).rejects.toEqual(overBudget(['expressionMs', 'expressionMemoryMb'], 'gw'));
  });

  it('fails a formKey expression that builds 170 MB of text, naming the user task', async () => {
    const p = await ProcessHarness.deploy(formKeyTask('huge-form-key', HUGE_STRING));
    await expect(command(() => p.start())).rejects.toEqual(overBudget(['expressionMs', 'expressionMemoryMb', 'expressionResultChars'], 'T'));
  });

  it('fails a loopCardinality of 10,000,000 taken from a variable', async () => {
    const p = await ProcessHarness.deploy(multiInstance('mi-var', '${n}'));
    await expect(command(() => p.start({ n: 10_000_000 }))).rejects.toEqual(overBudget('loopInstances', 'T'));
  });

  it('fails a fan-out to more user tasks than one command may create', async () => {
    const previous = setBudgetLimits({ tasks: 50, timeMs: 120_000 });
    try {
      const p = await ProcessHarness.deploy(fanOut('fan-out', 60));
      await expect(command(() => p.start())).rejects.toEqual(overBudget('tasks', 't50'));
    } finally {
      setBudgetLimits(previous);
    }
  });

  it('ends an endless loop of plain tasks with an error naming the step limit instead of a stack overflow', async () => {
    const p = await ProcessHarness.deploy(endlessLoop('plain-loop', PLAIN_TASK));
    const error = await command(() => p.start()).catch((e: unknown) => e);
    expect(error).toEqual(overBudget(['steps', 'timeMs'], expect.any(String) as unknown as string));
  });

  it('ends an endless loop through a service task with an error naming a limit', async () => {
    const p = await ProcessHarness.deploy(endlessLoop('service-loop', serviceTask('setVars')));
    const error = await command(() => p.start()).catch((e: unknown) => e);
    expect(error).toEqual(overBudget(['steps', 'timeMs'], expect.any(String) as unknown as string));
  });
});
