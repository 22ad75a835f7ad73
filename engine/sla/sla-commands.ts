import { fromSlaClockRecord, isPaused, pause, resume, type SlaClockRecord } from '../calendar';
import type { CommandKernel, HistoryDraft, InstanceResult } from '../commands/kernel';
import { timerEvent } from '../commands/kernel';
import { EngineError, EngineErrorCode } from '../errors';
import { evaluateExpression } from '../expressions';
import type { RunnableDefinition, InstanceRunner } from '../runtime/instance-runner';
import { slaVariable, type CalendarLookup } from './sla';
import { pauseOwners, withPauseOwners } from './sla-pause';

/** Far enough to never fire; the job row is parked at 'infinity'. */
export const PARKED = new Date('9999-12-31T00:00:00.000Z');

/**
 * Pausing and resuming an instance's SLA clock `sla.<name>` (awaiting customer, awaiting
 * supplier). Resuming moves the target by the paused business time; every timer whose date
 * expression reads `sla.<name>` is re-armed (its job row and the engine's own expiry), and the
 * paused intervals stay in the clock for reporting.
 */
export class SlaCommands {
  constructor(
    private readonly kernel: CommandKernel,
    private readonly runner: InstanceRunner,
    private readonly calendars: CalendarLookup,
  ) {}

  pause(instanceId: string, name: string, reason: string, actor: string | null): Promise<InstanceResult> {
    return this.change(instanceId, name, actor, 'sla.paused', (clock, now) => {
      if (isPaused(clock)) throw new EngineError(EngineErrorCode.SlaStateConflict, `SLA clock "${name}" is already paused`);
      return pause(clock, now, reason);
    }, { reason });
  }

  resume(instanceId: string, name: string, actor: string | null): Promise<InstanceResult> {
    return this.change(instanceId, name, actor, 'sla.resumed', (clock, now) => {
      if (!isPaused(clock)) throw new EngineError(EngineErrorCode.SlaStateConflict, `SLA clock "${name}" is not paused`);
      return resume(clock, now);
    }, {});
  }

  private change(
    instanceId: string,
    name: string,
    actor: string | null,
    type: 'sla.paused' | 'sla.resumed',
    step: (clock: ReturnType<typeof fromSlaClockRecord>, now: Date) => ReturnType<typeof fromSlaClockRecord>,
    payload: Record<string, unknown>,
  ): Promise<InstanceResult> {
    return this.kernel.execute(async (store) => {
      const instance = await this.kernel.lockRunning(store, instanceId);
      const slas = (instance.variables.sla ?? {}) as Record<string, SlaClockRecord>;
      const record = slas[name];
      if (!record) throw new EngineError(EngineErrorCode.SlaNotFound, `process instance ${instanceId} has no SLA clock named "${name}"`);
      const now = this.kernel.clock.now();
      // Pauses made by an `itsm:pauseSla` element keep their owner (sla-pause.ts).
      const next = withPauseOwners(slaVariable(name, step(fromSlaClockRecord(record, this.calendars(record.calendar)), now)), pauseOwners(record));
      const sla = { ...slas, [name]: next };

      // Re-arm every timer whose date reads this clock: parked while paused, re-evaluated on resume.
      const runnable = await this.kernel.runnable(store, instance.definitionId);
      const jobs = (await store.instanceTimerJobs(instance.id)).filter((j) => readsSla(timerExpression(runnable, j.elementId), name));
      const variables = { ...instance.variables, sla };
      const dues = jobs.map((job) => {
        const value = next.status === 'paused' ? null : evaluateExpression(timerExpression(runnable, job.elementId)!, variables);
        const due = value === null ? null : new Date(String(value));
        return { job, due: due && !Number.isNaN(due.getTime()) ? due : null };
      });
      const offset = this.kernel.clock.offsetMs();
      const rearm = new Map(dues.map(({ job, due }) => [job.executionId!, due ? new Date(due.getTime() - offset) : PARKED]));
      const outcome = await this.runner.resume(runnable, { instanceId: instance.id, businessKey: instance.businessKey }, instance.snapshot!, (engine) => {
        engine.setVariables({ sla });
        return true;
      }, { rearm });
      for (const { job, due } of dues) await store.setTimerDue(job.id, due?.toISOString() ?? null);

      const before: HistoryDraft[] = [
        { type, elementId: null, elementType: null, executionId: null, actor, payload: { name, ...payload, dueAt: next.dueAt, pauses: next.pauses } },
        ...dues.map(({ job, due }) => timerEvent('timer.rearmed', job, { jobId: job.id, previousDueAt: job.dueAt, dueAt: due?.toISOString() ?? null, sla: name }, actor)),
      ];
      return this.kernel.persist(store, instance, outcome, { actor, before });
    });
  }
}

/** The raw (unresolved) timer value of a timer event, from the parsed definition. */
export function timerExpression(runnable: RunnableDefinition, elementId: string): string | null {
  const activity = (runnable.sourceContext as { getActivityById(id: string): { behaviour?: { eventDefinitions?: { type: string; behaviour?: Record<string, unknown> }[] } } | undefined }).getActivityById(elementId);
  const timer = activity?.behaviour?.eventDefinitions?.find((d) => d.type === 'bpmn:TimerEventDefinition')?.behaviour;
  const value = timer?.timeDate; // only date timers are re-armed (a duration counts from when it was armed)
  return typeof value === 'string' ? value : null;
}

/** Does a date expression read `sla.<name>` (dotted or bracketed)? Only date timers are re-armed. */
export function readsSla(expression: string | null, name: string): boolean {
  if (!expression || !(expression.includes('${') || expression.trim().startsWith('='))) return false;
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`sla\\s*(\\.\\s*${escaped}\\b|\\[\\s*["']${escaped}["']\\s*\\])`).test(expression);
}
