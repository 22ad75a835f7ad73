/**
 * Business calendars: which instants count as working time for SLA targets, and arithmetic on
 * working time ("4 business hours from now", "2 business days from now", "working time between
 * two instants"). Pure: no clock is read here, every instant is passed in.
 *
 * Semantics, in short:
 * - Working windows are half-open local wall-clock intervals `[start, end)` of a weekday in the
 *   calendar's IANA time zone, resolved per date (DST-correct; see {@link localToInstant}).
 *   A holiday is a whole local date off.
 * - `addBusinessTime` returns the earliest instant at which the duration has been worked, so
 *   time that runs out exactly at a window's end ends there (Friday 18:00, not Monday 08:00); a
 *   start outside working time begins at the next window start.
 * - A business day is one working day of the calendar, whatever its length: see
 *   {@link addBusinessDays}. In a `24x7` calendar everything is plain arithmetic and a day is 24 h.
 */
import { z } from 'zod';
import { EngineError, EngineErrorCode } from '../errors';
import { DAY_MS, isValidTimeZone, isoWeekdayIndex, localDay, localToInstant, parseLocalDate } from './time-zone';

/** Weekday keys of {@link BusinessCalendar.week}, Monday first. */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** One working window of a day in local wall-clock time: `start` `HH:MM`, `end` `HH:MM` or `24:00`, end exclusive. */
export interface WorkingWindow {
  start: string;
  end: string;
}

/**
 * A business calendar definition (JSON, as stored and as the API shows it). Normalised by
 * {@link parseBusinessCalendar}: every weekday present (sorted windows, `[]` = day off), holidays
 * sorted and unique; a `24x7` calendar shows 00:00–24:00 every day and no holidays.
 */
export interface BusinessCalendar {
  /** Unique name, also the URL segment: letters, digits, `.`, `_`, `-`; at most 64 characters. */
  name: string;
  description?: string;
  /** IANA zone in which windows and holidays are read, e.g. `Europe/Berlin`. */
  timeZone: string;
  /** `24x7`: every instant is working time. `working-hours`: only the week's windows, minus holidays. */
  kind: '24x7' | 'working-hours';
  week: Record<Weekday, WorkingWindow[]>;
  /** Local dates (`YYYY-MM-DD`) that are whole days off. */
  holidays: string[];
}

/** A parsed ISO 8601 duration: whole business `days` first, then business time `ms`. */
export interface BusinessDuration {
  days: number;
  ms: number;
}

/** Most windows a day may have. */
export const MAX_WINDOWS_PER_DAY = 12;
/** Most holidays one calendar may list. */
export const MAX_HOLIDAYS = 2000;
/** Arithmetic looks at most this many local days ahead (about 20 years) before giving up. */
const MAX_SEARCH_DAYS = 7320;
/** Largest duration accepted: 10 years, as business days or as time. */
const MAX_DURATION_DAYS = 3660;
const MAX_DURATION_MS = MAX_DURATION_DAYS * DAY_MS;

const TIME = /^(?:([01]\d|2[0-3]):([0-5]\d)|(24):(00))$/;
/** Minutes after midnight of `HH:MM` (`24:00` = 1440); NaN when malformed (compares false). */
const minutesOf = (hhmm: string): number => {
  const m = TIME.exec(hhmm);
  return !m ? NaN : m[3] ? 1440 : Number(m[1]) * 60 + Number(m[2]);
};

const WindowSchema = z
  .object({
    start: z.string().regex(TIME, 'must be HH:MM (00:00 to 23:59)').refine((s) => s !== '24:00', 'must be HH:MM (00:00 to 23:59)'),
    end: z.string().regex(TIME, 'must be HH:MM (00:01 to 24:00)'),
  })
  .strict()
  .superRefine((w, ctx) => {
    if (minutesOf(w.end) <= minutesOf(w.start)) ctx.addIssue({ code: 'custom', path: ['end'], message: `must be after start (${w.start}–${w.end}); split windows that cross midnight` });
  });

const DaySchema = z.array(WindowSchema).max(MAX_WINDOWS_PER_DAY, `at most ${MAX_WINDOWS_PER_DAY} windows a day`).superRefine((windows, ctx) => {
  const order = windows
    .map((w, i) => ({ w, i }))
    .filter(({ w }) => minutesOf(w.end) > minutesOf(w.start)) // malformed windows have their own issue
    .sort((a, b) => minutesOf(a.w.start) - minutesOf(b.w.start));
  for (let k = 1; k < order.length; k++) {
    const prev = order[k - 1].w;
    const cur = order[k];
    if (minutesOf(cur.w.start) < minutesOf(prev.end)) {
      ctx.addIssue({ code: 'custom', path: [cur.i], message: `window ${cur.w.start}–${cur.w.end} overlaps ${prev.start}–${prev.end}` });
    }
  }
});

