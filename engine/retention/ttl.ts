import { createModdle } from '../definitions/moddle';

/**
 * History time to live (Camunda 7's `camunda:historyTimeToLive`): how long an ended instance's
 * history is kept before the retention job archives and removes it. Accepted forms: a whole
 * number of days ("180") or an ISO 8601 duration in days or weeks ("P180D", "P26W"). Answers the
 * number of days, or null when the value is absent or blank (keep forever).
 */
export function parseTimeToLive(value: string | number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  const text = String(value).trim();
  if (!text) return null;
  const days = /^\d{1,6}$/.exec(text) ? Number(text) : isoDays(text);
  if (days === null) throw new Error(`history time to live "${text}" is not a number of days ("180") or an ISO 8601 duration in days or weeks ("P180D", "P26W")`);
  return days;
}

function isoDays(text: string): number | null {
  const match = /^P(?:(\d{1,6})W)?(?:(\d{1,6})D)?$/i.exec(text);
  if (!match || (match[1] === undefined && match[2] === undefined)) return null;
  return Number(match[1] ?? 0) * 7 + Number(match[2] ?? 0);
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The moment before which an instance with this time to live must have ended to be removed. */
export function removalCutoff(now: Date, ttlDays: number): Date {
  return new Date(now.getTime() - ttlDays * DAY_MS);
}

/**
 * The `camunda:historyTimeToLive` (in days) of the process `key` in a deployed definition's XML
 * (its only or first process when none has that id); null when it sets none. Throws when the value
 * is malformed.
 */
export async function historyTimeToLiveOf(xml: string, key: string): Promise<number | null> {
  const parsed = (await createModdle().fromXML(xml)) as { rootElement?: { rootElements?: { $type: string; id?: string; historyTimeToLive?: string }[] } };
  const processes = (parsed.rootElement?.rootElements ?? []).filter((e) => e.$type === 'bpmn:Process');
  const process = processes.find((p) => p.id === key) ?? processes[0];
  return parseTimeToLive(process?.historyTimeToLive);
}
