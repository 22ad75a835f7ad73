import { Timers } from 'bpmn-elements';
import { systemClock, type Clock } from '../clock';

/** A timer the engine is waiting on, as the host must persist it. */
export interface PendingTimer {
  /** Execution id of the timer event definition (unique per armed timer; a new one per cycle repetition). */
  executionId: string;
  /** BPMN element id (boundary event, intermediate catch event, start event). */
  elementId: string;
  /** When the timer is due, on the host's clock. */
  dueAt: Date;
  /** The timer definition as written (`PT4H`, `R3/PT1H`, a date, or the resolved expression). */
  spec: string | null;
  /** Repetitions left for a cycle, including this one (-1 = unbounded), null for single timers. */
  repeat: number | null;
}

interface TimerOwner {
  id: string;
  executionId: string;
  timeDate?: string;
  timeDuration?: string;
  timeCycle?: string;
  /** A cron cycle, as written (see the cron extension). */
  cron?: string;
  repeat?: number;
  expireAt?: Date | string;
}

interface TimerRef {
  owner?: TimerOwner;
  callback: (...args: unknown[]) => void;
  args: unknown[];
  delay: number;
  expireAt: Date;
}

/**
 * bpmn-elements `Timers` that never schedule an in-process `setTimeout`.
 *
 * Time is owned by the database: the engine records what it waits for, the host persists those
 * rows, and a `timer.fire` command later fires exactly the due timer with {@link fire}. Nothing
 * is left running in the Node process, so dropping an engine never leaves a zombie timer.
 *
 * Due times are on the injected clock (`now + delay`), except absolute `timeDate` timers,
 * which keep their date. When an engine resumes, bpmn-elements re-arms its waiting timers; the
 * host keeps the due time it stored the first time (insert-if-absent), so re-arming never moves
 * a timer.
 */
export class DurableTimers extends Timers {
  constructor(private readonly clock: Clock = systemClock) {
    super({ setTimeout: (() => null) as never, clearTimeout: (() => undefined) as never });
  }

  /**
   * Execution ids of timers that were already due when armed and wait at an event-based gateway
   * (see timers/checked-timer-definition.ts): the runner fires them once the gateway's other
   * events are waiting too ({@link takeArrived}).
   */
  private readonly arrived = new Set<string>();

  /** Notes a timer that was due when it was armed (the run fires it once it has settled). */
  markArrived(executionId: string): void {
    this.arrived.add(executionId);
  }

  /** The arrived timers still armed, in the order they were armed; the note is cleared. */
  takeArrived(): string[] {
    const armed = new Set(this.refs().map((ref) => ref.owner?.executionId));
    const ids = [...this.arrived].filter((id) => armed.has(id));
    this.arrived.clear();
    return ids;
  }

  /** Timers that are armed right now, in the shape the host persists. */
  pending(): PendingTimer[] {
    return this.refs()
      .filter((ref) => ref.owner?.executionId && ref.owner.id)
      .map((ref) => {
        const o = ref.owner!;
        return {
          executionId: o.executionId,
          elementId: o.id,
          dueAt: this.dueAt(ref),
          spec: o.cron ?? o.timeCycle ?? o.timeDuration ?? o.timeDate ?? null,
          repeat: typeof o.repeat === 'number' ? o.repeat : null,
        };
      });
  }

  /**
   * Fires the armed timer of `executionId` now, as if its time had come. Returns false when no
   * such timer is armed (it already fired while the engine resumed, or it was cancelled).
   */
  fire(executionId: string): boolean {
    const ref = this.refs().find((r) => r.owner?.executionId === executionId);
    if (!ref) return false;
    this.clearTimeout(ref);
    ref.callback(...ref.args);
    return true;
  }

  /**
   * Execution ids of armed timers whose engine expiry (real clock) has passed, soonest first:
   * what bpmn-elements would fire by itself when resuming an engine.
   */
  overdue(realNow: number): string[] {
    return this.refs()
      .filter((ref) => ref.owner?.executionId && new Date(ref.expireAt).getTime() <= realNow)
      .sort((a, b) => new Date(a.expireAt).getTime() - new Date(b.expireAt).getTime())
      .map((ref) => ref.owner!.executionId);
  }

  /**
   * bpmn-elements stamps `expireAt` from the real clock when a timer is armed; shifted onto the
   * injected clock that is "now + delay". Absolute `timeDate` timers keep their date.
   */
  private dueAt(ref: TimerRef): Date {
    const o = ref.owner;
    if (o?.timeDate && o.expireAt) return new Date(o.expireAt);
    return new Date(new Date(ref.expireAt).getTime() + this.clock.offsetMs());
  }

  private refs(): TimerRef[] {
    return (this as unknown as { executing: TimerRef[] }).executing;
  }
}
