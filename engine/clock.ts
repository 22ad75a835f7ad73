/**
 * Source of "now" for everything the engine records and schedules. Injected so tests can move
 * time forward without sleeping.
 */
export interface Clock {
  now(): Date;
  /**
   * How far this clock runs ahead of the real clock, in ms. Always 0 in production; the timer
   * claimer adds it to the database clock so due timers are compared with one time source.
   */
  offsetMs(): number;
}

export const systemClock: Clock = { now: () => new Date(), offsetMs: () => 0 };

/**
 * A clock that starts at real time and only moves when told to (tests). The application refuses
 * an injected clock in production mode (see api/app.ts), so this cannot be enabled there.
 */
export class ManualClock implements Clock {
  private offset = 0;

  now(): Date {
    return new Date(Date.now() + this.offset);
  }

  offsetMs(): number {
    return this.offset;
  }

  /** Moves time forward (never backward: timers must not run twice). */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new Error('a clock only moves forward');
    this.offset += ms;
  }
}
