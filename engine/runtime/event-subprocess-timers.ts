import { firstOccurrence, nextOccurrence, type TimerSpec } from '../timers/schedule';
import { pickTimerSpec, specText } from '../timers/start-timers';
import { isExpression } from '../definitions/expression-rules';
import type { Clock } from '../clock';
import { EngineError, EngineErrorCode } from '../errors';
import type { PendingTimer } from './durable-timers';

/**
 * Timer start events of event sub-processes (`<subProcess triggeredByEvent="true">`).
 *
 * bpmn-engine never starts such a sub-process by itself: its start event is only armed by events
 * thrown inside the process (ENGINE_NOTES §1, exp 26). The runner therefore arms these timers
 * itself, as durable timer jobs of the instance, while the process runs:
 *
 * - when the instance starts, each event sub-process timer start is armed (`timeDuration` from
 *   the start, `timeDate` at its date, `timeCycle` at its first repetition; expressions are
 *   resolved against the instance's variables once it first waits; one that resolves to nothing
 *   leaves the timer unarmed, one that fails or yields no valid date fails the command);
 * - when the job fires (`timer.fire`), the event sub-process is run and its start event's own
 *   engine timer is fired at once, so the history shows the start event firing;
 * - an interrupting start (`isInterrupting`, the BPMN default) then cancels every other token of
 *   the process and disarms the other event sub-process timers; a non-interrupting one leaves the
 *   process alone and, for a cycle, arms the next repetition;
 * - when the process ends, the armed timers go with it (their jobs are deleted and recorded as
 *   cancelled).
 *
 * Only event sub-processes directly in the process are supported; deploy refuses nested ones.
 * A non-interrupting event sub-process that is still running when its cycle fires again is not
 * started a second time (bpmn-engine runs one execution of an activity at a time); the firing is
 * recorded with `skipped` in its history payload.
 */
export interface EventSubProcessTimerStart {
  /** The event sub-process. */
  subProcessId: string;
  /** Its timer start event. */
  elementId: string;
  interrupting: boolean;
  spec: TimerSpec;
}

interface ContextActivity {
  id: string;
  type: string;
  parent?: { id?: string; type?: string };
  behaviour?: { isInterrupting?: boolean; eventDefinitions?: { type: string; behaviour?: TimerSpec }[] };
}

interface ContextSubProcess {
  id: string;
  type: string;
  parent?: { type?: string };
  behaviour?: { triggeredByEvent?: boolean };
}

const cache = new WeakMap<object, EventSubProcessTimerStart[]>();

/** The timer start events of the event sub-processes directly in the process (cached per parsed definition). */
export function eventSubProcessTimerStarts(sourceContext: unknown): EventSubProcessTimerStart[] {
  const key = sourceContext as object;
  let found = cache.get(key);
  if (found) return found;
  const context = sourceContext as { getActivities(): (ContextActivity & ContextSubProcess)[] };
  const activities = context.getActivities();
  const eventSubProcesses = new Set(
    activities.filter((a) => a.type === 'bpmn:SubProcess' && a.behaviour?.triggeredByEvent && a.parent?.type === 'bpmn:Process').map((a) => a.id),
  );
  found = activities
    .filter((a) => a.type === 'bpmn:StartEvent' && a.parent?.id !== undefined && eventSubProcesses.has(a.parent.id))
    .flatMap((a) =>
      (a.behaviour?.eventDefinitions ?? [])
        .filter((d) => d.type === 'bpmn:TimerEventDefinition')
        .map((d) => ({
          subProcessId: a.parent!.id!,
          elementId: a.id,
          interrupting: a.behaviour?.isInterrupting !== false,
          spec: pickTimerSpec(d.behaviour ?? {}),
        })),
    );
  cache.set(key, found);
  return found;
}

/** How an armed event sub-process timer is kept in the instance snapshot. */
export interface StoredEventTimer {
  executionId: string;
  elementId: string;
  dueAt: string;
  spec: string | null;
  repeat: number | null;
}

export function storeEventTimers(timers: readonly PendingTimer[]): StoredEventTimer[] {
  return timers.map((t) => ({ ...t, dueAt: t.dueAt.toISOString() }));
}

export function loadEventTimers(stored: readonly StoredEventTimer[] | undefined): PendingTimer[] {
  return (stored ?? []).map((t) => ({ ...t, dueAt: new Date(t.dueAt) }));
}

/** Resolves an expression in a timer field against the instance's variables. */
export type ResolveTimerValue = (value: string) => unknown;

/**
 * Arms every event sub-process timer start of a newly started instance. A timer that never fires
 * (an expression that resolves to nothing, a cycle of zero repetitions) is not armed.
 */
export function armEventTimers(
  starts: readonly EventSubProcessTimerStart[],
  resolve: ResolveTimerValue,
  clock: Clock,
  timeZone: string,
): PendingTimer[] {
  const armed: PendingTimer[] = [];
  for (const start of starts) {
    const spec = resolveSpec(start.spec, resolve);
    if (!spec) continue;
    let first: ReturnType<typeof firstOccurrence> = null;
    try {
      first = firstOccurrence(spec, clock.now(), timeZone);
    } catch (error) {
      throw new EngineError(EngineErrorCode.ProcessFailed, `element "${start.elementId}" failed: its timer is not a valid date, duration or cycle: ${(error as Error).message}`, {
        details: { elementId: start.elementId },
      });
    }
    if (first && Number.isNaN(first.dueAt.getTime())) {
      throw new EngineError(EngineErrorCode.ProcessFailed, `element "${start.elementId}" failed: its timer "${specText(spec)}" is not a valid date`, { details: { elementId: start.elementId } });
    }
    if (!first) continue;
    armed.push({ executionId: executionIdFor(start, 1), elementId: start.elementId, dueAt: first.dueAt, spec: specText(spec), repeat: first.remaining });
  }
  return armed;
}

/** The next repetition of a non-interrupting cycle after `fired`, or null when it was the last. */
export function nextEventTimer(start: EventSubProcessTimerStart, fired: PendingTimer, clock: Clock, timeZone: string): PendingTimer | null {
  if (fired.spec === null || fired.repeat === null) return null;
  const spec: TimerSpec = start.spec.timeCycle !== undefined ? { timeCycle: fired.spec } : {};
  const next = nextOccurrence(spec, { dueAt: fired.dueAt, remaining: fired.repeat }, clock.now(), timeZone);
  if (!next) return null;
  return { executionId: executionIdFor(start, sequenceOf(fired.executionId) + 1), elementId: start.elementId, dueAt: next.dueAt, spec: fired.spec, repeat: next.remaining };
}

/** Stable, unique per repetition: `<startEventId>:esp:<n>` (engine execution ids never contain a colon). */
function executionIdFor(start: EventSubProcessTimerStart, n: number): string {
  return `${start.elementId}:esp:${n}`;
}

export function isEventTimerExecutionId(executionId: string): boolean {
  return /:esp:\d+$/.test(executionId);
}

function sequenceOf(executionId: string): number {
  return Number(/:esp:(\d+)$/.exec(executionId)?.[1] ?? 0);
}

function resolveSpec(spec: TimerSpec, resolve: ResolveTimerValue): TimerSpec | null {
  const out: TimerSpec = {};
  for (const field of ['timeDate', 'timeDuration', 'timeCycle'] as const) {
    const raw = spec[field];
    if (raw === undefined) continue;
    const value = isExpression(raw.trim()) ? resolve(raw.trim()) : raw;
    if (value === null || value === undefined || value === '') continue;
    out[field] = value instanceof Date ? value.toISOString() : String(value);
  }
  return Object.keys(out).length ? out : null;
}
