import { CommandBudget, DEFAULT_BUDGET_LIMITS, runWithBudget, setBudgetLimits } from './budget';
import type { ThreadClock } from './thread-clock';
import { closeFeelSandbox, evaluateFeel, feelSandbox } from '../expressions';
import { block, burn, threadCpuMs } from './testing/cpu';

const turn = () => new Promise((resolve) => setImmediate(resolve));
const onLinux = process.platform === 'linux' ? it : it.skip;

describe('the time budget of a command is CPU time (Node 20 and 24)', () => {
  const limits = { ...DEFAULT_BUDGET_LIMITS, timeMs: 100 };

  onLinux('does not stop a command whose thread waited for a CPU (blocked) past the budget in wall time', async () => {
    const budget = new CommandBudget(limits);
    expect(budget.clockKind).not.toBe('wall');
    const cpuBefore = threadCpuMs();
    budget.busy();
    block(300);
    expect(budget.step('a', true)).not.toBe('stop');
    expect(budget.checkTime('a')).toBe(true);
    await turn();
    // a second stretch, after the first one closed
    budget.busy();
    block(300);
    expect(budget.step('b', true)).not.toBe('stop');
    await turn();
    expect(budget.violation).toBeNull();
    // what the stretches count is CPU time this thread used meanwhile (a garbage collection may
    // fall in a stretch), not the 600 ms it was blocked
    expect(budget.elapsedMs()).toBeLessThanOrEqual(threadCpuMs() - cpuBefore + 1);
    expect(budget.elapsedMs()).toBeLessThan(limits.timeMs);
  });

  it('stops a command at the first checkpoint after its engine work used the budget, within one stretch', () => {
    const budget = new CommandBudget(limits);
    budget.busy();
    expect(budget.step('a', false)).toBe('go');
    burn(130);
    expect(budget.step('b', false)).toBe('stop');
    expect(budget.violation).toMatchObject({ code: 'BUDGET_EXCEEDED', details: { limit: 'timeMs', elementId: 'b' } });
    expect(budget.violation!.details!.value).toBeGreaterThan(100);
  });

  it('adds up the CPU time of the stretches, not the waits between them', async () => {
    const budget = new CommandBudget(limits);
    // What the thread used, measured apart from the budget: `inStretches` from just before each
    // stretch opens to just after its step (the budget counts no less), `used` that plus the event
    // loop's turns after them (the budget counts no more: a stretch closes early in its turn). A
    // garbage collection (seen late in whole-suite runs) is CPU time the budget rightly counts when
    // it falls in a stretch; falling in a turn's tail, it separates the two bounds, and a verdict
    // between them is right either way.
    let used = 0;
    let inStretches = 0;
    const stretch = (id: string) => {
      const from = threadCpuMs();
      budget.busy();
      burn(40);
      const verdict = budget.step(id, false);
      const stretchUsed = threadCpuMs() - from;
      used += stretchUsed;
      inStretches += stretchUsed;
      return verdict;
    };
    for (let i = 0; i < 2; i++) {
      const verdict = stretch(`s${i}`);
      // 100 ms blocked after each stretch: counted, they would pass the limit at s1
      if (used <= limits.timeMs) expect(verdict).toBe('go');
      if (inStretches > limits.timeMs + 0.5) expect(verdict).toBe('stop');
      const from = threadCpuMs();
      await turn();
      used += threadCpuMs() - from;
      block(100);
      if (verdict === 'stop') return;
    }
    // the third stretch's 40 ms pass the limit in any case
    expect(stretch('s2')).toBe('stop');
    expect(budget.violation).toMatchObject({ details: { limit: 'timeMs', elementId: 's2' } });
  });

  it('reads the CPU clock when a stretch opens and closes, and at a step only once the wall time could pass the budget', async () => {
    let reads = 0;
    let cpu = 0;
    const clock: ThreadClock = {
      kind: 'schedstat',
      now: () => {
        reads++;
        return cpu;
      },
    };
    const budget = new CommandBudget({ ...limits, timeMs: 100 }, 0, null, clock);
    budget.busy();
    // Where a pause of the whole process (a garbage collection, a loaded machine: seen in a CI run) lets
    // the wall time since the last reading pass the budget, the clock is rightly read once more per
    // 100 ms paused: the counts allow for the wall time measured, and only for it (none when it is short).
    const readsWithin = (from: number, base: number) => {
      expect(reads).toBeGreaterThanOrEqual(base);
      expect(reads).toBeLessThanOrEqual(base + Math.floor((performance.now() - from) / 100));
    };
    const verdicts = new Set<string>();
    const loopFrom = performance.now();
    for (let i = 0; i < 300; i++) verdicts.add(budget.step(`e${i}`, false));
    expect([...verdicts]).toEqual(['go']);
    readsWithin(loopFrom, 1);
    // 110 ms of wall time without CPU: the bound passes the budget once, the clock says it was not used
    const beforeLate = reads;
    block(110);
    expect(budget.step('late', false)).toBe('go');
    expect(reads).toBe(beforeLate + 1);
    const lateAt = performance.now();
    expect(budget.step('late2', false)).toBe('go');
    readsWithin(lateAt, beforeLate + 1);
    const beforeOver = reads;
    cpu = 101;
    block(110);
    expect(budget.step('over', false)).toBe('stop');
    expect(budget.violation).toMatchObject({ details: { limit: 'timeMs', elementId: 'over', value: 101 } });
    await turn();
    // the step's reading and the stretch's close
    expect(reads).toBe(beforeOver + 2);
  });
});

describe("a sandboxed FEEL evaluation's time in the command's budget", () => {
  afterAll(() => closeFeelSandbox());

  it("counts the worker's CPU time as busy time of the command (the main thread waits without a CPU)", async () => {
    const source = 'count(for x in 1..150000 return x * 2)';
    // The expression's CPU time in the worker (warm), without a budget.
    feelSandbox().warm();
    const costs: number[] = [];
    for (let i = 0; i < 4; i++) {
      const answer = feelSandbox().evaluate(source, {}, { timeoutMs: 60_000, maxChars: 1000 });
      expect(answer).toMatchObject({ kind: 'ok', value: 150000 });
      if (i > 0) costs.push(answer.ms);
    }
    const [least, most] = [Math.min(...costs), Math.max(...costs)];
    expect(least).toBeGreaterThan(5);
    const previous = setBudgetLimits({ timeMs: Math.ceil(most * 1.5), expressionMs: 60_000 });
    try {
      const budget = new CommandBudget();
      let evaluations = 0;
      const loop = runWithBudget(budget, async () => {
        for (; evaluations < 10; evaluations++) {
          evaluateFeel(source, {});
          // each evaluation's CPU time is charged (on Node 24 it was not: the main thread used none)
          expect(budget.elapsedMs()).toBeGreaterThanOrEqual((evaluations + 1) * least * 0.5);
        }
      });
      await expect(loop).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED', details: { limit: 'timeMs' } });
      // about 1.5 evaluations fit in the budget
      expect(evaluations).toBeGreaterThanOrEqual(1);
      expect(evaluations).toBeLessThanOrEqual(3);
    } finally {
      setBudgetLimits(previous);
    }
  });
});
