import { randomUUID } from 'node:crypto';
import type { CommandKernel, InstanceResult } from '../commands/kernel';
import { timerEvent } from '../commands/kernel';
import { EngineError, EngineErrorCode } from '../errors';
import type { ClaimedTimerJob, CommandStore, DefinitionRecord, DefinitionState, IncidentRecord, InstanceRecord, TimerJobRecord, TimerPartition } from '../persistence/ports';
import { CommandBudget, currentBudget, runWithBudget } from '../runtime/budget';
import type { InstanceRunner } from '../runtime/instance-runner';
import { firstOccurrence, nextOccurrence } from './schedule';
import type { TimerStartEvent } from './start-timers';
import { specText } from './start-timers';
import { SERVICE_RETRY_SPEC } from '../runtime/service-retry';

/** How many times a failing timer is tried before it becomes an incident. */
export const MAX_TIMER_ATTEMPTS = 3;
/** Wait before retry n (1-based): 10 s, 40 s, 160 s, ... */
export const retryDelayMs = (attempt: number) => 10_000 * 4 ** (attempt - 1);

export interface FireSummary {
  claimed: number;
  fired: number;
  /** Jobs another worker fired first, or that were cancelled meanwhile. */
  skipped: number;
  failed: number;
}

type StartIn = (
  store: CommandStore,
  definition: DefinitionRecord,
  input: { businessKey: string | null; variables: Record<string, unknown>; actor: string | null },
  fireStart: string | null,
) => Promise<InstanceResult>;

const TIMER_ACTOR = 'system:timer';

/** The timer start schedule of a freshly deployed (or re-activated) definition version. */
export function startScheduleJobs(definition: DefinitionRecord, starts: TimerStartEvent[], now: Date, timeZone: string): TimerJobRecord[] {
  return starts.flatMap((start) => {
    const first = firstOccurrence(start.spec, now, timeZone);
    if (!first) return [];
    return [{
      id: randomUUID(),
      kind: 'start' as const,
      instanceId: null,
      definitionId: definition.id,
      definitionKey: definition.key,
      elementId: start.elementId,
      elementType: 'bpmn:StartEvent',
      executionId: null,
      spec: specText(start.spec),
      remaining: first.remaining,
      dueAt: first.dueAt.toISOString(),
      runAt: first.dueAt.toISOString(),
      status: 'pending' as const,
      attempts: 0,
      lastError: null,
      lockedBy: null,
      lockExpiresAt: null,
      createdAt: now.toISOString(),
    }];
  });
}

/**
 * The `timer.fire` command and what surrounds it: claiming due jobs, retries with backoff,
 * incidents, and the timer start schedules of definitions.
 */
export class TimerCommands {
  constructor(
    private readonly kernel: CommandKernel,
    private readonly runner: InstanceRunner,
    private readonly startIn: StartIn,
    private readonly timeZone: string,
  ) {}

