import { EngineError } from '../errors';
import {
  addBusinessDays,
  addBusinessDuration,
  addBusinessTime,
  businessTimeBetween,
  isWorkingTime,
  parseBusinessCalendar,
  parseIsoDuration,
  type BusinessCalendar,
  type WorkingWindow,
} from './business-calendar';

const H = 3_600_000;
const at = (iso: string) => new Date(iso);
const iso = (d: Date | null) => d?.toISOString();
const weekdays = (windows: WorkingWindow[]) => ({ mon: windows, tue: windows, wed: windows, thu: windows, fri: windows });
const calendar = (timeZone: string, windows: WorkingWindow[], holidays: string[] = []): BusinessCalendar =>
  parseBusinessCalendar({ name: 'test', timeZone, kind: 'working-hours', week: weekdays(windows), holidays });

const officeHours = [{ start: '08:00', end: '18:00' }];
const berlin = calendar('Europe/Berlin', officeHours);

describe('addBusinessTime', () => {
  it('4 business hours from Friday 16:00 under Mon-Fri 08:00-18:00 is Monday 10:00', () => {
    // given Friday 2026-11-20 16:00 in Berlin (CET, UTC+1)
    const friday = at('2026-11-20T16:00:00+01:00');
    // when / then: two hours on Friday, two on Monday
    expect(iso(addBusinessTime(berlin, friday, 4 * H))).toBe(iso(at('2026-11-23T10:00:00+01:00')));
    // and the same in UTC
    expect(iso(addBusinessTime(calendar('UTC', officeHours), at('2026-11-20T16:00:00Z'), 4 * H))).toBe('2026-11-23T10:00:00.000Z');
  });

  it('skips a holiday: with Monday off, 4 business hours from Friday 16:00 is Tuesday 10:00', () => {
    const withHoliday = calendar('Europe/Berlin', officeHours, ['2026-11-23']);
    expect(iso(addBusinessTime(withHoliday, at('2026-11-20T16:00:00+01:00'), 4 * H))).toBe(iso(at('2026-11-24T10:00:00+01:00')));
  });

  it('honours a lunch break: 2 h from 11:00 under 08:00-12:00 + 13:00-17:00 is 14:00', () => {
    const lunch = calendar('Europe/Berlin', [{ start: '08:00', end: '12:00' }, { start: '13:00', end: '17:00' }]);
    expect(iso(addBusinessTime(lunch, at('2026-11-18T11:00:00+01:00'), 2 * H))).toBe(iso(at('2026-11-18T14:00:00+01:00')));
    // a start inside the break begins after it
    expect(iso(addBusinessTime(lunch, at('2026-11-18T12:30:00+01:00'), 1 * H))).toBe(iso(at('2026-11-18T14:00:00+01:00')));
  });

  it('keeps windows at local wall-clock time across the DST change of 2026-10-25 in Europe/Berlin', () => {
    // given Friday 16:00 CEST (UTC+2); clocks go back on Sunday; Monday is CET (UTC+1)
    const friday = at('2026-10-23T16:00:00+02:00');
    // then Monday 10:00 local is 09:00Z, not the 08:00Z a fixed offset would give
    expect(iso(addBusinessTime(berlin, friday, 4 * H))).toBe('2026-10-26T09:00:00.000Z');
    expect(businessTimeBetween(berlin, friday, at('2026-10-26T10:00:00+01:00'))).toBe(4 * H);
    expect(iso(addBusinessDays(berlin, friday, 1))).toBe(iso(at('2026-10-26T16:00:00+01:00')));
  });

  it('counts the real length of DST days in an all-day working calendar', () => {
    const allDays = parseBusinessCalendar({
      name: 'all-days',
      timeZone: 'Europe/Berlin',
      kind: 'working-hours',
      week: { ...weekdays([{ start: '00:00', end: '24:00' }]), sat: [{ start: '00:00', end: '24:00' }], sun: [{ start: '00:00', end: '24:00' }] },
    });
    // autumn Sunday has 25 hours, spring Sunday 23
    expect(businessTimeBetween(allDays, at('2026-10-25T00:00:00+02:00'), at('2026-10-26T00:00:00+01:00'))).toBe(25 * H);
    expect(businessTimeBetween(allDays, at('2026-03-29T00:00:00+01:00'), at('2026-03-30T00:00:00+02:00'))).toBe(23 * H);
    expect(iso(addBusinessTime(allDays, at('2026-10-25T01:00:00+02:00'), 2 * H))).toBe(iso(at('2026-10-25T02:00:00+01:00')));
  });

  it('resolves windows in a DST gap forward (02:00-04:00 on the spring-forward night is one hour)', () => {
    const sundayNight = parseBusinessCalendar({ name: 'night', timeZone: 'Europe/Berlin', kind: 'working-hours', week: { sun: [{ start: '02:00', end: '04:00' }] } });
    expect(businessTimeBetween(sundayNight, at('2026-03-29T00:00:00+01:00'), at('2026-03-30T00:00:00+02:00'))).toBe(1 * H);
    expect(businessTimeBetween(sundayNight, at('2026-10-25T00:00:00+02:00'), at('2026-10-26T00:00:00+01:00'))).toBe(3 * H);
  });

  it('starts outside working time at the next window start: Saturday + 2 h is Monday 10:00', () => {
    expect(iso(addBusinessTime(berlin, at('2026-11-21T12:00:00+01:00'), 2 * H))).toBe(iso(at('2026-11-23T10:00:00+01:00')));
    expect(iso(addBusinessTime(berlin, at('2026-11-18T06:00:00+01:00'), 2 * H))).toBe(iso(at('2026-11-18T10:00:00+01:00')));
    expect(iso(addBusinessTime(berlin, at('2026-11-18T20:00:00+01:00'), 2 * H))).toBe(iso(at('2026-11-19T10:00:00+01:00')));
  });

  it('ends at a window end when the time runs out there, and adds nothing for zero', () => {
    expect(iso(addBusinessTime(berlin, at('2026-11-20T16:00:00+01:00'), 2 * H))).toBe(iso(at('2026-11-20T18:00:00+01:00')));
    expect(iso(addBusinessTime(berlin, at('2026-11-21T12:00:00+01:00'), 0))).toBe(iso(at('2026-11-21T12:00:00+01:00')));
  });

  it('is plain addition under 24x7, DST included', () => {
    const always = parseBusinessCalendar({ name: '24x7', timeZone: 'Europe/Berlin', kind: '24x7' });
    expect(iso(addBusinessTime(always, at('2026-10-25T00:00:00+02:00'), 4 * H))).toBe('2026-10-25T02:00:00.000Z');
    expect(businessTimeBetween(always, at('2026-11-20T16:00:00Z'), at('2026-11-23T10:00:00Z'))).toBe(66 * H);
    expect(iso(addBusinessDays(always, at('2026-11-20T16:00:00Z'), 2))).toBe('2026-11-22T16:00:00.000Z');
    expect(isWorkingTime(always, at('2026-11-22T03:00:00Z'))).toBe(true);
  });

  it('refuses negative or absurd durations and invalid dates', () => {
    expect(() => addBusinessTime(berlin, at('2026-11-20T16:00:00Z'), -1)).toThrow(/durationMs/);
    expect(() => addBusinessTime(berlin, new Date('nope'), H)).toThrow(/from must be a valid date/);
    expect(() => addBusinessDays(berlin, at('2026-11-20T16:00:00Z'), 1.5)).toThrow(/whole number/);
    const mondayHour = parseBusinessCalendar({ name: 'rare', timeZone: 'UTC', kind: 'working-hours', week: { mon: [{ start: '08:00', end: '09:00' }] } });
    expect(() => addBusinessDays(mondayHour, at('2026-11-20T16:00:00Z'), 3000)).toThrow(/more than 20 years ahead/);
  });
});

