import { elapsedBusinessMs, fromSlaClockRecord, type SlaClockRecord } from '../calendar';
import type { CommandKernel, HistoryDraft } from '../commands/kernel';
import { EngineError, EngineErrorCode } from '../errors';
import type { CommandStore, InstanceRecord } from '../persistence/ports';
import type { RunOutcome, RunnableDefinition } from '../runtime/instance-runner';
import type { CalendarLookup } from '../sla/sla';
import type { NewRecordLink, RecordPatch, RecordRow } from './ports';
import {
  CANCELLED_STATE, DEFAULT_END_STATE, INITIAL_STATE, RECORD_NUMBER, RESOLVED_STATE, isRecordType, recordNumber, type RecordType,
} from './types';

/** What a definition says about its record: the type, and the state each flow node sets. */
export interface RecordSpec {
  type: RecordType | null;
  /** element id → state it sets when it starts, and whether it is an end event. */
  states: ReadonlyMap<string, { state: string; end: boolean }>;
}

/** One link requested by the `linkRecord` handler (process variable `recordLinks`). */
export interface RequestedLink {
  to: string;
  kind: string;
}

/** Process variables the record reads (documented in README "Records"). */
export const RECORD_VARIABLES = {
  number: 'recordNumber',
  links: 'recordLinks',
  sourceRecord: 'sourceRecord',
  linkKind: 'linkKind',
} as const;

const specs = new WeakMap<RunnableDefinition, RecordSpec>();

/** Reads `itsm:recordType` and every `itsm:recordState` from a parsed definition (once per version). */
export function recordSpec(runnable: RunnableDefinition): RecordSpec {
  let spec = specs.get(runnable);
  if (spec) return spec;
  const context = runnable.sourceContext as {
    getProcesses(): { behaviour?: Record<string, unknown> }[];
    getActivities(): { id: string; type: string; behaviour?: Record<string, unknown> }[];
  };
  const process = context.getProcesses()[0];
  const type = process?.behaviour?.recordType;
  const states = new Map<string, { state: string; end: boolean }>();
  for (const activity of context.getActivities()) {
    const state = activity.behaviour?.recordState;
    if (typeof state === 'string' && state.trim()) states.set(activity.id, { state: state.trim(), end: activity.type === 'bpmn:EndEvent' });
  }
  spec = { type: isRecordType(type) ? type : null, states };
  specs.set(runnable, spec);
  return spec;
}

interface Allocated {
  number: string;
  type: RecordType;
  seq: number;
}

/**
 * ITSM records: every instance of a process with `itsm:recordType` gets a record row whose
 * number is allocated without gaps in the start command's transaction, whose state follows the
 * elements carrying `itsm:recordState`, and whose columns (title, priority, assignee, SLA) are
 * refreshed after every command on the instance, in the same transaction (an outcome hook).
 */
export class RecordKeeper {
  /** Numbers allocated in an open transaction, by store and instance id (consumed by the first persist). */
  private readonly allocated = new WeakMap<CommandStore, Map<string, Allocated>>();

  constructor(
    private readonly kernel: CommandKernel,
    private readonly calendars: CalendarLookup,
  ) {}

  /**
   * Allocates the record number of a new instance (null when the process keeps no record). The
   * number is counted only if the start commits: a failed start burns nothing (the store either
   * locks the counter row until the commit, or counts a reserved number at the commit, in order).
   */
  async allocate(store: CommandStore, runnable: RunnableDefinition, instanceId: string): Promise<string | null> {
    const { type } = recordSpec(runnable);
    if (!type) return null;
    const seq = await store.records.allocateRecordSeq(type);
    const number = recordNumber(type, seq);
    let pending = this.allocated.get(store);
    if (!pending) this.allocated.set(store, (pending = new Map()));
    pending.set(instanceId, { number, type, seq });
    return number;
  }

