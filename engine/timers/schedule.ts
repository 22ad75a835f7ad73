import { ISODuration, ISOInterval, getDate } from '@0dep/piso';
import { Cron } from 'croner';
import { assertTimerValue, TIMER_LIMITS } from './timer-values';

/** A timer definition as written on a BPMN timer event (after expression resolution). */
export interface TimerSpec {
  timeDate?: string;
  timeDuration?: string;
  timeCycle?: string;
}

/** The next time a schedule fires and how many firings are left after it (-1 = unbounded). */
export interface Occurrence {
  dueAt: Date;
  /** Firings left INCLUDING this one; -1 unbounded; 1 for single timers. */
  remaining: number;
}

const CRON = /^\s*(\S+\s+){4,5}\S+\s*$/;

/** True for a 5- or 6-field cron expression (as opposed to ISO 8601). */
export function isCron(value: string): boolean {
  return CRON.test(value) && !/^\s*[RP]/.test(value);
}

/**
 * Checks a timer value; returns a human-readable problem or null. Cron expressions are checked
 * with croner, ISO 8601 values with piso.
 */
export function checkTimer(spec: TimerSpec, timeZone = 'UTC'): string | null {
  try {
    const first = firstOccurrence(spec, new Date(), timeZone);
    return first ? null : 'the timer never fires';
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * When a schedule first fires after `now`: a date fires at that date (immediately if past), a
 * duration after `now`, an ISO cycle (`R3/PT10M`, `R/P1M`, `R/2026-01-01T08:00Z/P1D`) at its next
 * repetition, a cron cycle (`0 9 * * 1-5`, evaluated in `timeZone`) at its next match.
 */
export function firstOccurrence(spec: TimerSpec, now: Date, timeZone = 'UTC'): Occurrence | null {
  assertSpec(spec, now);
  if (spec.timeCycle) {
    const value = spec.timeCycle.trim();
    if (isCron(value)) {
      const next = new Cron(value, { paused: true, timezone: timeZone }).nextRun(now);
      return next ? { dueAt: next, remaining: -1 } : null;
    }
    const interval = new ISOInterval(value).parse();
    const repeat = interval.repeat ?? 1;
    if (repeat === 0) return null;
    return { dueAt: interval.getExpireAt(now, now), remaining: repeat };
  }
  if (spec.timeDate) return { dueAt: getDate(spec.timeDate.trim()), remaining: 1 };
  if (spec.timeDuration) return { dueAt: new ISODuration(spec.timeDuration.trim()).parse().getExpireAt(now), remaining: 1 };
  return null;
}

/**
 * The occurrence after one that fired at `previousDue`, or null when the schedule is exhausted.
 * Occurrences missed while no server ran are not replayed one by one: the schedule continues
 * from the first occurrence after `now`.
 */
export function nextOccurrence(spec: TimerSpec, previous: Occurrence, now: Date, timeZone = 'UTC'): Occurrence | null {
  const remaining = previous.remaining === -1 ? -1 : previous.remaining - 1;
  if (remaining === 0 || !spec.timeCycle) return null;
  assertSpec(spec, now);
  const value = spec.timeCycle.trim();
  if (isCron(value)) {
    const after = new Date(Math.max(now.getTime(), previous.dueAt.getTime()));
    const next = new Cron(value, { paused: true, timezone: timeZone }).nextRun(after);
    return next ? { dueAt: next, remaining } : null;
  }
  const interval = new ISOInterval(value).parse();
  const duration = interval.duration;
  if (!duration) return null;
  let due = duration.getExpireAt(previous.dueAt);
  // Skip occurrences missed during downtime, keeping the cycle's phase.
  for (let guard = 0; due.getTime() <= now.getTime() && guard < 100_000; guard++) due = duration.getExpireAt(due);
  if (interval.end && due.getTime() > interval.end.toDate().getTime()) return null;
  if (due.getTime() > TIMER_LIMITS.latest) return null; // past the year 9999: the cycle is over
  return { dueAt: due, remaining };
}

/** Every field of a spec must pass the timer limits (timer-values.ts) before piso or croner sees it. */
function assertSpec(spec: TimerSpec, now: Date): void {
  for (const field of ['timeCycle', 'timeDate', 'timeDuration'] as const) {
    if (spec[field]) assertTimerValue(field, spec[field], now);
  }
}
