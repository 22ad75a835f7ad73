import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { Orchestrator, type CalendarLookup, type Clock, type HistoryKeyring, type ServiceHandlerRegistry } from '../../engine';
import { TypeormTransactionRunner } from '../engine-host/typeorm-transaction-runner';
import type { CatalogueDocument, FormComponent, FormSchema } from './catalogue';

const DAY = 24 * 3600_000;

/** A clock that starts `startAgoMs` in the past and only moves forward when told to. */
export class DemoClock implements Clock {
  private offset: number;
  constructor(startAgoMs: number) {
    this.offset = -startAgoMs;
  }
  now(): Date {
    return new Date(Date.now() + this.offset);
  }
  offsetMs(): number {
    return this.offset;
  }
  /** Moves forward, but never past the real time. */
  advance(ms: number): void {
    this.offset = Math.min(0, this.offset + Math.max(0, ms));
  }
}

/** A small seeded pseudo-random generator (same demo set for the same seed). */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface DemoOptions {
  dataSource: DataSource;
  /** Seals the demo history like any other (api/history/history-keys.ts). */
  ring: HistoryKeyring;
  handlers: ServiceHandlerRegistry;
  calendars: CalendarLookup;
  timeZone: string;
  documents: CatalogueDocument[];
  /** Process keys to start. */
  keys: string[];
  /** Process key → extra start variables. */
  startVariables?: Record<string, Record<string, unknown>>;
  /** How many instances to start (records). */
  records: number;
  /** Users who work the tasks (demo users). */
  users: string[];
  days?: number;
  seed?: number;
}

export interface DemoSummary {
  started: number;
  completedTasks: number;
  firedTimers: number;
  failures: number;
  /** Refusals by error code (e.g. a generated value a form or rule refused). */
  failureCodes: Record<string, number>;
  ms: number;
}

/**
 * Creates a demo data set through the real commands: a separate Orchestrator on the same
 * database with a clock that walks from `days` ago to now, starting instances of `keys`,
 * completing their tasks with values generated from the task's form schema and firing the
 * timers that fall due (SLA escalations, auto-close). Tasks of the last days stay open, so the
 * task list has content; some early ones are left to breach their SLA.
 */
