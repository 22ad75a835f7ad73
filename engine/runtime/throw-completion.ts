/* eslint-disable @typescript-eslint/no-explicit-any -- bpmn-elements listener APIs are untyped. */
/**
 * A throwing event completes when it throws (BPMN 2.0 execution semantics of throw events,
 * chapter 13: the event is thrown, then the throw or end event completes; it does not wait for
 * a catch). bpmn-elements publishes the throw first and the event's own `activity.end` later, and
 * never when the throw is caught by an interrupting catch (an error end event in a sub-process
 * cancelled by its error boundary, an escalation end event caught by an interrupting boundary):
 * history would then not show the event at all. The Recorder records `element.completed` at the
 * throw instead, once per execution, and ignores the `activity.end` that may follow.
 *
 * A link throw/catch pair is a virtual sequence flow (BPMN 2.0, Link event definition: a "go to"
 * or off-page connector): the throw completes, then the catch is reached. bpmn-elements ends the
 * catch inside the throw's publish, before the listener sees the throw, so the throw is recorded
 * when its catch ends, just before it.
 * The same for an error or escalation caught at once (a non-interrupting boundary runs its catch
 * before the listener sees the throw): the thrower is recorded at the catch, just before it.
 */

/** Listener events on which a throwing event completes. */
export const THROW_COMPLETIONS = ['activity.throw', 'activity.escalate', 'activity.link'] as const;

const THROWING_EVENTS = new Set(['bpmn:EndEvent', 'bpmn:IntermediateThrowEvent']);
const THROWN_DEFINITIONS = new Set(['bpmn:ErrorEventDefinition', 'bpmn:EscalationEventDefinition', 'bpmn:LinkEventDefinition']);

export interface Thrower {
  id: string;
  type: string;
  executionId: string;
}

interface Running extends Thrower {
  link: string | null;
  /** The error or escalation it throws (its id), when it references one. */
  ref: string | null;
}

function definitionsOf(api: any): any[] {
  return api?.owner?.behaviour?.eventDefinitions ?? [];
}

function linkName(api: any): string | null {
  const link = definitionsOf(api).find((d) => d?.type === 'bpmn:LinkEventDefinition');
  return link ? String(link.behaviour?.name ?? link.name ?? '') : null;
}

function refOf(api: any): string | null {
  for (const d of definitionsOf(api)) {
    const ref = d?.behaviour?.errorRef?.id ?? d?.behaviour?.escalationRef?.id;
    if (ref) return String(ref);
  }
  return null;
}

export class ThrowCompletions {
  /** Throw and end events running now (error, escalation, link), by execution id. */
  private readonly running = new Map<string, Running>();
  /** Executions already recorded as completed at their throw. */
  private readonly done = new Set<string>();

  /** `activity.start`: remember a throwing error, escalation or link event. */
  started(api: any): void {
    const type = api?.owner?.type ?? api?.type;
    if (!THROWING_EVENTS.has(type) || !definitionsOf(api).some((d) => THROWN_DEFINITIONS.has(d?.type))) return;
    this.running.set(api.executionId, { id: api.id, type, executionId: api.executionId, link: linkName(api), ref: refOf(api) });
  }

  /** A throw (`THROW_COMPLETIONS`): the thrower to record as completed now, if not yet recorded. */
  threw(api: any): Thrower | null {
    if (api?.content?.state !== 'throw') return null;
    return this.take(api?.executionId);
  }

  /**
   * `activity.catch`: a catch event took an error or escalation; its thrower completed before.
   * (bpmn-elements may run the catch, e.g. a non-interrupting boundary, before the listener sees the throw.)
   */
  caught(api: any): Thrower | null {
    if (!definitionsOf(api).some((d) => d?.type === 'bpmn:ErrorEventDefinition' || d?.type === 'bpmn:EscalationEventDefinition')) return null;
    const id = api?.content?.message?.id;
    for (const r of this.running.values()) if (r.link === null && (r.ref === null || !id || r.ref === String(id))) return this.take(r.executionId);
    return null;
  }

  /** A link catch ends: its throw (same link name), to record as completed just before it. */
  linkCaught(api: any): Thrower | null {
    const name = linkName(api);
    for (const r of this.running.values()) if (r.link !== null && (name === null || r.link === name)) return this.take(r.executionId);
    return null;
  }

  /** `activity.end` of an execution already recorded at its throw: not recorded again. */
  recorded(executionId: string): boolean {
    this.running.delete(executionId);
    return this.done.has(executionId);
  }

  private take(executionId: string | undefined): Thrower | null {
    const r = executionId ? this.running.get(executionId) : undefined;
    if (!r || this.done.has(r.executionId)) return null;
    this.running.delete(r.executionId);
    this.done.add(r.executionId);
    return { id: r.id, type: r.type, executionId: r.executionId };
  }
}