  async written(store: CommandStore, instance: InstanceRecord, outcome: RunOutcome, now: string): Promise<HistoryDraft[]> {
    const runnable = await this.kernel.runnable(store, instance.definitionId);
    const spec = recordSpec(runnable);
    if (!spec.type) return [];
    const drafts: HistoryDraft[] = [];
    let record: RecordRow | null;
    const fresh = this.allocated.get(store)?.get(instance.id);
    if (fresh) {
      this.allocated.get(store)!.delete(instance.id);
      await store.records.insertRecord({
        number: fresh.number, type: fresh.type, seq: fresh.seq, instanceId: instance.id, definitionKey: instance.definitionKey,
        state: INITIAL_STATE, openedBy: instance.startedBy, openedAt: instance.startedAt,
      });
      drafts.push(recordEvent('record.created', null, { number: fresh.number, type: fresh.type, state: INITIAL_STATE }));
      record = { number: fresh.number, type: fresh.type, instanceId: instance.id, state: INITIAL_STATE, acknowledgedAt: null, resolvedAt: null, closedAt: null };
    } else {
      record = await store.records.recordOfInstance(instance.id);
      if (!record) return [];
    }

    // State: each element with itsm:recordState that started in this run, in order.
    let state = record.state;
    let endStateSet = false;
    const changes: { from: string; to: string; elementId: string | null; elementType: string | null }[] = [];
    const move = (to: string, elementId: string | null, elementType: string | null) => {
      if (to !== state) changes.push({ from: state, to, elementId, elementType });
      state = to;
    };
    for (const event of outcome.events) {
      if (event.type !== 'element.started') continue;
      const mapped = spec.states.get(event.elementId);
      if (!mapped) continue;
      move(mapped.state, event.elementId, event.elementType);
      if (mapped.end) endStateSet = true;
    }
    if (outcome.status === 'completed' && !endStateSet) move(DEFAULT_END_STATE, null, 'bpmn:Process');
    for (const c of changes) drafts.push(recordEvent('record.state.changed', c, { number: record.number, from: c.from, to: c.to }));

    const tasks = await store.openTasks(instance.id);
    const patch = this.patch(record, state, changes.map((c) => c.to), outcome.variables, tasks.find((t) => t.assignee)?.assignee ?? null, outcome.status === 'completed', now);
    await store.records.updateRecord(record.number, patch);
    drafts.push(...(await this.links(store, instance, record.number, outcome, now, !!fresh)));
    return drafts;
  }

  /** Claim, unclaim, assign: the assignee column follows the open tasks. */
  async appended(store: CommandStore, instance: InstanceRecord): Promise<void> {
    const record = await store.records.recordOfInstance(instance.id);
    if (!record) return;
    const tasks = await store.openTasks(instance.id);
    const now = this.kernel.now();
    await store.records.updateRecord(record.number, this.patch(record, record.state, [], instance.variables, tasks.find((t) => t.assignee)?.assignee ?? null, false, now));
  }

  async cancelled(store: CommandStore, instance: InstanceRecord): Promise<HistoryDraft[]> {
    const record = await store.records.recordOfInstance(instance.id);
    if (!record) return [];
    const now = this.kernel.now();
    await store.records.updateRecord(record.number, this.patch(record, CANCELLED_STATE, [CANCELLED_STATE], instance.variables, null, true, now));
    return record.state === CANCELLED_STATE ? [] : [recordEvent('record.state.changed', { elementId: null, elementType: 'bpmn:Process' }, { number: record.number, from: record.state, to: CANCELLED_STATE })];
  }

  private patch(record: RecordRow, state: string, entered: string[], variables: Record<string, unknown>, taskAssignee: string | null, ended: boolean, now: string): RecordPatch {
    const acknowledgedAt = record.acknowledgedAt ?? dateOf(variables.acknowledgedAt) ?? (entered.some((s) => s !== INITIAL_STATE && s !== CANCELLED_STATE && s !== DEFAULT_END_STATE) ? now : null);
    const resolvedAt = entered.includes(RESOLVED_STATE) ? now : record.resolvedAt;
    const closedAt = record.closedAt ?? (ended ? now : null);
    const response = this.clock(variables, 'response', acknowledgedAt);
    const resolution = this.clock(variables, 'resolution', resolvedAt);
    const slas = variables.sla && typeof variables.sla === 'object' ? Object.values(variables.sla as Record<string, { status?: unknown }>) : [];
    return {
      state,
      title: text(variables.title) ?? text(variables.summary),
      priority: text(variables.priority),
      assignee: text(variables.assignee) ?? taskAssignee,
      acknowledgedAt,
      resolvedAt,
      closedAt,
      responseDueAt: response.dueAt,
      responseMet: response.met,
      responseElapsedMs: response.elapsedMs,
      resolutionDueAt: resolution.dueAt,
      resolutionMet: resolution.met,
      resolutionElapsedMs: resolution.elapsedMs,
      slaPaused: slas.some((s) => s && s.status === 'paused'),
      fields: variables,
      updatedAt: now,
    };
  }

