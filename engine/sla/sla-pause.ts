import { fromSlaClockRecord, isPaused, pause, resume, type SlaClock, type SlaClockRecord } from '../calendar';
import type { Clock } from '../clock';
import { slaVariable, type CalendarLookup } from './sla';
import { onEnter, type ElementExtension } from '../runtime/on-enter';

/**
 * `itsm:pauseSla="resolution"` (comma-separated SLA clock names) on an activity or an
 * intermediate catch event: while the element runs, those clocks `sla.<name>` are paused. The
 * clock pauses when the element is entered and resumes when it is left, whichever way it is left
 * (completed, e.g. by the awaited message; interrupted by a boundary event; cancelled with its
 * scope). The pause reason is `itsm:pauseReason`, default the element id.
 *
 * The clock is changed in the process variables during the run, before the next element starts,
 * so a timer armed afterwards (`timeDate="${sla.resolution.dueAt}"`) reads the due date moved by
 * the paused business time; timers already armed elsewhere are re-armed by the command
 * ({@link slaTimerChanges}). A clock that does not exist, or is already paused (by hand, or by
 * another element) when the element is entered, is left alone, and only a pause this element
 * made is resumed by it.
 */
export const PAUSE_ATTRIBUTE = 'pauseSla';
export const REASON_ATTRIBUTE = 'pauseReason';

interface PausingActivity {
  id: string;
  behaviour: Record<string, unknown>;
  environment: { variables: Record<string, unknown> };
  on(event: string, fn: (api: { id: string; content: Record<string, unknown> }) => void): void;
}

/** The SLA clock names an element pauses (parsed `itsm:pauseSla`), empty when none. */
export function pausedClockNames(value: unknown): string[] {
  if (typeof value !== 'string') return [];
  return [...new Set(value.split(',').map((s) => s.trim()).filter(Boolean))];
}

export interface SlaPauseHost {
  calendars: CalendarLookup;
  clock: Clock;
  /** The live process variables (a sub-process works on a copy; the clock lives in the process's). */
  processVariables?: () => Record<string, unknown> | undefined;
}

/** The bpmn-elements extension that gives `itsm:pauseSla` its meaning. */
export function slaPauseExtension(host: SlaPauseHost): (activity: PausingActivity) => ElementExtension | void {
  return (activity) => {
    const names = pausedClockNames(activity.behaviour[PAUSE_ATTRIBUTE]);
    if (!names.length) return;
    const reasonAttr = activity.behaviour[REASON_ATTRIBUTE];
    const reason = typeof reasonAttr === 'string' && reasonAttr.trim() ? reasonAttr.trim() : activity.id;
    // On entry, as an extension's activation (no subscription kept per element: runtime/on-enter.ts).
    const pauseOwn = onEnter((content) => {
      if (typeof content.index === 'number') return; // a loop iteration
      change(activity, host, names, (clock, now, record) => {
        if (isPaused(clock)) return null; // paused by hand or by another element: not ours
        return { clock: pause(clock, now, reason), owners: [...pauseOwners(record), activity.id] };
      });
    });
    // 'end' comes before the outgoing flows are taken (the next element must read the resumed
    // clock); 'leave' also covers a discarded element (interrupted, cancelled with its scope).
    const resumeOwn = (api: { id: string; content: Record<string, unknown> }) => {
      if (api.id !== activity.id || typeof api.content.index === 'number') return;
      change(activity, host, names, (clock, now, record) => {
        const owners = pauseOwners(record);
        if (!isPaused(clock) || owners[clock.pauses.length - 1] !== activity.id) return null; // not paused by this element
        const open = clock.pauses[clock.pauses.length - 1];
        return { clock: resume(clock, now < open.from ? open.from : now), owners };
      });
    };
    activity.on('end', resumeOwn);
    activity.on('discard', resumeOwn);
    activity.on('leave', resumeOwn);
    return pauseOwn;
  };
}

function change(
  activity: PausingActivity,
  host: SlaPauseHost,
  names: string[],
  step: (clock: SlaClock, now: Date, record: SlaClockRecord) => { clock: SlaClock; owners: (string | null)[] } | null,
): void {
  const variables = host.processVariables?.() ?? activity.environment.variables;
  const slas = variables.sla && typeof variables.sla === 'object' ? (variables.sla as Record<string, SlaClockRecord>) : null;
  if (!slas) return;
  const now = host.clock.now();
  let next: Record<string, unknown> | null = null;
  for (const name of names) {
    const record = slas[name];
    if (!record || typeof record !== 'object') continue;
    let clock;
    try {
      clock = fromSlaClockRecord(record, host.calendars(record.calendar));
    } catch {
      continue; // an unreadable clock (unknown calendar) is not ours to repair
    }
    const changed = step(clock, now, record);
    if (!changed) continue;
    next = { ...(next ?? slas), [name]: withPauseOwners(slaVariable(name, changed.clock), changed.owners) };
  }
  if (!next) return;
  variables.sla = next;
  if (activity.environment.variables !== variables) activity.environment.variables.sla = structuredClone(next);
}

/**
 * Which element made each pause of a clock (`elementId` on the pause entries of `sla.<name>.pauses`;
 * null for a pause made with POST /api/instances/:id/sla/:name/pause), by pause index.
 */
export function pauseOwners(record: SlaClockRecord | undefined): (string | null)[] {
  return (record?.pauses ?? []).map((p) => {
    const id = (p as { elementId?: unknown }).elementId;
    return typeof id === 'string' ? id : null;
  });
}

/** The clock variable with the element that made each pause written on its pause entries. */
export function withPauseOwners<T extends SlaClockRecord>(variable: T, owners: readonly (string | null)[]): T {
  return { ...variable, pauses: variable.pauses.map((p, i) => (owners[i] ? { ...p, elementId: owners[i] } : p)) };
}