const WeekSchema = z.object(Object.fromEntries(WEEKDAYS.map((d) => [d, DaySchema.optional()])) as Record<Weekday, z.ZodOptional<typeof DaySchema>>).strict();

const CalendarSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit'),
    description: z.string().max(500).optional(),
    timeZone: z.string().max(64).refine(isValidTimeZone, { error: (issue) => `unknown time zone "${String(issue.input)}" (use an IANA name such as Europe/Berlin or UTC)` }),
    kind: z.enum(['24x7', 'working-hours'], { error: 'must be "24x7" or "working-hours"' }),
    week: WeekSchema.optional(),
    holidays: z
      .array(z.string().refine((s) => parseLocalDate(s) !== null, { error: (issue) => `"${String(issue.input)}" is not a date (YYYY-MM-DD)` }))
      .max(MAX_HOLIDAYS, `at most ${MAX_HOLIDAYS} holidays`)
      .optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.kind === 'working-hours') {
      if (!WEEKDAYS.some((d) => c.week?.[d]?.length)) ctx.addIssue({ code: 'custom', path: ['week'], message: 'a working-hours calendar needs at least one working window' });
      return;
    }
    for (const d of WEEKDAYS) {
      const windows = c.week?.[d];
      if (windows && !(windows.length === 1 && windows[0].start === '00:00' && windows[0].end === '24:00')) {
        ctx.addIssue({ code: 'custom', path: ['week', d], message: 'a 24x7 calendar works 00:00–24:00 every day; use kind "working-hours" for other windows' });
      }
    }
    if (c.holidays?.length) ctx.addIssue({ code: 'custom', path: ['holidays'], message: 'a 24x7 calendar has no holidays; use kind "working-hours" with 00:00–24:00 windows' });
  });

function invalid(what: string, issues: { field: string; message: string }[]): EngineError {
  const detail = issues.map((i) => `${i.field}: ${i.message}`).join('; ');
  return new EngineError(EngineErrorCode.InvalidRequest, `invalid ${what}: ${detail}`, { details: { issues } });
}

/**
 * Validates and normalises an untrusted calendar definition. Throws
 * `EngineError(INVALID_REQUEST)` whose message and `details.issues` name each offending field
 * (`week.mon.1: window 11:00–13:00 overlaps 08:00–12:00`, `timeZone: unknown time zone …`,
 * `holidays.0: "2026-02-30" is not a date`). Unknown fields are refused.
 */
export function parseBusinessCalendar(input: unknown): BusinessCalendar {
  const result = CalendarSchema.safeParse(input ?? {});
  if (!result.success) {
    throw invalid(
      'calendar',
      result.error.issues.map((i) => ({ field: i.path.join('.') || '(root)', message: i.message })),
    );
  }
  const c = result.data;
  const allDay = c.kind === '24x7';
  const week = Object.fromEntries(
    WEEKDAYS.map((d) => [d, allDay ? [{ start: '00:00', end: '24:00' }] : [...(c.week?.[d] ?? [])].map((w) => ({ start: w.start, end: w.end })).sort((a, b) => minutesOf(a.start) - minutesOf(b.start))]),
  ) as Record<Weekday, WorkingWindow[]>;
  return {
    name: c.name,
    ...(c.description === undefined ? {} : { description: c.description }),
    timeZone: c.timeZone,
    kind: c.kind,
    week,
    holidays: allDay ? [] : [...new Set(c.holidays ?? [])].sort(),
  };
}

// ---------------------------------------------------------------------------------------------
// Compiled form: minute windows per weekday, holiday day numbers, and a small cache of the
// windows of each local date as instants (Intl look-ups are the expensive part).

interface Compiled {
  allDay: boolean;
  timeZone: string;
  week: [number, number][][];
  holidays: Set<number>;
  days: Map<number, [number, number][]>;
}

const compiled = new WeakMap<BusinessCalendar, Compiled>();
const DAY_CACHE_LIMIT = 4096;

function compile(calendar: BusinessCalendar): Compiled {
  let c = compiled.get(calendar);
  if (!c) {
    if (!calendar || (calendar.kind !== '24x7' && calendar.kind !== 'working-hours') || !isValidTimeZone(calendar.timeZone)) {
      throw new EngineError(EngineErrorCode.InvalidRequest, 'not a valid business calendar: pass one returned by parseBusinessCalendar');
    }
    c = {
      allDay: calendar.kind === '24x7',
      timeZone: calendar.timeZone,
      week: WEEKDAYS.map((d) => (calendar.week?.[d] ?? []).map((w): [number, number] => [minutesOf(w.start), minutesOf(w.end)])),
      holidays: new Set((calendar.holidays ?? []).map((h) => parseLocalDate(h)).filter((d): d is number => d !== null)),
      days: new Map(),
    };
    compiled.set(calendar, c);
  }
  return c;
}