describe('businessTimeBetween', () => {
  it('counts only working time in [from, to), antisymmetrically', () => {
    const from = at('2026-11-20T16:00:00+01:00');
    const to = at('2026-11-23T10:00:00+01:00');
    expect(businessTimeBetween(berlin, from, to)).toBe(4 * H);
    expect(businessTimeBetween(berlin, to, from)).toBe(-4 * H);
    expect(businessTimeBetween(berlin, at('2026-11-21T00:00:00+01:00'), at('2026-11-23T00:00:00+01:00'))).toBe(0);
    expect(businessTimeBetween(berlin, at('2026-11-16T00:00:00+01:00'), at('2026-11-23T00:00:00+01:00'))).toBe(50 * H);
  });

  it('round-trips with addBusinessTime for many starts and durations', () => {
    const cals = [
      berlin,
      calendar('Europe/Berlin', [{ start: '08:00', end: '12:00' }, { start: '13:00', end: '17:00' }], ['2026-10-26', '2026-12-24', '2026-12-25']),
      calendar('America/New_York', [{ start: '09:00', end: '17:30' }]),
      calendar('Australia/Lord_Howe', [{ start: '00:00', end: '02:30' }, { start: '22:00', end: '24:00' }]),
    ];
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 300; i++) {
      const cal = cals[i % cals.length];
      const from = new Date(Date.UTC(2026, 0, 1) + Math.floor(random() * 365 * 24 * 60) * 60_000);
      const duration = Math.floor(random() * 120 * 60) * 60_000;
      const due = addBusinessTime(cal, from, duration);
      expect(businessTimeBetween(cal, from, due)).toBe(duration);
      // and back: adding the working time between two instants reaches the same business point
      const to = new Date(from.getTime() + Math.floor(random() * 10 * 24 * 60) * 60_000);
      const between = businessTimeBetween(cal, from, to);
      const reached = addBusinessTime(cal, from, between);
      expect(reached.getTime()).toBeLessThanOrEqual(to.getTime());
      expect(businessTimeBetween(cal, reached, to)).toBe(0);
    }
  });
});