  /**
   * Claims up to `batchSize` due jobs and fires them, at most `concurrency` transactions at once
   * (each on its own pooled connection). The jobs of one instance fire one after another in due
   * order (a 75 % warning before the breach that interrupts the task); different instances run
   * side by side, so one transaction's database round trips overlap another's engine runs. With
   * `groupSize` > 1, up to that many instances' timers fire in one transaction (see
   * {@link fireGroup}); a timer start schedule always fires on its own.
   *
   * With `maxBatches` > 1, a full batch is followed by the next claim (while `more()` answers
   * true): a lane that finds nothing left to fire claims the next batch while the other lanes
   * still fire the last units of the previous one, so the process never idles between batches
   * (it did for a claim's round trip and the slowest lane's last group). A job whose instance
   * still has a job firing waits for it, whichever batch claimed it.
   */
  async fireDue(
    worker: string,
    options: { batchSize?: number; lockMs?: number; concurrency?: number; partition?: TimerPartition; groupSize?: number; maxBatches?: number; more?: () => boolean },
  ): Promise<FireSummary> {
    const batchSize = options.batchSize ?? 50;
    const maxBatches = Math.max(1, Math.floor(options.maxBatches ?? 1));
    const groupSize = Math.max(1, Math.floor(options.groupSize ?? 1));
    const summary: FireSummary = { claimed: 0, fired: 0, skipped: 0, failed: 0 };
    /** Units to fire, in claim order; each waits for the units before it that fire one of its instances. */
    const queue: { jobs: ClaimedTimerJob[]; after: Promise<void>[]; done: () => void }[] = [];
    /** By instance (a start schedule's job: by job), the unit that fires its latest queued job. */
    const last = new Map<string, Promise<void>>();
    let batches = 0;
    let full = true;
    let claiming: Promise<void> | null = null;
    const claim = async () => {
      const claimed = await this.kernel.transactions.timers.claimDue(worker, batchSize, options.lockMs ?? 60_000, this.kernel.clock.offsetMs(), options.partition);
      batches++;
      full = claimed.length >= batchSize;
      summary.claimed += claimed.length;
      // Claimed in due order: each instance's jobs keep it; a start schedule's job is a lane of its own.
      const lanes = new Map<string, ClaimedTimerJob[]>();
      for (const job of claimed) {
        const lane = job.instanceId ?? `job:${job.id}`;
        const jobs = lanes.get(lane);
        if (jobs) jobs.push(job);
        else lanes.set(lane, [job]);
      }
      // Round n holds the n-th job of every instance (due order within an instance), in groups.
      for (let round = 0; ; round++) {
        const jobs = [...lanes.values()].filter((lane) => lane.length > round).map((lane) => lane[round]!);
        if (!jobs.length) break;
        const units: ClaimedTimerJob[][] = jobs.filter((job) => !job.instanceId).map((job) => [job]);
        const grouped = jobs.filter((job) => job.instanceId);
        for (let at = 0; at < grouped.length; at += groupSize) units.push(grouped.slice(at, at + groupSize));
        for (const unit of units) {
          let done!: () => void;
          const finished = new Promise<void>((resolve) => (done = resolve));
          const keys = unit.map((job) => job.instanceId ?? `job:${job.id}`);
          const after = keys.flatMap((key) => last.get(key) ?? []);
          for (const key of keys) last.set(key, finished);
          void finished.then(() => {
            for (const key of keys) if (last.get(key) === finished) last.delete(key);
          });
          queue.push({ jobs: unit, after, done });
        }
      }
    };
    await claim();
    // Lanes take units in claim order, so every unit a taken unit waits for is already taken: no lane waits on a queued unit.
    const lane = async () => {
      for (;;) {
        const unit = queue.shift();
        if (unit) {
          try {
            if (unit.after.length) await Promise.all(unit.after);
            if (unit.jobs.length === 1) await this.fireOne(unit.jobs[0]!, worker, summary);
            else await this.fireGroup(unit.jobs, worker, summary);
          } finally {
            unit.done();
          }
        } else if (claiming) {
          await claiming;
        } else if (full && batches < maxBatches && (options.more?.() ?? true)) {
          claiming = claim().finally(() => (claiming = null));
          await claiming;
        } else {
          return;
        }
      }
    };
    // Every lane ends before the answer (a failed one must not leave others firing after it).
    const ended = await Promise.allSettled(Array.from({ length: Math.max(1, options.concurrency ?? 1) }, lane));
    const failed = ended.find((e): e is PromiseRejectedResult => e.status === 'rejected');
    if (failed) throw failed.reason;
    return summary;
  }

  /** One job in its own transaction; a failure is recorded (retry with backoff, then an incident). */
  private async fireOne(job: ClaimedTimerJob, worker: string, summary: FireSummary): Promise<void> {
    try {
      if (await this.fire(job, worker)) summary.fired++;
      else summary.skipped++;
    } catch (error) {
      summary.failed++;
      await this.recordFailure(job.id, worker, error);
    }
  }

