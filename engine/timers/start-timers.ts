import type { TimerSpec } from './schedule';

/** A timer start event of a process: what schedules new instances. */
export interface TimerStartEvent {
  elementId: string;
  spec: TimerSpec;
}

interface ContextActivity {
  id: string;
  type: string;
  parent?: { type?: string };
  behaviour?: { eventDefinitions?: { type: string; behaviour?: TimerSpec }[] };
}

/** The timer start events directly in the process (event sub-process starts: runtime/event-subprocess-timers.ts). */
export function timerStartEvents(sourceContext: unknown): TimerStartEvent[] {
  const activities = (sourceContext as { getActivities(): ContextActivity[] }).getActivities();
  return activities
    .filter((a) => a.type === 'bpmn:StartEvent' && a.parent?.type === 'bpmn:Process')
    .flatMap((a) =>
      (a.behaviour?.eventDefinitions ?? [])
        .filter((d) => d.type === 'bpmn:TimerEventDefinition')
        .map((d) => ({ elementId: a.id, spec: pickTimerSpec(d.behaviour ?? {}) })),
    );
}

/** The timer fields of a parsed timer event definition's behaviour. */
export function pickTimerSpec(b: TimerSpec): TimerSpec {
  const spec: TimerSpec = {};
  if (b.timeCycle) spec.timeCycle = String(b.timeCycle);
  if (b.timeDate) spec.timeDate = String(b.timeDate);
  if (b.timeDuration) spec.timeDuration = String(b.timeDuration);
  return spec;
}

/** The single text form stored on a job row. */
export function specText(spec: TimerSpec): string | null {
  return spec.timeCycle ?? spec.timeDate ?? spec.timeDuration ?? null;
}