/** Working windows of local date `day` as `[start, end)` instants (empty on days off). */
function windowsOf(c: Compiled, day: number): [number, number][] {
  let windows = c.days.get(day);
  if (windows) return windows;
  windows = [];
  if (!c.holidays.has(day)) {
    for (const [from, to] of c.week[isoWeekdayIndex(day)]) {
      const start = localToInstant(c.timeZone, day, from);
      const end = localToInstant(c.timeZone, day, to);
      if (end > start) windows.push([start, end]); // a window inside a DST gap has no length
    }
  }
  if (c.days.size >= DAY_CACHE_LIMIT) c.days.clear();
  c.days.set(day, windows);
  return windows;
}

function instant(value: Date, what: string): number {
  const t = value instanceof Date ? value.getTime() : NaN;
  if (!Number.isFinite(t)) throw new EngineError(EngineErrorCode.InvalidRequest, `${what} must be a valid date`);
  return t;
}

function amount(value: number, what: string, max: number, integer = false): number {
  if (!Number.isFinite(value) || value < 0 || value > max || (integer && !Number.isInteger(value))) {
    throw new EngineError(EngineErrorCode.InvalidRequest, `${what} must be ${integer ? 'a whole number' : 'a number'} from 0 to ${max}`);
  }
  return value;
}

function noWorkingTime(calendar: BusinessCalendar): EngineError {
  return new EngineError(EngineErrorCode.InvalidRequest, `in calendar "${calendar.name}" the result lies more than ${Math.floor(MAX_SEARCH_DAYS / 366)} years ahead (or there is no working time)`);
}

// ---------------------------------------------------------------------------------------------

/** True when `at` lies inside a working window (always, for `24x7`). */
export function isWorkingTime(calendar: BusinessCalendar, at: Date): boolean {
  const c = compile(calendar);
  if (c.allDay) return true;
  const t = instant(at, 'at');
  const day = localDay(c.timeZone, t);
  return [day - 1, day].some((d) => windowsOf(c, d).some(([s, e]) => s <= t && t < e));
}

/**
 * The instant `durationMs` of working time after `from`: the earliest instant by which that
 * much working time has elapsed. A start outside working time begins at the next window start;
 * time that runs out exactly at a window's end ends there. Zero returns `from`. Under `24x7`
 * this is plain addition. Example: 4 h from Friday 16:00 under Mon–Fri 08:00–18:00 is Monday 10:00.
 */
export function addBusinessTime(calendar: BusinessCalendar, from: Date, durationMs: number): Date {
  const c = compile(calendar);
  const start = instant(from, 'from');
  let remaining = amount(durationMs, 'durationMs', MAX_DURATION_MS);
  if (c.allDay || remaining === 0) return new Date(start + remaining);
  const first = localDay(c.timeZone, start) - 1; // a window of the previous date may still be open (DST at midnight)
  for (let day = first; day < first + MAX_SEARCH_DAYS; day++) {
    for (const [s, e] of windowsOf(c, day)) {
      if (e <= start) continue;
      const begin = Math.max(s, start);
      if (remaining <= e - begin) return new Date(begin + remaining);
      remaining -= e - begin;
    }
  }
  throw noWorkingTime(calendar);
}

/**
 * Working time in `[from, to)`, in ms (the inverse of {@link addBusinessTime}:
 * `businessTimeBetween(c, a, addBusinessTime(c, a, d)) === d`). Antisymmetric: negative when
 * `to` is before `from`. Under `24x7` it is `to - from`.
 */
export function businessTimeBetween(calendar: BusinessCalendar, from: Date, to: Date): number {
  const c = compile(calendar);
  const a = instant(from, 'from');
  const b = instant(to, 'to');
  if (b < a) return -businessTimeBetween(calendar, to, from);
  if (c.allDay || a === b) return b - a;
  const first = localDay(c.timeZone, a) - 1;
  const last = localDay(c.timeZone, b);
  if (last - first > MAX_SEARCH_DAYS) throw new EngineError(EngineErrorCode.InvalidRequest, `the interval is longer than ${Math.floor(MAX_SEARCH_DAYS / 366)} years`);
  let total = 0;
  for (let day = first; day <= last; day++) {
    for (const [s, e] of windowsOf(c, day)) total += Math.max(0, Math.min(e, b) - Math.max(s, a));
  }
  return total;
}

