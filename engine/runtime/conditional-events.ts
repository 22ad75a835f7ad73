/**
 * Conditional events (BPMN 2.0.2 §10.5.4: "triggered when a condition becomes true").
 *
 * bpmn-elements evaluates the condition of a conditional catch (intermediate or boundary) when the
 * event is entered, and afterwards only when the event is signalled; nothing watches variables
 * (ENGINE_NOTES §1). It never starts an event sub-process with a conditional start. So after every
 * command has run to its wait states, the runner:
 *
 * 1. signals every waiting conditional catch event, in any scope: bpmn-elements re-evaluates its
 *    condition (our safe evaluator, `=...` FEEL or `${...}`) and, when it holds, completes it (an
 *    interrupting boundary event cancels its activity; an event-based gateway discards the
 *    other branches);
 * 2. evaluates the condition of every conditional start event of an event sub-process directly in
 *    the process against the process variables and, when it went from false to true since the
 *    last evaluation, runs that event sub-process (an interrupting one first cancels every other
 *    token of the process). The last value of each condition is kept in the snapshot;
 * 3. repeats while something fired (a fired event may change variables that another condition
 *    reads), at most {@link MAX_ROUNDS} times: beyond, the command fails (a diagram whose
 *    conditions keep triggering each other).
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- bpmn-engine's typings are loose; this file is an adapter over them. */
import type { Engine } from 'bpmn-engine';
import { evaluateExpression } from '../expressions';
import { EngineError, EngineErrorCode } from '../errors';
import { untilQuiescent, type EngineEvents, type Quiescence } from './quiescence';

/** Evaluation rounds after one command; a diagram needing more is looping. */
export const MAX_ROUNDS = 16;

export interface ConditionalEventSubProcessStart {
  subProcessId: string;
  /** The conditional start event. */
  elementId: string;
  interrupting: boolean;
  /** `${...}` or `=...` (checked at deploy). */
  expression: string;
}

interface ContextActivity {
  id: string;
  type: string;
  parent?: { id?: string; type?: string };
  behaviour?: { isInterrupting?: boolean; triggeredByEvent?: boolean; eventDefinitions?: { type: string; behaviour?: { expression?: string } }[] };
}

const cache = new WeakMap<object, ConditionalEventSubProcessStart[]>();

/** The conditional start events of the event sub-processes directly in the process (cached per parsed definition). */
export function conditionalEventSubProcessStarts(sourceContext: unknown): ConditionalEventSubProcessStart[] {
  const key = sourceContext as object;
  let found = cache.get(key);
  if (found) return found;
  const activities = (sourceContext as { getActivities(): ContextActivity[] }).getActivities();
  const eventSubProcesses = new Set(
    activities.filter((a) => a.type === 'bpmn:SubProcess' && a.behaviour?.triggeredByEvent && a.parent?.type === 'bpmn:Process').map((a) => a.id),
  );
  found = activities
    .filter((a) => a.type === 'bpmn:StartEvent' && a.parent?.id !== undefined && eventSubProcesses.has(a.parent.id))
    .flatMap((a) =>
      (a.behaviour?.eventDefinitions ?? [])
        .filter((d) => d.type === 'bpmn:ConditionalEventDefinition' && typeof d.behaviour?.expression === 'string')
        .map((d) => ({
          subProcessId: a.parent!.id!,
          elementId: a.id,
          interrupting: a.behaviour?.isInterrupting !== false,
          expression: d.behaviour!.expression!,
        })),
    );
  cache.set(key, found);
  return found;
}

/** What {@link settleConditionalEvents} needs from the runner. */
export interface ConditionalContext {
  engine: Engine;
  /** The listener the engine runs with (quiescence.ts). */
  events: EngineEvents;
  starts: readonly ConditionalEventSubProcessStart[];
  /** Last value of each event sub-process start condition, by start event id (mutated). */
  lastValues: Record<string, boolean>;
  /** The current process variables. */
  variables(): Record<string, unknown>;
  /** The waiting activity APIs of every scope (no sequence flows). */
  waiting(): any[];
  /** Runs `start` (the event sub-process), then cancels every other token of the process. */
  interrupt(subProcessId: string, start: () => void): void;
}

/**
 * Re-evaluates the conditional events of a process that has reached its wait states, until
 * nothing more fires. Returns how the engine stopped afterwards.
 * @throws EngineError ProcessFailed after {@link MAX_ROUNDS} rounds that all fired something.
 */
export async function settleConditionalEvents(context: ConditionalContext, how: Quiescence): Promise<Quiescence> {
  for (let round = 0; how !== 'end' && how !== 'stop'; round++) {
    const quiet = untilQuiescent(context.engine as any, context.events);
    const fired = fireCatches(context) + fireEventSubProcesses(context);
    if (!fired) {
      await quiet;
      return how;
    }
    how = await quiet;
    if (round + 1 >= MAX_ROUNDS) {
      throw new EngineError(
        EngineErrorCode.ProcessFailed,
        `conditional events kept firing after ${MAX_ROUNDS} evaluation rounds: their conditions trigger each other in a loop`,
      );
    }
  }
  return how;
}

/** True for a waiting conditional catch (intermediate, boundary, or a conditional start already running). */
export function isConditionalCatch(api: any): boolean {
  const definitions: any[] = api?.owner?.behaviour?.eventDefinitions ?? [];
  return definitions.some((d) => d?.type === 'bpmn:ConditionalEventDefinition');
}

function fireCatches(context: ConditionalContext): number {
  let fired = 0;
  const processEnvironment = ((context.engine.execution?.definitions ?? [])[0] as any)?.getProcesses?.()[0]?.environment;
  for (const api of context.waiting().filter(isConditionalCatch)) {
    // Skip one that an earlier signal of this round already completed or discarded.
    if (!context.waiting().some((a) => a.executionId === api.executionId)) continue;
    // Inside an embedded sub-process the event reads the sub-process's copy of the variables,
    // taken when it started: it must see the process variables as they are now.
    const scope = api.owner?.environment;
    if (scope?.variables && processEnvironment && scope !== processEnvironment) Object.assign(scope.variables, structuredClone(context.variables()));
    api.signal({});
    if (!context.waiting().some((a) => a.executionId === api.executionId)) fired++;
  }
  return fired;
}

function fireEventSubProcesses(context: ConditionalContext): number {
  if (!context.starts.length) return 0;
  const process = ((context.engine.execution?.definitions ?? [])[0] as any)?.getProcesses?.()[0];
  if (!process?.isRunning) return 0;
  let fired = 0;
  for (const start of context.starts) {
    const value = isTrue(evaluateExpression(start.expression, context.variables(), { onError: () => undefined }));
    const previous = context.lastValues[start.elementId] === true;
    context.lastValues[start.elementId] = value;
    if (!value || previous) continue;
    const subProcess = process.getActivityById(start.subProcessId);
    // bpmn-engine runs one execution of an activity at a time.
    if (!subProcess || subProcess.isRunning) continue;
    if (start.interrupting) context.interrupt(start.subProcessId, () => subProcess.run());
    else subProcess.run();
    fired++;
  }
  return fired;
}

function isTrue(value: unknown): boolean {
  return value === true;
}
