/**
 * SLA clock (ITSM reference §1.4): a target in business time, measured in a business calendar
 * from `startedAt`, minus the business time spent in pauses (awaiting caller, vendor, approval).
 * Immutable and pure: `pause`/`resume` return a new clock and every "now" is passed in.
 *
 * Pausing for 3 business hours moves the due date by exactly 3 business hours; a pause over a
 * weekend moves it only by the business time the pause covered.
 */
import { EngineError, EngineErrorCode } from '../errors';
import { addBusinessDuration, addBusinessTime, businessTimeBetween, type BusinessCalendar } from './business-calendar';

/** One pause of an SLA clock; `to` is null while the clock is paused. */
export interface SlaPause {
  from: Date;
  to: Date | null;
  /** Why, e.g. `awaiting_caller`, `awaiting_vendor`, `awaiting_approval`. */
  reason: string;
}

/** An SLA clock. Pauses are in time order, never overlap, and only the last may be open. */
export interface SlaClock {
  calendar: BusinessCalendar;
  startedAt: Date;
  /** The target in business ms (e.g. 4 business hours = 14 400 000). */
  targetMs: number;
  pauses: readonly SlaPause[];
}

/** JSON-safe form of an {@link SlaClock} (for process variables or a table): calendar by name, ISO instants. */
export interface SlaClockRecord {
  calendar: string;
  startedAt: string;
  targetMs: number;
  pauses: { from: string; to: string | null; reason: string }[];
}

const bad = (message: string) => new EngineError(EngineErrorCode.InvalidRequest, message);

/**
 * Starts a clock. `target` is business ms, or an ISO 8601 duration read in the calendar from
 * `startedAt` (`PT4H`; `P3D` = three business days, see `addBusinessDays`), converted to the
 * business ms it covers from that start.
 */
export function startSlaClock(calendar: BusinessCalendar, startedAt: Date, target: number | string): SlaClock {
  const targetMs = typeof target === 'string' ? businessTimeBetween(calendar, startedAt, addBusinessDuration(calendar, startedAt, target)) : target;
  if (!Number.isFinite(targetMs) || targetMs <= 0) throw bad('the SLA target must be a positive business duration');
  if (!Number.isFinite(startedAt?.getTime?.())) throw bad('startedAt must be a valid date');
  return { calendar, startedAt, targetMs: Math.round(targetMs), pauses: [] };
}

/** True while the last pause is open. */
export function isPaused(clock: SlaClock): boolean {
  return clock.pauses.length > 0 && clock.pauses[clock.pauses.length - 1].to === null;
}

/** A new clock paused at `at`. Refused while already paused, or before the start or the last resume. */
export function pause(clock: SlaClock, at: Date, reason: string): SlaClock {
  if (isPaused(clock)) throw bad(`the SLA clock is already paused (${clock.pauses[clock.pauses.length - 1].reason})`);
  const last = clock.pauses[clock.pauses.length - 1];
  if (!(at.getTime() >= clock.startedAt.getTime())) throw bad('an SLA clock cannot be paused before it started');
  if (last?.to && at.getTime() < last.to.getTime()) throw bad('an SLA clock cannot be paused before its last resume');
  if (!reason?.trim()) throw bad('a pause needs a reason');
  return { ...clock, pauses: [...clock.pauses, { from: at, to: null, reason }] };
}

/** A new clock resumed at `at`. Refused when not paused or before the pause began. */
export function resume(clock: SlaClock, at: Date): SlaClock {
  if (!isPaused(clock)) throw bad('the SLA clock is not paused');
  const open = clock.pauses[clock.pauses.length - 1];
  if (!(at.getTime() >= open.from.getTime())) throw bad('an SLA clock cannot resume before its pause began');
  return { ...clock, pauses: [...clock.pauses.slice(0, -1), { ...open, to: at }] };
}

/** Business ms counted by the clock at `at`: working time since the start minus working time paused. */
export function elapsedBusinessMs(clock: SlaClock, at: Date): number {
  const { calendar, startedAt } = clock;
  if (at.getTime() <= startedAt.getTime()) return 0;
  let total = businessTimeBetween(calendar, startedAt, at);
  for (const p of clock.pauses) {
    const from = Math.max(p.from.getTime(), startedAt.getTime());
    const to = Math.min(p.to?.getTime() ?? at.getTime(), at.getTime());
    if (to > from) total -= businessTimeBetween(calendar, new Date(from), new Date(to));
  }
  return Math.max(0, total);
}

/** Elapsed share of the target in percent at `at` (100 = due now; above 100 = breached). */
export function percentElapsed(clock: SlaClock, at: Date): number {
  return (100 * elapsedBusinessMs(clock, at)) / clock.targetMs;
}

/**
 * The instant at which the clock will have counted `businessMs`, given its pauses; null when an
 * open pause comes first (the instant is unknown until the clock resumes).
 */
export function instantAtElapsed(clock: SlaClock, businessMs: number): Date | null {
  const { calendar } = clock;
  let cursor = clock.startedAt;
  let remaining = businessMs;
  for (const p of clock.pauses) {
    const candidate = addBusinessTime(calendar, cursor, remaining);
    if (candidate.getTime() <= p.from.getTime()) return candidate;
    if (p.from.getTime() > cursor.getTime()) remaining -= businessTimeBetween(calendar, cursor, p.from);
    if (!p.to) return null;
    if (p.to.getTime() > cursor.getTime()) cursor = p.to;
  }
  return addBusinessTime(calendar, cursor, remaining);
}

/** When the target is reached (the SLA breaches); null while paused. */
export function dueAt(clock: SlaClock): Date | null {
  return instantAtElapsed(clock, clock.targetMs);
}

/**
 * The instants at which given shares of the target are reached, e.g. `[0.5, 0.75, 1]` for the
 * 50 %/75 %/100 % escalations of ITSM reference §2.4. An entry is null when an open pause comes
 * before it (thresholds already passed keep their instant).
 */
export function escalationTimes(clock: SlaClock, fractions: readonly number[]): (Date | null)[] {
  return fractions.map((f) => {
    if (!Number.isFinite(f) || f < 0) throw bad(`escalation fraction ${f} must be a number >= 0`);
    return instantAtElapsed(clock, Math.round(f * clock.targetMs));
  });
}

/** JSON-safe form of a clock. */
export function toSlaClockRecord(clock: SlaClock): SlaClockRecord {
  return {
    calendar: clock.calendar.name,
    startedAt: clock.startedAt.toISOString(),
    targetMs: clock.targetMs,
    pauses: clock.pauses.map((p) => ({ from: p.from.toISOString(), to: p.to?.toISOString() ?? null, reason: p.reason })),
  };
}

/** A clock back from its record, with the calendar the record names (looked up by the caller). */
export function fromSlaClockRecord(record: SlaClockRecord, calendar: BusinessCalendar): SlaClock {
  const date = (s: string, what: string) => {
    const d = new Date(s);
    if (typeof s !== 'string' || !Number.isFinite(d.getTime())) throw bad(`SLA clock record: ${what} is not an ISO date`);
    return d;
  };
  if (record?.calendar !== calendar.name) throw bad(`SLA clock record names calendar "${String(record?.calendar)}", not "${calendar.name}"`);
  let clock = startSlaClock(calendar, date(record.startedAt, 'startedAt'), record.targetMs);
  for (const [i, p] of (Array.isArray(record.pauses) ? record.pauses : []).entries()) {
    clock = pause(clock, date(p.from, `pauses.${i}.from`), p.reason);
    if (p.to !== null) clock = resume(clock, date(p.to, `pauses.${i}.to`));
  }
  return clock;
}
