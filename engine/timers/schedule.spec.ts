import { firstOccurrence, isCron, nextOccurrence, checkTimer } from './schedule';

const at = (iso: string) => new Date(iso);

describe('timer schedules', () => {
  it('fires a duration once, after now', () => {
    expect(firstOccurrence({ timeDuration: 'PT4H' }, at('2026-11-20T16:00:00Z'))).toEqual({ dueAt: at('2026-11-20T20:00:00Z'), remaining: 1 });
  });

  it('fires a date at that date', () => {
    expect(firstOccurrence({ timeDate: '2026-12-01T09:00:00Z' }, at('2026-11-20T16:00:00Z'))!.dueAt).toEqual(at('2026-12-01T09:00:00Z'));
  });

  it('repeats R3/PT1H three times and stops', () => {
    // given
    const spec = { timeCycle: 'R3/PT1H' };
    const now = at('2026-11-20T10:00:00Z');

    // when
    const first = firstOccurrence(spec, now)!;
    const second = nextOccurrence(spec, first, first.dueAt)!;
    const third = nextOccurrence(spec, second, second.dueAt)!;
    const fourth = nextOccurrence(spec, third, third.dueAt);

    // then
    expect([first, second, third].map((o) => o.dueAt.toISOString())).toEqual(['2026-11-20T11:00:00.000Z', '2026-11-20T12:00:00.000Z', '2026-11-20T13:00:00.000Z']);
    expect([first.remaining, second.remaining, third.remaining]).toEqual([3, 2, 1]);
    expect(fourth).toBeNull();
  });

  it('repeats R/P1M without end, month by month', () => {
    const first = firstOccurrence({ timeCycle: 'R/P1M' }, at('2026-01-15T00:00:00Z'))!;
    const second = nextOccurrence({ timeCycle: 'R/P1M' }, first, first.dueAt)!;
    expect(first).toEqual({ dueAt: at('2026-02-15T00:00:00Z'), remaining: -1 });
    expect(second).toEqual({ dueAt: at('2026-03-15T00:00:00Z'), remaining: -1 });
  });

  it('skips occurrences missed while no server ran, keeping the phase', () => {
    const first = { dueAt: at('2026-11-20T10:00:00Z'), remaining: -1 };
    const next = nextOccurrence({ timeCycle: 'R/PT1H' }, first, at('2026-11-20T15:30:00Z'))!;
    expect(next.dueAt).toEqual(at('2026-11-20T16:00:00Z'));
  });

  it('evaluates cron cycles in a time zone', () => {
    expect(isCron('0 9 * * 1-5')).toBe(true);
    expect(isCron('R/PT1H')).toBe(false);
    // Saturday 2026-11-21 08:00Z → next weekday 09:00 Berlin (UTC+1) is Monday 08:00Z
    const first = firstOccurrence({ timeCycle: '0 9 * * 1-5' }, at('2026-11-21T08:00:00Z'), 'Europe/Berlin')!;
    expect(first).toEqual({ dueAt: at('2026-11-23T08:00:00Z'), remaining: -1 });
    const second = nextOccurrence({ timeCycle: '0 9 * * 1-5' }, first, first.dueAt, 'Europe/Berlin')!;
    expect(second.dueAt).toEqual(at('2026-11-24T08:00:00Z'));
  });

  it('explains a bad timer', () => {
    expect(checkTimer({ timeCycle: 'every monday' })).toEqual(expect.any(String));
    expect(checkTimer({ timeCycle: '61 * * * *' })).toEqual(expect.any(String));
    expect(checkTimer({ timeDuration: 'PT4H' })).toBeNull();
  });
});