  /**
   * The timers of several instances fired in ONE transaction: one statement locks the instances
   * (in id order, so two groups never deadlock) and takes their jobs, each fire runs its instance's
   * engine under an execution budget of its own and joins the command's held-back writes, and one
   * statement writes them all before the commit. When a fire fails, nothing of the group commits:
   * the failed job's attempt is recorded as a single fire's would be, and the others fire again,
   * each in its own transaction (a conflict: all of them).
   */
  private async fireGroup(jobs: ClaimedTimerJob[], worker: string, summary: FireSummary): Promise<void> {
    const failure: { job?: ClaimedTimerJob; error?: unknown } = {};
    try {
      const fired = await this.kernel.execute(async (store) => {
        delete failure.job;
        const taken = await store.lockInstancesTakingTimerJobs(jobs.map((j) => ({ instanceId: j.instanceId!, jobId: j.id })), worker);
        const results: boolean[] = [];
        for (const claimed of jobs) {
          const { instance, job } = taken.get(claimed.id) ?? { instance: null, job: null };
          try {
            results.push(await withOwnBudget(() => this.fireTaken(store, instance, job)));
          } catch (error) {
            Object.assign(failure, { job: claimed, error });
            throw error;
          }
        }
        return results;
      });
      for (const f of fired) {
        if (f) summary.fired++;
        else summary.skipped++;
      }
    } catch (error) {
      const failed = failure.job && !(failure.error instanceof EngineError && failure.error.code === EngineErrorCode.RevisionConflict) ? failure.job : null;
      if (failed) {
        summary.failed++;
        await this.recordFailure(failed.id, worker, failure.error ?? error);
      }
      for (const job of jobs) if (job !== failed) await this.fireOne(job, worker, summary);
    }
  }

  /**
   * One `timer.fire` command: true when this worker fired the job. The instance row is locked
   * before the job row, the order of every other command that touches an instance's timers (they
   * lock the instance, then sync its timer rows), so a fire never deadlocks with them. The job's
   * row goes in the same statement that locks the instance; a failed fire rolls that back too.
   */
  private fire(claimed: ClaimedTimerJob, worker: string): Promise<boolean> {
    return this.kernel.execute(async (store) => {
      if (!claimed.instanceId) {
        const job = await store.lockTimerJob(claimed.id);
        if (!job || job.lockedBy !== worker || job.status !== 'pending') return false;
        return this.fireStart(store, job);
      }
      // One statement: the instance locked, then the job taken while this worker's claim holds.
      const taken = await store.lockInstancesTakingTimerJobs([{ instanceId: claimed.instanceId, jobId: claimed.id }], worker);
      const { instance, job } = taken.get(claimed.id) ?? { instance: null, job: null };
      return this.fireTaken(store, instance, job);
    });
  }

  /** Fires a taken job on its locked instance; false when it was not ours to fire. */
  private async fireTaken(store: CommandStore, instance: InstanceRecord | null, job: TimerJobRecord | null): Promise<boolean> {
    // Gone (fired by another worker whose claim we outlived, or cancelled) or re-claimed: not ours.
    if (!job) return false;
    if (!instance || instance.status !== 'running') return false; // a stale row: gone with the take
    const runnable = await this.kernel.runnable(store, instance.definitionId);
    const outcome = await this.runner.resume(runnable, { instanceId: instance.id, businessKey: instance.businessKey }, instance.snapshot!, (engine) => {
      engine.fireTimer(job.executionId!); // false if the engine already fired it while resuming: also fine
      return true;
    }, { revision: instance.revision, ...(job.spec === SERVICE_RETRY_SPEC ? { retryService: job.executionId! } : {}) });
    // The timer rows follow the engine's armed timers (a cycle re-arms under a new execution id).
    await this.kernel.persist(store, instance, outcome, { actor: TIMER_ACTOR, before: [], firedJob: job });
    return true;
  }

  /** A timer start event's schedule is due: start an instance, then move to the next occurrence. */
  private async fireStart(store: CommandStore, job: TimerJobRecord): Promise<boolean> {
    const definition = await store.getDefinition(job.definitionId);
    const latest = definition && (await store.latestDefinition(definition.key));
    if (!definition || latest?.id !== definition.id || definition.state !== 'active') {
      await store.deleteTimerJob(job.id); // a newer version or a suspension replaced this schedule
      return false;
    }
    await this.startIn(store, definition, { businessKey: null, variables: {}, actor: TIMER_ACTOR }, job.elementId);
    const start = this.kernel.timerStarts(await this.kernel.runnable(store, definition.id)).find((s) => s.elementId === job.elementId);
    const next = start && nextOccurrence(start.spec, { dueAt: new Date(job.dueAt ?? this.kernel.clock.now()), remaining: job.remaining ?? 1 }, this.kernel.clock.now(), this.timeZone);
    if (next) await store.rescheduleTimerJob(job.id, next.dueAt.toISOString(), next.remaining);
    else await store.deleteTimerJob(job.id);
    return true;
  }

