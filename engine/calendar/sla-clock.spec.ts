import { EngineError } from '../errors';
import { addBusinessTime, businessTimeBetween, parseBusinessCalendar } from './business-calendar';
import {
  dueAt,
  elapsedBusinessMs,
  escalationTimes,
  fromSlaClockRecord,
  isPaused,
  pause,
  percentElapsed,
  resume,
  startSlaClock,
  toSlaClockRecord,
} from './sla-clock';

const H = 3_600_000;
const at = (iso: string) => new Date(iso);
const iso = (d: Date | null) => (d ? d.toISOString() : null);
const office = [{ start: '08:00', end: '18:00' }];
const berlin = parseBusinessCalendar({ name: 'business-hours', timeZone: 'Europe/Berlin', kind: 'working-hours', week: { mon: office, tue: office, wed: office, thu: office, fri: office } });

describe('SLA clock', () => {
  // Tuesday 2026-11-17 09:00 Berlin, an 8 business-hour resolution target: due the same day 17:00
  const started = at('2026-11-17T09:00:00+01:00');
  const clock = startSlaClock(berlin, started, 8 * H);

  it('is due after the target in business time', () => {
    expect(iso(dueAt(clock))).toBe(iso(at('2026-11-17T17:00:00+01:00')));
    expect(iso(dueAt(startSlaClock(berlin, at('2026-11-20T16:00:00+01:00'), 'PT4H')))).toBe(iso(at('2026-11-23T10:00:00+01:00')));
  });

  it('pausing for 3 business hours moves the due date by exactly 3 business hours', () => {
    // given: paused 10:00-13:00 on the same day
    const paused = pause(clock, at('2026-11-17T10:00:00+01:00'), 'awaiting_caller');
    expect(isPaused(paused)).toBe(true);
    expect(dueAt(paused)).toBeNull();
    const resumed = resume(paused, at('2026-11-17T13:00:00+01:00'));

    // then: due 3 business hours later (17:00 + 3 bh = Wednesday 10:00)
    const before = dueAt(clock)!;
    const after = dueAt(resumed)!;
    expect(iso(after)).toBe(iso(at('2026-11-18T10:00:00+01:00')));
    expect(businessTimeBetween(berlin, before, after)).toBe(3 * H);
    expect(iso(after)).toBe(iso(addBusinessTime(berlin, before, 3 * H)));
    // and the original clock is unchanged
    expect(clock.pauses).toHaveLength(0);
  });

  it('counts only the business time of a pause that spans a weekend', () => {
    // given: started Friday 09:00 with 16 bh, paused Friday 16:00 to Monday 10:00 (2 h Fri + 2 h Mon of business time)
    const friday = startSlaClock(berlin, at('2026-11-20T09:00:00+01:00'), 16 * H);
    const unpausedDue = dueAt(friday)!; // Friday 9 h + Monday 7 h = Monday 15:00
    expect(iso(unpausedDue)).toBe(iso(at('2026-11-23T15:00:00+01:00')));
    const c = resume(pause(friday, at('2026-11-20T16:00:00+01:00'), 'awaiting_vendor'), at('2026-11-23T10:00:00+01:00'));

    // then: the due date moves by 4 business hours, not by the 66 wall-clock hours paused
    expect(businessTimeBetween(berlin, unpausedDue, dueAt(c)!)).toBe(4 * H);
    expect(iso(dueAt(c))).toBe(iso(at('2026-11-24T09:00:00+01:00')));
  });

  it('does not move the due date for a pause outside business hours', () => {
    const c = resume(pause(clock, at('2026-11-17T19:00:00+01:00'), 'awaiting_caller'), at('2026-11-18T07:00:00+01:00'));
    expect(iso(dueAt(c))).toBe(iso(dueAt(clock)));
  });

  it('ignores a pause that begins after the due date when computing it', () => {
    const c = resume(pause(clock, at('2026-11-18T09:00:00+01:00'), 'awaiting_caller'), at('2026-11-18T12:00:00+01:00'));
    expect(iso(dueAt(c))).toBe(iso(dueAt(clock)));
  });

  it('measures elapsed business time and percent, excluding pauses (open ones up to now)', () => {
    expect(elapsedBusinessMs(clock, at('2026-11-17T13:00:00+01:00'))).toBe(4 * H);
    expect(percentElapsed(clock, at('2026-11-17T13:00:00+01:00'))).toBe(50);
    expect(percentElapsed(clock, at('2026-11-18T09:00:00+01:00'))).toBe(125); // 9 h Tuesday + 1 h Wednesday
    expect(elapsedBusinessMs(clock, at('2026-11-17T08:00:00+01:00'))).toBe(0);

    const paused = pause(clock, at('2026-11-17T11:00:00+01:00'), 'awaiting_caller');
    expect(elapsedBusinessMs(paused, at('2026-11-17T15:00:00+01:00'))).toBe(2 * H);
    const resumed = resume(paused, at('2026-11-17T12:00:00+01:00'));
    expect(elapsedBusinessMs(resumed, at('2026-11-17T15:00:00+01:00'))).toBe(5 * H);
  });

  it('gives escalation times at 50/75/100% of the target', () => {
    // 8 bh from Tuesday 09:00: 50% at 13:00, 75% at 15:00, 100% at 17:00
    expect(escalationTimes(clock, [0.5, 0.75, 1]).map(iso)).toEqual([
      iso(at('2026-11-17T13:00:00+01:00')),
      iso(at('2026-11-17T15:00:00+01:00')),
      iso(at('2026-11-17T17:00:00+01:00')),
    ]);
    // across a weekend: 16 bh from Friday 09:00 → 50% Friday 17:00, 75% Monday 11:00, 100% Monday 15:00
    const friday = startSlaClock(berlin, at('2026-11-20T09:00:00+01:00'), 16 * H);
    expect(escalationTimes(friday, [0.5, 0.75, 1]).map(iso)).toEqual([
      iso(at('2026-11-20T17:00:00+01:00')),
      iso(at('2026-11-23T11:00:00+01:00')),
      iso(at('2026-11-23T15:00:00+01:00')),
    ]);
  });

  it('keeps passed escalation times while paused and leaves later ones unknown', () => {
    const paused = pause(clock, at('2026-11-17T14:00:00+01:00'), 'awaiting_caller');
    expect(escalationTimes(paused, [0.5, 0.75, 1]).map(iso)).toEqual([iso(at('2026-11-17T13:00:00+01:00')), null, null]);
  });

  it('refuses pauses out of order', () => {
    const paused = pause(clock, at('2026-11-17T10:00:00+01:00'), 'awaiting_caller');
    expect(() => pause(paused, at('2026-11-17T11:00:00+01:00'), 'again')).toThrow(/already paused/);
    expect(() => resume(clock, at('2026-11-17T11:00:00+01:00'))).toThrow(/not paused/);
    expect(() => resume(paused, at('2026-11-17T09:30:00+01:00'))).toThrow(/before its pause began/);
    expect(() => pause(clock, at('2026-11-17T08:00:00+01:00'), 'early')).toThrow(/before it started/);
    expect(() => pause(clock, at('2026-11-17T10:00:00+01:00'), ' ')).toThrow(/reason/);
    const resumed = resume(paused, at('2026-11-17T12:00:00+01:00'));
    expect(() => pause(resumed, at('2026-11-17T11:00:00+01:00'), 'x')).toThrow(/last resume/);
    expect(() => startSlaClock(berlin, started, 0)).toThrow(EngineError);
  });

  it('round-trips through its JSON record', () => {
    const c = pause(resume(pause(clock, at('2026-11-17T10:00:00+01:00'), 'awaiting_caller'), at('2026-11-17T13:00:00+01:00')), at('2026-11-18T09:00:00+01:00'), 'awaiting_vendor');
    const record = JSON.parse(JSON.stringify(toSlaClockRecord(c)));
    expect(record).toEqual({
      calendar: 'business-hours',
      startedAt: '2026-11-17T08:00:00.000Z',
      targetMs: 8 * H,
      pauses: [
        { from: '2026-11-17T09:00:00.000Z', to: '2026-11-17T12:00:00.000Z', reason: 'awaiting_caller' },
        { from: '2026-11-18T08:00:00.000Z', to: null, reason: 'awaiting_vendor' },
      ],
    });
    expect(fromSlaClockRecord(record, berlin)).toEqual(c);
    expect(() => fromSlaClockRecord({ ...record, calendar: '24x7' }, berlin)).toThrow(/names calendar "24x7"/);
  });
});