describe('addBusinessDays (same point of the working day, N working days later)', () => {
  it.each([
    ['Friday 16:00 + 1 is Monday 16:00', '2026-11-20T16:00:00+01:00', 1, '2026-11-23T16:00:00+01:00'],
    ['Tuesday 10:00 + 3 is Friday 10:00', '2026-11-17T10:00:00+01:00', 3, '2026-11-20T10:00:00+01:00'],
    ['Monday 08:00 + 1 is Monday 18:00 (end of the first business day)', '2026-11-16T08:00:00+01:00', 1, '2026-11-16T18:00:00+01:00'],
    ['Monday 07:00 + 1 is Monday 18:00', '2026-11-16T07:00:00+01:00', 1, '2026-11-16T18:00:00+01:00'],
    ['Saturday + 1 is Monday 18:00', '2026-11-21T12:00:00+01:00', 1, '2026-11-23T18:00:00+01:00'],
    ['Friday 19:00 + 1 is Monday 18:00', '2026-11-20T19:00:00+01:00', 1, '2026-11-23T18:00:00+01:00'],
    ['Friday 18:00 + 2 is Tuesday 18:00', '2026-11-20T18:00:00+01:00', 2, '2026-11-24T18:00:00+01:00'],
    ['Wednesday 12:00 + 5 is next Wednesday 12:00', '2026-11-18T12:00:00+01:00', 5, '2026-11-25T12:00:00+01:00'],
  ])('%s', (_name, from, days, expected) => {
    expect(iso(addBusinessDays(berlin, at(from), days))).toBe(iso(at(expected)));
  });

  it('skips holidays when counting days', () => {
    const cal = calendar('Europe/Berlin', officeHours, ['2026-12-24', '2026-12-25']);
    expect(iso(addBusinessDays(cal, at('2026-12-23T15:00:00+01:00'), 1))).toBe(iso(at('2026-12-28T15:00:00+01:00')));
  });

  it('clamps to the close of business of a shorter target day', () => {
    const cal = parseBusinessCalendar({ name: 'short-friday', timeZone: 'UTC', kind: 'working-hours', week: { ...weekdays(officeHours), fri: [{ start: '08:00', end: '14:00' }] } });
    expect(iso(addBusinessDays(cal, at('2026-11-19T17:00:00Z'), 1))).toBe('2026-11-20T14:00:00.000Z');
  });

  it('measures one business day as one working day of business time', () => {
    const from = at('2026-11-20T16:00:00+01:00');
    expect(businessTimeBetween(berlin, from, addBusinessDays(berlin, from, 3))).toBe(30 * H);
  });
});

describe('parseIsoDuration and addBusinessDuration', () => {
  it.each([
    ['PT4H', { days: 0, ms: 4 * H }],
    ['PT30M', { days: 0, ms: 30 * 60_000 }],
    ['P3D', { days: 3, ms: 0 }],
    ['P1DT4H30M', { days: 1, ms: 4.5 * H }],
    ['PT0.5H', { days: 0, ms: 0.5 * H }],
    ['PT90S', { days: 0, ms: 90_000 }],
  ])('parses %s', (text, expected) => {
    expect(parseIsoDuration(text)).toEqual(expected);
  });

  it.each([
    ['P1Y', /years, months and weeks/],
    ['P2M', /years, months and weeks/],
    ['P1W', /years, months and weeks/],
    ['4h', /ISO 8601/],
    ['P', /ISO 8601/],
    ['PT', /ISO 8601/],
    ['P1.5D', /ISO 8601/],
    ['-PT1H', /ISO 8601/],
    ['P99999D', /longer than/],
  ])('refuses %s', (text, message) => {
    expect(() => parseIsoDuration(text)).toThrow(EngineError);
    expect(() => parseIsoDuration(text)).toThrow(message);
  });

  it('adds business days first, then business time: P1DT2H from Monday 08:00 is Tuesday 10:00', () => {
    expect(iso(addBusinessDuration(berlin, at('2026-11-16T08:00:00+01:00'), 'P1DT2H'))).toBe(iso(at('2026-11-17T10:00:00+01:00')));
    expect(iso(addBusinessDuration(berlin, at('2026-11-20T16:00:00+01:00'), 'PT4H'))).toBe(iso(at('2026-11-23T10:00:00+01:00')));
  });
});

