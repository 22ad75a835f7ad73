import type { Page } from './validation';

/**
 * Totals of the task, instance and record lists are counted exactly up to COUNT_CAP matches; above
 * it a list answers `total: COUNT_CAP` and `totalCapped: true` ("1,000 or more"), so a count
 * never scans a million rows (README "Lists"). Pages past the cap are still served.
 */
export const COUNT_CAP = 1000;

/** A page whose total may be capped. */
export interface CappedPage<T> extends Page<T> {
  /** true: there are more than `total` (= COUNT_CAP) matches. */
  totalCapped: boolean;
}

/** `count` is the number of matches found when looking for at most COUNT_CAP + 1 of them. */
export function cappedPage<T>(items: T[], f: { page: number; size: number }, count: number): CappedPage<T> {
  const capped = count > COUNT_CAP;
  return { items, page: f.page, size: f.size, total: capped ? COUNT_CAP : count, totalCapped: capped };
}

/** How many rows each source must yield so that the union holds the first `page` pages. */
export function windowOf(f: { page: number; size: number }): number {
  return f.page * f.size;
}