  /** The SLA clock `sla.<name>`: its due date, and once `stoppedAt` is known its business time (pauses excluded) and whether it was met. */
  private clock(variables: Record<string, unknown>, name: string, stoppedAt: string | null): { dueAt: string | null; met: boolean | null; elapsedMs: number | null } {
    const record = (variables.sla as Record<string, (SlaClockRecord & { dueAt?: string | null }) | undefined> | undefined)?.[name];
    if (!record || typeof record !== 'object') return { dueAt: null, met: null, elapsedMs: null };
    const dueAt = typeof record.dueAt === 'string' ? record.dueAt : null;
    if (!stoppedAt) return { dueAt, met: null, elapsedMs: null };
    try {
      const clock = fromSlaClockRecord(record, this.calendars(record.calendar));
      const elapsedMs = elapsedBusinessMs(clock, new Date(stoppedAt));
      return { dueAt, met: elapsedMs <= clock.targetMs, elapsedMs };
    } catch {
      return { dueAt, met: null, elapsedMs: null };
    }
  }

  /**
   * Links requested in this run: by the `linkRecord` handler (variable `recordLinks`), and from
   * `sourceRecord` set on the instance (a message that started or reached it carried it).
   */
  private async links(store: CommandStore, instance: InstanceRecord, number: string, outcome: RunOutcome, now: string, started: boolean): Promise<HistoryDraft[]> {
    // A start's own variables count as set by it (the engine reports only what the run changed).
    const changed = started ? outcome.variables : outcome.changedVariables;
    const wanted: NewRecordLink[] = [];
    const createdBy = `process:${instance.definitionKey}`;
    if (RECORD_VARIABLES.links in changed) {
      const requested = requestedLinks(outcome.variables[RECORD_VARIABLES.links]);
      const unknown = new Set(requested.map((l) => l.to));
      for (const found of await store.records.existingRecords([...unknown])) unknown.delete(found);
      if (unknown.size) {
        throw new EngineError(EngineErrorCode.InvalidRequest, `linkRecord: no record ${[...unknown].join(', ')} (record ${number})`, { details: { unknownRecords: [...unknown] } });
      }
      for (const l of requested) if (l.to !== number) wanted.push({ from: number, to: l.to, kind: l.kind, createdAt: now, createdBy });
    }
    const source = outcome.variables[RECORD_VARIABLES.sourceRecord];
    if (RECORD_VARIABLES.sourceRecord in changed && typeof source === 'string' && RECORD_NUMBER.test(source) && source !== number) {
      if ((await store.records.existingRecords([source])).length) {
        const kind = text(outcome.variables[RECORD_VARIABLES.linkKind]) ?? 'related';
        wanted.push({ from: source, to: number, kind: kind.slice(0, 64), createdAt: now, createdBy });
      }
    }
    if (!wanted.length) return [];
    const inserted = await store.records.insertRecordLinks(wanted);
    return inserted.map((l) => recordEvent('record.linked', null, { from: l.from, to: l.to, kind: l.kind }));
  }
}

/** The `recordLinks` variable as the linkRecord handler writes it (anything else is ignored). */
export function requestedLinks(value: unknown): RequestedLink[] {
  if (!Array.isArray(value)) return [];
  return value.filter((l): l is RequestedLink => !!l && typeof l === 'object' && typeof l.to === 'string' && RECORD_NUMBER.test(l.to) && typeof l.kind === 'string');
}

function recordEvent(type: string, at: { elementId: string | null; elementType: string | null } | null, payload: Record<string, unknown>): HistoryDraft {
  return { type, elementId: at?.elementId ?? null, elementType: at?.elementType ?? null, executionId: null, actor: null, payload };
}

function text(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string' || !value.trim()) return null;
  return value.trim().slice(0, 500);
}

function dateOf(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const d = new Date(value);
  return Number.isFinite(d.getTime()) ? d.toISOString() : null;
}
