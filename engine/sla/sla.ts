import { addBusinessDuration, dueAt, escalationTimes, isPaused, startSlaClock, toSlaClockRecord, type BusinessCalendar, type SlaClock, type SlaClockRecord } from '../calendar';
import { BpmnBusinessError, type ServiceHandler } from '../services/service-handler';

/** Finds a business calendar by name (the host keeps them in memory; no I/O inside a command). */
export type CalendarLookup = (name: string) => BusinessCalendar;

/** The process variable `sla.<name>`: the stored clock plus what diagrams read from it. */
export interface SlaVariable extends SlaClockRecord {
  name: string;
  status: 'running' | 'paused';
  /** When the target is reached; null while paused. */
  dueAt: string | null;
  /** 50 / 75 / 100 % of the target (ISO 8601; null while paused), for escalation timers. */
  escalations: { at50: string | null; at75: string | null; at100: string | null };
}

/** What an SLA clock looks like as a process variable. */
export function slaVariable(name: string, clock: SlaClock): SlaVariable {
  const [at50, at75, at100] = escalationTimes(clock, [0.5, 0.75, 1]).map((d) => d?.toISOString() ?? null);
  return {
    name,
    ...toSlaClockRecord(clock),
    status: isPaused(clock) ? 'paused' : 'running',
    dueAt: dueAt(clock)?.toISOString() ?? null,
    escalations: { at50: at50 ?? null, at75: at75 ?? null, at100: at100 ?? null },
  };
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

function input(inputs: Readonly<Record<string, unknown>>, key: string, fallback?: string): string {
  const value = inputs[key] ?? fallback;
  if (typeof value !== 'string' || !value.trim()) throw new BpmnBusinessError('INVALID_INPUT', `input parameter "${key}" is required`);
  return value.trim();
}

function calendarOf(calendars: CalendarLookup, name: string): BusinessCalendar {
  try {
    return calendars(name);
  } catch {
    throw new BpmnBusinessError('INVALID_INPUT', `no business calendar named "${name}"`);
  }
}

/**
 * The SLA handlers, bound to the host's calendars:
 *  - `startSla` (inputs `name`, `target` such as PT4H or P3D, `calendar` default business-hours,
 *    optional `from`) starts the clock `sla.<name>`; a boundary timer then uses
 *    `timeDate="${sla.<name>.dueAt}"` (or `.escalations.at75`), which pause/resume re-arm.
 *  - `businessDueDate` (inputs `duration`, `calendar`, optional `from`, `resultVariable` default
 *    `dueAt`) sets one date N business hours/days ahead.
 */
export function slaHandlers(calendars: CalendarLookup): ServiceHandler[] {
  return [
    {
      name: 'startSla',
      description: 'Starts the SLA clock sla.<name> (inputs: name, target, calendar, from).',
      inputs: [
        { name: 'name', description: 'Clock name (an identifier): the clock is the variable sla.<name>', required: true },
        { name: 'target', description: 'ISO 8601 duration of business time, e.g. PT4H or P3D', required: true },
        { name: 'calendar', description: 'Business calendar (default business-hours)', kind: 'calendar' },
        { name: 'from', description: 'Start date (default: now)' },
      ],
      run({ inputs, variables, now }) {
        const name = input(inputs, 'name');
        if (!NAME.test(name)) throw new BpmnBusinessError('INVALID_INPUT', `SLA name "${name}" must be an identifier`);
        const calendar = calendarOf(calendars, input(inputs, 'calendar', 'business-hours'));
        const from = inputs.from ? new Date(String(inputs.from)) : now;
        if (Number.isNaN(from.getTime())) throw new BpmnBusinessError('INVALID_INPUT', `from "${String(inputs.from)}" is not a date`);
        let clock: SlaClock;
        try {
          clock = startSlaClock(calendar, from, input(inputs, 'target'));
        } catch (error) {
          throw new BpmnBusinessError('INVALID_INPUT', (error as Error).message);
        }
        const existing = variables.sla && typeof variables.sla === 'object' ? (variables.sla as Record<string, unknown>) : {};
        return { sla: { ...existing, [name]: slaVariable(name, clock) } };
      },
    },
    {
      name: 'businessDueDate',
      description: 'Sets resultVariable (default dueAt) to from + duration in business time under calendar.',
      inputs: [
        { name: 'duration', description: 'ISO 8601 duration of business time, e.g. PT8H or P5D', required: true },
        { name: 'calendar', description: 'Business calendar (default business-hours)', kind: 'calendar' },
        { name: 'from', description: 'Start date (default: now)' },
        { name: 'resultVariable', description: 'Variable that receives the date (default dueAt)' },
      ],
      run({ inputs, now }) {
        const calendar = calendarOf(calendars, input(inputs, 'calendar', 'business-hours'));
        const from = inputs.from ? new Date(String(inputs.from)) : now;
        const resultVariable = input(inputs, 'resultVariable', 'dueAt');
        try {
          return { [resultVariable]: addBusinessDuration(calendar, from, input(inputs, 'duration')).toISOString() };
        } catch (error) {
          throw new BpmnBusinessError('INVALID_INPUT', (error as Error).message);
        }
      },
    },
  ];
}