describe('isWorkingTime', () => {
  it('is true inside windows only (end exclusive)', () => {
    expect(isWorkingTime(berlin, at('2026-11-20T08:00:00+01:00'))).toBe(true);
    expect(isWorkingTime(berlin, at('2026-11-20T17:59:59+01:00'))).toBe(true);
    expect(isWorkingTime(berlin, at('2026-11-20T18:00:00+01:00'))).toBe(false);
    expect(isWorkingTime(berlin, at('2026-11-21T10:00:00+01:00'))).toBe(false);
  });
});

describe('parseBusinessCalendar', () => {
  const base = { name: 'ok', timeZone: 'Europe/Berlin', kind: 'working-hours', week: { mon: officeHours } };

  it('normalises: every weekday present, windows sorted, holidays sorted and unique', () => {
    const cal = parseBusinessCalendar({ ...base, week: { tue: [{ start: '13:00', end: '17:00' }, { start: '08:00', end: '12:00' }] }, holidays: ['2026-12-25', '2026-01-01', '2026-12-25'] });
    expect(cal.week.tue).toEqual([{ start: '08:00', end: '12:00' }, { start: '13:00', end: '17:00' }]);
    expect(cal.week.sun).toEqual([]);
    expect(cal.holidays).toEqual(['2026-01-01', '2026-12-25']);
  });

  it('shows a 24x7 calendar as 00:00-24:00 every day and round-trips it', () => {
    const cal = parseBusinessCalendar({ name: '24x7', timeZone: 'UTC', kind: '24x7' });
    expect(cal.week.sat).toEqual([{ start: '00:00', end: '24:00' }]);
    expect(parseBusinessCalendar(JSON.parse(JSON.stringify(cal)))).toEqual(cal);
  });

  it.each([
    ['overlapping windows', { week: { mon: [{ start: '08:00', end: '12:00' }, { start: '11:00', end: '13:00' }] } }, /week\.mon\.1: window 11:00–13:00 overlaps 08:00–12:00/],
    ['end before start', { week: { mon: [{ start: '18:00', end: '08:00' }] } }, /week\.mon\.0\.end: must be after start/],
    ['end equal to start', { week: { mon: [{ start: '08:00', end: '08:00' }] } }, /week\.mon\.0\.end: must be after start/],
    ['a malformed time', { week: { mon: [{ start: '8am', end: '12:00' }] } }, /week\.mon\.0\.start: must be HH:MM/],
    ['start at 24:00', { week: { mon: [{ start: '24:00', end: '24:00' }] } }, /week\.mon\.0\.start/],
    ['an unknown weekday', { week: { monday: officeHours } }, /week: Unrecognized key/],
    ['an unknown time zone', { timeZone: 'Europe/Berln' }, /timeZone: unknown time zone "Europe\/Berln"/],
    ['a bad holiday', { holidays: ['2026-02-30'] }, /holidays\.0: "2026-02-30" is not a date/],
    ['a holiday in another format', { holidays: ['25.12.2026'] }, /holidays\.0/],
    ['no working time', { week: { mon: [] } }, /week: a working-hours calendar needs at least one working window/],
    ['an unknown kind', { kind: 'office' }, /kind: must be "24x7" or "working-hours"/],
    ['a bad name', { name: 'has space' }, /name: must be/],
    ['an unknown field', { holiday: [] }, /Unrecognized key/],
    ['holidays on 24x7', { kind: '24x7', week: undefined, holidays: ['2026-12-25'] }, /holidays: a 24x7 calendar has no holidays/],
    ['windows on 24x7', { kind: '24x7' }, /week\.mon: a 24x7 calendar works 00:00–24:00/],
  ])('refuses %s with a message naming the field', (_what, change, message) => {
    const input = { ...base, ...change };
    expect(() => parseBusinessCalendar(input)).toThrow(EngineError);
    expect(() => parseBusinessCalendar(input)).toThrow(message);
  });

  it('lists every issue in details.issues', () => {
    try {
      parseBusinessCalendar({ name: '', timeZone: 'Mars/Olympus', kind: 'working-hours', week: { mon: officeHours } });
      throw new Error('expected a failure');
    } catch (error) {
      expect((error as EngineError).details).toEqual({
        issues: expect.arrayContaining([expect.objectContaining({ field: 'name' }), expect.objectContaining({ field: 'timeZone' })]),
      });
    }
  });
});
