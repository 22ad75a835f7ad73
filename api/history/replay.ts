import type { HistoryEventRecord } from '../../engine';

/** One history event with what the instance looked like right after it (see {@link replaySteps}). */
export interface ReplayStep {
  event: HistoryEventRecord;
  /** Element ids holding a token after this event (an element appears once per token). */
  tokens: string[];
  /** Variable names this event changed (set, changed or removed). */
  changed: string[];
  /**
   * Every process variable after this event. Sent only where `changed` is not empty (and on the
   * first step): a step without it has the variables of the step before.
   */
  variables?: Record<string, unknown>;
}

export interface Replay {
  steps: ReplayStep[];
  /** The variables after the last event. */
  variables: Record<string, unknown>;
}

/** Events after which no token is left in the instance. */
const ENDS = new Set(['instance.ended', 'instance.cancelled', 'instance.failed']);

/**
 * Replays an instance's history (ordered by seq): where its tokens were and which variables it
 * held after every event. Variables come from what history records: the start variables of
 * `instance.started` (the caller's, then `assignedVariables`, those the engine set: initiator,
 * record number) and the `variables.changed` delta every command writes when it commits (a
 * removed variable is recorded as null). So the variables change at command boundaries, the only
 * states that were ever committed: the events of one command (a completion, the service tasks
 * and gateways it ran through) share the variables of the command before until its delta.
 */
export function replaySteps(events: readonly HistoryEventRecord[]): Replay {
  const variables: Record<string, unknown> = {};
  /** executionId (or a synthetic key) → element id. */
  const tokens = new Map<string, string>();
  const steps: ReplayStep[] = [];
  for (const [index, event] of events.entries()) {
    const changed = applyVariables(event, variables);
    moveTokens(event, tokens);
    const step: ReplayStep = { event, tokens: [...tokens.values()], changed };
    if (changed.length || index === 0) step.variables = structuredClone(variables);
    steps.push(step);
  }
  return { steps, variables };
}

function applyVariables(event: HistoryEventRecord, variables: Record<string, unknown>): string[] {
  const payload = event.payload ?? {};
  let deltas: unknown[] = [];
  // The caller's start variables, then those the engine set beside them (initiator, record number).
  if (event.type === 'instance.started') deltas = [payload.variables, payload.assignedVariables];
  else if (event.type === 'variables.changed') deltas = [payload.changes];
  const changed: string[] = [];
  for (const delta of deltas) {
    if (!delta || typeof delta !== 'object' || Array.isArray(delta)) continue;
    for (const [name, value] of Object.entries(delta as Record<string, unknown>)) {
      if (JSON.stringify(variables[name]) === JSON.stringify(value)) continue;
      // The engine records a removed variable as null; a variable set to null reads the same.
      variables[name] = value;
      if (!changed.includes(name)) changed.push(name);
    }
  }
  return changed;
}

/** A token enters an element when it starts and leaves when it completes or is cancelled (a failed element keeps it: it waits for a retry). */
function moveTokens(event: HistoryEventRecord, tokens: Map<string, string>): void {
  if (ENDS.has(event.type)) tokens.clear();
  // A multi-instance activity's body is no token of its own: its instances are (each with a loopCounter).
  else if (!event.elementId || event.payload?.multiInstanceBody) return;
  else if (event.type === 'element.started' || event.type === 'element.waiting') tokens.set(event.executionId ?? event.elementId, event.elementId);
  else if (event.type === 'element.completed' || event.type === 'element.cancelled') tokens.delete(event.executionId ?? event.elementId);
}
