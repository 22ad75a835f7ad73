import { ISOInterval, getDate } from '@0dep/piso';

/**
 * Limits every timer value must respect, whether written in the diagram or supplied at run time
 * (an expression such as `${reminder}` resolving to a variable). They exist because the ISO 8601
 * library bpmn-elements uses (@0dep/piso) loops until a cycle's next repetition lies after now:
 * a zero period (`R/PT0S`, `R/P0D`, `R/PT0.0001S`...) never gets there and blocks the event loop
 * for good, and a start date millions of periods back overflows its int32 repetition counter.
 * Dates must also fit PostgreSQL `timestamptz` and JavaScript `Date` (year 1 to 9999).
 */
export const TIMER_LIMITS = Object.freeze({
  /** Shortest period of a repeating cycle (`R/PT1S` is the fastest accepted). */
  minCyclePeriodMs: 1000,
  /** Most periods between a cycle's start (or end) date and now. */
  maxElapsedPeriods: 1_000_000_000,
  /** Longest timer text. */
  maxLength: 256,
  /** Earliest and latest accepted dates (inclusive): 0001-01-01 and 9999-12-31, UTC. */
  earliest: Date.parse('0001-01-01T00:00:00.000Z'),
  latest: Date.parse('9999-12-31T23:59:59.999Z'),
});

export type TimerField = 'timeDate' | 'timeDuration' | 'timeCycle';

const CRON = /^\s*(\S+\s+){4,5}\S+\s*$/;

/**
 * Checks one timer value before any library parses it. Cron cycles (5 or 6 fields) are left to
 * croner, which bounds its own search; everything else must be ISO 8601 that bpmn-elements can
 * schedule in bounded time, on a date between the years 1 and 9999.
 *
 * @returns a human-readable problem, or null when the value is safe to hand to the engine.
 */
export function timerValueProblem(field: TimerField, value: unknown, now: Date = new Date()): string | null {
  if (value instanceof Date || typeof value === 'number') {
    // Only a timeDate may be a date or epoch milliseconds (getDate accepts both).
    if (field !== 'timeDate') return `must be ISO 8601 text, not a ${value instanceof Date ? 'date' : 'number'}`;
    return dateProblem(new Date(value));
  }
  if (typeof value !== 'string') return `must be ISO 8601 text, not ${value === null ? 'null' : typeof value}`;
  if (value.length > TIMER_LIMITS.maxLength) return `is longer than ${TIMER_LIMITS.maxLength} characters`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000e-\u001f]/.test(value) || hasLoneSurrogate(value)) return 'contains a control character or an invalid Unicode character';
  const text = value.trim();
  if (field === 'timeCycle' && CRON.test(text) && !/^[RP]/.test(text)) return null;
  try {
    if (field === 'timeDate') return dateProblem(getDate(text));
    return intervalProblem(new ISOInterval(text).parse(), now);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function intervalProblem(interval: ISOInterval, now: Date): string | null {
  const start = interval.start?.toDate() ?? null;
  const end = interval.end?.toDate() ?? null;
  for (const [what, date] of [['start', start], ['end', end]] as const) {
    const problem = date ? dateProblem(date) : null;
    if (problem) return `its ${what} date ${problem}`;
  }
  const duration = interval.duration;
  const repeats = interval.repeat !== undefined && interval.repeat !== 1 && interval.repeat !== 0;
  if (duration) {
    const anchor = start ?? end ?? now;
    const periodMs = duration.toMilliseconds(anchor);
    if (!Number.isFinite(periodMs)) return 'its period does not resolve to a length of time';
    if (repeats && periodMs <= 0) return 'a repeating cycle needs a period longer than zero (it would fire endlessly at the same instant)';
    if (repeats && periodMs < TIMER_LIMITS.minCyclePeriodMs) return `a repeating cycle needs a period of at least ${TIMER_LIMITS.minCyclePeriodMs / 1000} second`;
    if (repeats && (start || end) && Math.abs(now.getTime() - anchor.getTime()) / periodMs > TIMER_LIMITS.maxElapsedPeriods) {
      return `more than ${TIMER_LIMITS.maxElapsedPeriods} periods lie between its ${start ? 'start' : 'end'} date and now`;
    }
  }
  const expireAt = interval.getExpireAt(now, now);
  if (!(expireAt instanceof Date)) return 'it does not resolve to a date';
  const problem = dateProblem(expireAt);
  return problem ? `it fires at a date that ${problem}` : null;
}

function dateProblem(date: Date): string | null {
  const time = date.getTime();
  if (Number.isNaN(time)) return 'is not a valid date';
  if (time < TIMER_LIMITS.earliest || time > TIMER_LIMITS.latest) return 'is outside the supported range (years 1 to 9999)';
  return null;
}

/** True when `text` holds a UTF-16 surrogate that is not part of a pair. */
export function hasLoneSurrogate(text: string): boolean {
  return /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);
}

/**
 * Throws when a timer value is unsafe (see {@link timerValueProblem}); the message names the
 * field and value. Used in front of every place that parses a timer.
 */
export function assertTimerValue(field: TimerField, value: unknown, now: Date = new Date()): void {
  const problem = timerValueProblem(field, value, now);
  if (problem) throw new TimerValueError(field, value, problem);
}

/** A timer value refused by {@link assertTimerValue}. */
export class TimerValueError extends Error {
  constructor(
    readonly field: TimerField,
    readonly value: unknown,
    readonly problem: string,
  ) {
    super(`${field} "${String(value).slice(0, 80)}" is not a usable timer: ${problem}`);
    this.name = 'TimerValueError';
  }
}
