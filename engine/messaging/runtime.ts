import { evaluateExpression } from '../expressions';
import { EngineError, EngineErrorCode } from '../errors';
import type { ObservedEvent } from '../runtime/instance-runner';
import type { EventKind, MessagingCatalog } from './catalog';

/**
 * The runner side of messages and signals: which catches wait after a run (the host keeps one
 * `event_subscription` row per waiting catch), and which messages and signals the run threw (the
 * host writes them to the outbox).
 *
 * Event sub-process message and signal starts are not started by bpmn-engine from outside
 * (ENGINE_NOTES §1): while the process runs and the event sub-process is not running, each of
 * them is reported as waiting under the synthetic execution id `<startEventId>:esm`; delivering to
 * it runs the event sub-process (see InstanceRunner.deliverEvent).
 */
export interface WaitingSubscription {
  kind: EventKind;
  name: string;
  correlationKey: string | null;
  elementId: string;
  elementType: string;
  executionId: string;
}

/** A message or signal a throw event or send task of this run emitted. */
export interface ThrownEvent {
  kind: EventKind;
  name: string;
  correlationKey: string | null;
  elementId: string;
  elementType: string;
}

/** What a delivered message or signal hands the catch (its variables are merged into the process variables). */
export interface EventPayload {
  kind: EventKind;
  name: string;
  correlationKey: string | null;
  variables: Record<string, unknown>;
}

const EVENT_START_SUFFIX = ':esm';

export function eventStartExecutionId(elementId: string): string {
  return `${elementId}${EVENT_START_SUFFIX}`;
}

export function eventStartElementId(executionId: string): string | null {
  return executionId.endsWith(EVENT_START_SUFFIX) ? executionId.slice(0, -EVENT_START_SUFFIX.length) : null;
}

/**
 * The correlation key a subscription gets when it opens: the expression's value as text (null
 * when there is no expression or it yields nothing).
 * @throws EngineError PROCESS_FAILED when the expression fails
 */
export function correlationKeyOf(expression: string | null, variables: Record<string, unknown>, elementId: string): string | null {
  if (!expression) return null;
  const fail = (error: unknown): never => {
    throw new EngineError(EngineErrorCode.ProcessFailed, `element "${elementId}" failed: its correlation key "${expression}" could not be evaluated: ${error instanceof Error ? error.message : String(error)}`, {
      details: { elementId },
    });
  };
  let value: unknown;
  try {
    value = evaluateExpression(expression, variables, { onError: (_e, error) => fail(error) });
  } catch (error) {
    if (error instanceof EngineError) throw error;
    fail(error);
  }
  if (value === null || value === undefined || value === '') return null;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/**
 * The catches waiting after a run, from the flattened postponed activities. `runningIds` are the
 * element ids holding a token (an event sub-process is one while it runs).
 */
export function waitingSubscriptions(
  catalog: MessagingCatalog,
  postponed: readonly { id: string; type: string; executionId: string }[],
  variables: Record<string, unknown>,
  completed: boolean,
): WaitingSubscription[] {
  if (completed || !catalog.any) return [];
  const out: WaitingSubscription[] = [];
  const running = new Set(postponed.map((a) => a.id));
  for (const a of postponed) {
    const entry = catalog.catches.get(a.id);
    // Start events of the process only wait while a start is being decided; event sub-process
    // start events wait inside their running sub-process only for an instant.
    if (!entry || entry.processStart || entry.eventSubProcess) continue;
    out.push(subscription(entry, a.executionId, variables));
  }
  const interrupted = catalog.eventStarts.some((s) => s.eventSubProcess!.interrupting && running.has(s.eventSubProcess!.subProcessId));
  if (!interrupted) {
    for (const start of catalog.eventStarts) {
      // A running non-interrupting one keeps its subscription: a trigger is queued (event-subprocess-queue.ts).
      if (running.has(start.eventSubProcess!.subProcessId) && start.eventSubProcess!.interrupting) continue;
      out.push(subscription(start, eventStartExecutionId(start.elementId), variables));
    }
  }
  return out;
}

function subscription(entry: { kind: EventKind; name: string; correlationKey: string | null; elementId: string; elementType: string }, executionId: string, variables: Record<string, unknown>): WaitingSubscription {
  return {
    kind: entry.kind,
    name: entry.name,
    correlationKey: entry.kind === 'message' ? correlationKeyOf(entry.correlationKey, variables, entry.elementId) : null,
    elementId: entry.elementId,
    elementType: entry.elementType,
    executionId,
  };
}

/** Messages and signals thrown in this run: every throw event or send task that completed. */
export function thrownEvents(catalog: MessagingCatalog, events: readonly ObservedEvent[], variables: Record<string, unknown>): ThrownEvent[] {
  if (!catalog.throws.size) return [];
  const out: ThrownEvent[] = [];
  for (const e of events) {
    // A multi-instance send task sends once per instance, not once more for the whole activity.
    if (e.type !== 'element.completed' || e.payload?.multiInstanceBody) continue;
    const entry = catalog.throws.get(e.elementId);
    if (!entry) continue;
    out.push({
      kind: entry.kind,
      name: entry.name,
      correlationKey: entry.kind === 'message' ? correlationKeyOf(entry.correlationKey, variables, entry.elementId) : null,
      elementId: entry.elementId,
      elementType: entry.elementType,
    });
  }
  return out;
}