/**
 * `days` business days after `from`, with "same point of the working day" semantics (as
 * ServiceNow's "N business days" and Camunda-style business calendars are commonly configured):
 *
 * 1. The start day is the first working day whose working time has not ended at `from` (a start
 *    after the close of business, on a holiday or a weekend moves to the next working day).
 * 2. `o` = the working time of that day before `from` (0 when `from` is before its first window).
 * 3. The result is the instant `o` of working time into the `days`-th following working day,
 *    clamped to its close of business when that day is shorter. When `o` is 0 the result is the
 *    close of business of the day before it, the same business instant but the earlier wall time.
 *
 * So, under Mon–Fri 08:00–18:00: Friday 16:00 + 1 = Monday 16:00; Monday 08:00 (or Sunday, or
 * Friday 19:00) + 1 = Monday 18:00 ("by the end of the first business day"); Tuesday 10:00 + 3 =
 * Friday 10:00. Under `24x7` a day is 24 hours. Zero returns `from`.
 */
export function addBusinessDays(calendar: BusinessCalendar, from: Date, days: number): Date {
  const c = compile(calendar);
  const start = instant(from, 'from');
  amount(days, 'days', MAX_DURATION_DAYS, true);
  if (c.allDay || days === 0) return new Date(start + days * DAY_MS);
  const origin = localDay(c.timeZone, start) - 1;
  let day = origin;
  let offset = 0;
  // 1 + 2: the start day and the offset into it
  for (; ; day++) {
    if (day >= origin + MAX_SEARCH_DAYS) throw noWorkingTime(calendar);
    const windows = windowsOf(c, day);
    if (!windows.length || windows[windows.length - 1][1] <= start) continue;
    for (const [s, e] of windows) offset += Math.max(0, Math.min(e, start) - s);
    break;
  }
  // 3: count working days forward; with no offset, stop one short and take its close of business
  const nextWorkingDay = (d: number): number => {
    for (let n = d + 1; n < origin + MAX_SEARCH_DAYS; n++) if (windowsOf(c, n).length) return n;
    throw noWorkingTime(calendar);
  };
  for (let n = offset === 0 ? 1 : 0; n < days; n++) day = nextWorkingDay(day);
  const windows = windowsOf(c, day);
  if (offset === 0) return new Date(windows[windows.length - 1][1]);
  for (const [s, e] of windows) {
    if (offset <= e - s) return new Date(s + offset);
    offset -= e - s;
  }
  return new Date(windows[windows.length - 1][1]);
}

/**
 * Parses an ISO 8601 duration for calendar arithmetic: `PnD` (business days), `PTnH`, `PTnM`,
 * `PTnS` and combinations such as `P1DT4H`; hours, minutes and seconds may have a fraction
 * (`PT0.5H`). Years, months and weeks are refused: their length in business time is ambiguous.
 * Throws `EngineError(INVALID_REQUEST)` naming the problem.
 */
export function parseIsoDuration(text: string): BusinessDuration {
  const fail = (why: string): never => {
    throw new EngineError(EngineErrorCode.InvalidRequest, `invalid duration "${String(text).slice(0, 40)}": ${why}`);
  };
  if (typeof text !== 'string' || text.length > 40) return fail('expected an ISO 8601 duration such as PT4H, PT30M, P3D or P1DT4H');
  const upper = text.toUpperCase();
  if (/^P(?:\d+Y)|^P(?:[\d.,]+Y)?[\d.,]+M|^P[^T]*W/.test(upper)) return fail('years, months and weeks are not supported: use days (P5D) or hours (PT40H)');
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/.exec(upper);
  if (!m || upper === 'P' || upper.endsWith('T')) return fail('expected an ISO 8601 duration such as PT4H, PT30M, P3D or P1DT4H');
  const num = (s: string | undefined) => (s ? Number(s.replace(',', '.')) : 0);
  const days = num(m[1]);
  const ms = Math.round(num(m[2]) * 3_600_000 + num(m[3]) * 60_000 + num(m[4]) * 1000);
  if (days > MAX_DURATION_DAYS || ms > MAX_DURATION_MS) return fail(`longer than ${MAX_DURATION_DAYS} days`);
  return { days, ms };
}

/**
 * `from` plus a duration in the calendar: whole business days first ({@link addBusinessDays}),
 * then business time ({@link addBusinessTime}). `P1D` is one business day, `PT4H` four
 * business hours, `P1DT2H` from Monday 08:00 under 08:00–18:00 is Tuesday 10:00.
 */
export function addBusinessDuration(calendar: BusinessCalendar, from: Date, duration: string | BusinessDuration): Date {
  const d = typeof duration === 'string' ? parseIsoDuration(duration) : duration;
  return addBusinessTime(calendar, addBusinessDays(calendar, from, d.days), d.ms);
}