  /** A failed fire: retry later with backoff; after the last attempt, an incident. */
  private async recordFailure(jobId: string, worker: string, error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    await this.kernel.execute(async (store) => {
      const job = await store.lockTimerJob(jobId);
      if (!job || job.lockedBy !== worker) return;
      const attempts = job.attempts + 1;
      const exhausted = attempts >= MAX_TIMER_ATTEMPTS;
      const now = this.kernel.clock.now();
      await store.recordTimerFailure(job.id, worker, {
        attempts,
        runAt: exhausted ? (job.runAt ?? now.toISOString()) : new Date(now.getTime() + retryDelayMs(attempts)).toISOString(),
        status: exhausted ? 'failed' : 'pending',
        lastError: message,
      });
      if (!exhausted) return;
      const incident: IncidentRecord = {
        id: randomUUID(),
        type: job.spec === SERVICE_RETRY_SPEC ? 'service-failed' : 'timer-failed',
        status: 'open',
        instanceId: job.instanceId,
        definitionId: job.definitionId,
        jobId: job.id,
        elementId: job.elementId,
        message,
        attempts,
        createdAt: now.toISOString(),
        resolvedAt: null,
        resolvedBy: null,
      };
      await store.insertIncident(incident);
      const instance = job.instanceId ? await store.lockInstance(job.instanceId) : null;
      if (instance) {
        await this.kernel.appendOnly(store, instance, [timerEvent('incident.created', job, { incidentId: incident.id, jobId: job.id, attempts, message }, TIMER_ACTOR)]);
      }
    });
  }

  /** Puts an incident's failed job back in line (due now). */
  async retryIncident(incidentId: string, actor: string | null): Promise<IncidentRecord> {
    return this.kernel.execute(async (store) => {
      const incident = await store.lockIncident(incidentId);
      if (!incident) throw new EngineError(EngineErrorCode.IncidentNotFound, `no incident with id "${incidentId}"`);
      if (incident.status !== 'open') throw new EngineError(EngineErrorCode.IncidentResolved, `incident ${incidentId} is already resolved`);
      const job = incident.jobId ? await store.lockTimerJob(incident.jobId) : null;
      const now = this.kernel.now();
      if (job) await store.retryTimerJob(job.id, now);
      await store.resolveIncident(incident.id, now, actor);
      const instance = incident.instanceId ? await store.lockInstance(incident.instanceId) : null;
      if (instance && job) {
        await this.kernel.appendOnly(store, instance, [timerEvent('incident.resolved', job, { incidentId, jobId: job.id, retry: true }, actor)]);
      }
      return { ...incident, status: 'resolved', resolvedAt: now, resolvedBy: actor };
    });
  }

  /** Suspends or activates a definition version; the latest version's start schedule follows. */
  async setDefinitionState(definitionId: string, state: DefinitionState, _actor: string | null): Promise<DefinitionRecord> {
    return this.kernel.execute(async (store) => {
      const found = await store.getDefinition(definitionId);
      if (!found) throw new EngineError(EngineErrorCode.DefinitionNotFound, `no process definition with id "${definitionId}"`);
      await store.lockDefinitionKey(found.key);
      if (found.state === state) return found;
      await store.setDefinitionState(found.id, state);
      const latest = await store.latestDefinition(found.key);
      if (latest?.id === found.id) {
        const runnable = await this.kernel.runnable(store, found.id);
        const jobs = state === 'active' ? startScheduleJobs(found, this.kernel.timerStarts(runnable), this.kernel.clock.now(), this.timeZone) : [];
        await store.replaceStartTimers(found.key, jobs);
      }
      return { ...found, state };
    });
  }
}

/**
 * `work` under an execution budget of its own (runtime/budget.ts), as if it were a command of its
 * own inside the command running now (one fire of a group); a violation it swallowed still fails it.
 */
async function withOwnBudget<T>(work: () => Promise<T>): Promise<T> {
  const outer = currentBudget();
  const budget = new CommandBudget(undefined, outer?.suspensions ?? 0, outer?.answers ?? null);
  const result = await runWithBudget(budget, work);
  if (budget.violation) throw budget.violation;
  return result;
}
