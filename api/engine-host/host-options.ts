import type { Clock, ServiceHandler } from '../../engine';

/** What tests (never production) may inject into the application. */
export interface HostOptions {
  /** A clock that can be moved forward; refused in production mode. */
  clock?: Clock;
  /** Extra service handlers besides the built-in ones. */
  handlers?: ServiceHandler[];
}