export async function createDemoData(o: DemoOptions): Promise<DemoSummary> {
  const t0 = Date.now();
  const days = o.days ?? 60;
  const random = prng(o.seed ?? 20000);
  const clock = new DemoClock(days * DAY);
  const orchestrator = new Orchestrator({ transactions: new TypeormTransactionRunner(o.dataSource, o.ring), handlers: o.handlers, clock, calendars: o.calendars, timeZone: o.timeZone });
  const formOf = new Map<string, FormSchema>(); // `${processKey}/${elementId}` → schema
  for (const doc of o.documents) {
    const key = /<bpmn:process\b[^>]*\bid="([^"]+)"/.exec(doc.xml)?.[1];
    if (!key) continue;
    for (const m of doc.xml.matchAll(/<bpmn:(?:userTask|startEvent)\b[^>]*>/g)) {
      const id = /\bid="([^"]+)"/.exec(m[0])?.[1];
      const form = /camunda:form(?:Ref|Key)="([^"]+)"/.exec(m[0])?.[1];
      const schema = form ? doc.schemas.get(form) : undefined;
      if (id && schema) formOf.set(`${key}/${id}`, schema);
      if (schema && m[0].startsWith('<bpmn:startEvent')) formOf.set(`${key}/#start`, schema);
    }
  }
  const summary: DemoSummary = { started: 0, completedTasks: 0, firedTimers: 0, failures: 0, failureCodes: {}, ms: 0 };
  const fail = (err: unknown) => {
    summary.failures++;
    const e = err as { code?: string; message?: string };
    const code = `${e.code ?? 'ERROR'}${process.env.DEMO_DEBUG ? `: ${e.message}` : ''}`;
    summary.failureCodes[code] = (summary.failureCodes[code] ?? 0) + 1;
  };
  const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)];
  const steps = Math.max(1, Math.min(o.records * 2, days * 8));
  const step = (days * DAY) / steps;
  let toStart = o.records;
  for (let i = 0; i < steps; i++) {
    const remainingSteps = steps - i;
    // Spread the starts evenly over the 60 days (the last step starts whatever is left).
    const expected = toStart / remainingSteps;
    const now = remainingSteps === 1 ? toStart : Math.floor(expected) + (random() < expected - Math.floor(expected) ? 1 : 0);
    for (let n = 0; n < Math.min(now, toStart); n++) {
      const key = pick(o.keys);
      const starter = pick(o.users);
      try {
        await orchestrator.start({ definitionKey: key, variables: { ...valuesFor(formOf.get(`${key}/#start`), random, starter, clock.now()), ...o.startVariables?.[key] }, actor: starter });
        summary.started++;
      } catch (err) {
        fail(err);
      }
      toStart--;
    }
    // Work on open tasks; the closer to now, the less work gets done (recent records stay open).
    const workRate = -clock.offsetMs() > 5 * DAY ? 0.6 : 0.03; // the last five days stay mostly open
    const open = await o.dataSource.query(`SELECT id, definition_key, element_id, assignee FROM user_task WHERE status = 'open' ORDER BY created_at LIMIT 200`);
    for (const task of open as { id: string; definition_key: string; element_id: string; assignee: string | null }[]) {
      if (random() > workRate) continue;
      const values = valuesFor(formOf.get(`${task.definition_key}/${task.element_id}`), random, pick(o.users), clock.now());
      const actors = task.assignee ? [task.assignee] : [...o.users].sort(() => random() - 0.5);
      for (const actor of actors) {
        try {
          await orchestrator.completeTask(task.id, actor, values);
          summary.completedTasks++;
          break;
        } catch (err) {
          const code = (err as { code?: string }).code;
          if (code === 'FORBIDDEN') continue; // segregation of duties: another demo user
          if (code !== 'TASK_NOT_OPEN') fail(err); // not open: cancelled meanwhile (a quorum was reached)
          break;
        }
      }
    }
    clock.advance(step * (0.5 + random()));
    try {
      for (let round = 0; round < 20; round++) {
        const fired = await orchestrator.fireDueTimers(`demo-${randomUUID()}`, { batchSize: 200 });
        summary.firedTimers += fired.fired;
        if (!fired.claimed) break;
      }
    } catch (err) {
      fail(err);
    }
  }
  summary.ms = Date.now() - t0;
  return summary;
}

/** Values that pass the form's validation: enums pick a value, numbers their range, text a sample. */
export function valuesFor(schema: FormSchema | undefined, random: () => number, user: string, now: Date): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const walk = (components: FormComponent[] | undefined) => {
    for (const c of components ?? []) {
      if (c.components) walk(c.components);
      if (!c.key) continue;
      const v = c.validate ?? {};
      const values = (c.values ?? []).map((x) => x.value);
      if (values.length) out[c.key] = random() < 0.6 ? values[0] : values[Math.floor(random() * values.length)]; // the first option is the usual path
      else if (c.type === 'checkbox') out[c.key] = v.required ? true : random() < 0.7;
      else if (c.type === 'number') {
        const min = v.min ?? 0;
        const max = v.max ?? min + 10;
        out[c.key] = Math.round(min + random() * (max - min));
      } else if (c.type === 'datetime') {
        if (v.required) out[c.key] = new Date(now.getTime() + (/end/i.test(c.key) ? 3 : 1 + random()) * DAY).toISOString();
      } else if (c.type === 'textfield' || c.type === 'textarea') {
        if (v.pattern) {
          if (/A-Za-z0-9/.test(v.pattern) && new RegExp(v.pattern).test(user)) out[c.key] = user;
          else if (!v.required) continue;
          else out[c.key] = user;
        } else if (v.required || random() < 0.5) out[c.key] = sampleText(c.key, random).slice(0, v.maxLength ?? 200);
      }
    }
  };
  walk(schema?.components);
  return out;
}

const SUBJECTS = ['E-mail not syncing', 'VPN drops every hour', 'Printer on floor 3 offline', 'Payroll export fails', 'Laptop will not boot', 'Slow CRM search', 'Password reset', 'New starter account', 'Database disk nearly full', 'Certificate renewal', 'Wi-Fi in meeting room', 'ERP batch job late'];
function sampleText(key: string, random: () => number): string {
  const subject = SUBJECTS[Math.floor(random() * SUBJECTS.length)];
  return /title|summary|subject/i.test(key) ? subject : `${subject}: demo ${key}`;
}
