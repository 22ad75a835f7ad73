/**
 * IANA time-zone arithmetic on the built-in `Intl` API (full ICU in Node 20), with no fixed
 * offsets assumed: every local wall-clock time is resolved against the zone's rules for that date,
 * so windows stay at 08:00 local across daylight-saving changes.
 *
 * A "day number" is the count of days since 1970-01-01 of a local calendar date (the date only,
 * no zone), so date arithmetic is plain integer arithmetic.
 */

export const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when `Intl` knows the zone (e.g. `Europe/Berlin`, `UTC`). */
export function isValidTimeZone(timeZone: string): boolean {
  if (!timeZone) return false;
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The instant's wall-clock time in `timeZone`, read as if it were UTC (whole seconds). */
function wallClockMs(timeZone: string, instant: number): number {
  const p: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(instant)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
}

/** The zone's UTC offset at an instant, in ms (e.g. +3 600 000 for CET). */
export function offsetAt(timeZone: string, instant: number): number {
  return wallClockMs(timeZone, instant) - Math.floor(instant / 1000) * 1000;
}

/** Local calendar date (day number) of an instant in `timeZone`. */
export function localDay(timeZone: string, instant: number): number {
  return Math.floor(wallClockMs(timeZone, instant) / DAY_MS);
}

/**
 * The instant of local wall-clock time `minutes` after midnight of local date `day`
 * (`minutes` may be 1440 = 24:00, the next midnight). Resolves like Temporal's `compatible`
 * disambiguation: a time repeated when clocks go back is its first occurrence; a time skipped
 * when clocks go forward moves forward by the gap (02:30 on a spring-forward night is 03:30).
 */
export function localToInstant(timeZone: string, day: number, minutes: number): number {
  const wall = day * DAY_MS + minutes * 60_000;
  const before = offsetAt(timeZone, wall - DAY_MS);
  const after = offsetAt(timeZone, wall + DAY_MS);
  const valid = [wall - before, wall - after].filter((t) => offsetAt(timeZone, t) === wall - t);
  return valid.length ? Math.min(...valid) : wall - before;
}

/** Day number of a `YYYY-MM-DD` date, or null when it is not a real date. */
export function parseLocalDate(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return null;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(t).toISOString().slice(0, 10) === text ? t / DAY_MS : null;
}

/** `YYYY-MM-DD` of a day number. */
export function formatLocalDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** 0 = Monday … 6 = Sunday (1970-01-01, day 0, was a Thursday). */
export function isoWeekdayIndex(day: number): number {
  return (((day + 3) % 7) + 7) % 7;
}
