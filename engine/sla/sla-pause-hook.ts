import type { SlaClockRecord } from '../calendar';
import type { CommandKernel, HistoryDraft, OutcomeHook } from '../commands/kernel';
import { timerEvent } from '../commands/kernel';
import { evaluateExpression } from '../expressions';
import type { CommandStore, InstanceRecord } from '../persistence/ports';
import { rearmTimers, type RunOutcome } from '../runtime/instance-runner';
import { PARKED, readsSla, timerExpression } from './sla-commands';
import { pauseOwners } from './sla-pause';

type Clocks = Record<string, (SlaClockRecord & { dueAt?: string | null }) | undefined>;

/**
 * The command side of `itsm:pauseSla` (sla-pause.ts changes the clock inside the run):
 *  - history: `sla.paused` / `sla.resumed` for every pause an element made or ended in the run,
 *    with the element, the reason and the new due date;
 *  - timers armed before the run on other activities that read a clock whose pauses changed
 *    (`timeDate="${sla.resolution.escalations.at75}"`) are re-armed like the pause/resume
 *    endpoints do: parked while the clock is paused, moved to the new instant when it resumes.
 *    Timers armed in the run already read the changed clock.
 */
export class SlaPauseHook implements OutcomeHook {
  constructor(private readonly kernel: CommandKernel) {}

  async written(store: CommandStore, instance: InstanceRecord, outcome: RunOutcome): Promise<HistoryDraft[]> {
    const before = clocksOf(instance.variables);
    const after = clocksOf(outcome.variables);
    const drafts: HistoryDraft[] = [];
    // Only pauses an element made or ended: the pause/resume endpoints re-arm and record their own.
    const changed: string[] = [];
    for (const name of Object.keys(after)) {
      if (JSON.stringify(before[name]?.pauses ?? []) === JSON.stringify(after[name]?.pauses ?? [])) continue;
      const events = pauseEvents(name, before[name], after[name]!);
      if (!events.length) continue;
      changed.push(name);
      drafts.push(...events);
    }
    if (!changed.length || outcome.status !== 'running' || !outcome.state) return drafts;

    const runnable = await this.kernel.runnable(store, instance.definitionId);
    const offset = this.kernel.clock.offsetMs();
    const rearm = new Map<string, Date>();
    for (const job of await store.instanceTimerJobs(instance.id)) {
      if (!job.executionId) continue;
      const expression = timerExpression(runnable, job.elementId);
      if (!changed.some((name) => readsSla(expression, name))) continue;
      let due: Date | null = null;
      try {
        const value = evaluateExpression(expression!, outcome.variables);
        due = value === null || value === undefined ? null : new Date(String(value));
      } catch {
        due = null;
      }
      if (due && Number.isNaN(due.getTime())) due = null;
      const dueIso = due?.toISOString() ?? null;
      if (dueIso === job.dueAt) continue;
      await store.setTimerDue(job.id, dueIso);
      rearm.set(job.executionId, due ? new Date(due.getTime() - offset) : PARKED);
      drafts.push(timerEvent('timer.rearmed', job, { jobId: job.id, previousDueAt: job.dueAt, dueAt: dueIso, sla: changed.find((n) => readsSla(expression, n)) }));
    }
    if (rearm.size) {
      rearmTimers(outcome.state.state, rearm);
      // The engine in memory still holds the old expiries: it is not kept for the next command.
      (outcome as { live?: unknown }).live = undefined;
    }
    return drafts;
  }
}

function clocksOf(variables: Record<string, unknown>): Clocks {
  return variables.sla && typeof variables.sla === 'object' ? (variables.sla as Clocks) : {};
}

/** History of the pauses elements made or ended (pauses made by hand are recorded by their command). */
function pauseEvents(name: string, before: SlaClockRecord | undefined, after: SlaClockRecord & { dueAt?: string | null }): HistoryDraft[] {
  const owners = pauseOwners(after);
  const drafts: HistoryDraft[] = [];
  after.pauses.forEach((p, i) => {
    const elementId = owners[i];
    if (!elementId) return;
    const old = before?.pauses[i];
    const payload = { name, reason: p.reason, dueAt: after.dueAt ?? null, pauses: after.pauses };
    if (!old) drafts.push({ type: 'sla.paused', elementId, elementType: null, executionId: null, actor: null, payload: { ...payload, from: p.from } });
    if (p.to && !old?.to) drafts.push({ type: 'sla.resumed', elementId, elementType: null, executionId: null, actor: null, payload: { ...payload, from: p.from, to: p.to } });
  });
  return drafts;
}
