/**
 * Variable scopes of activities: multi-instance and loop variables, `camunda:inputOutput` local
 * variables, and the live process variables seen from inside embedded sub-processes.
 *
 * bpmn-elements gives each iteration of a looped activity (multi-instance or standard loop) its
 * own execution whose message content carries `index` (the 0-based loopCounter),
 * `loopCardinality` and, over a collection, the element under the `camunda:elementVariable` name.
 * Expressions never see that content as variables by themselves: this module turns it into the
 * Camunda names (`loopCounter`, the element variable, `nrOfInstances`, `nrOfActiveInstances`,
 * `nrOfCompletedInstances`). Input parameters are evaluated when an activity is entered and ride
 * along in its message content as `itsmLocals` (persisted with the engine state, never written
 * into the process variables). A sub-process runs in a copy of the process variables taken when
 * it started; every scope built here reads the process variables as they are now instead.
 */
import type { EngineExpressions } from '../expressions';
import { budgetExceeded, budgetLimits, currentBudget } from './budget';
import { isWhileCondition } from './elements/standard-loop';
import type { IterationFact } from './loop-history';

/**
 * Most iterations one looped activity may have by default (loopCardinality, collection size,
 * loopMaximum); `ENGINE_MAX_LOOP_INSTANCES` sets the run-time limit (runtime/budget.ts).
 */
export const MAX_LOOP_INSTANCES = 1000;

/** Content key under which an activity's evaluated input parameters travel. */
export const LOCALS_KEY = 'itsmLocals';

/** Names bpmn-elements writes into a (sub-)process environment itself: never data. */
const ENGINE_KEYS = new Set(['fields', 'content', 'properties']);

/** What the runtime knows of one looped activity (from its loop characteristics). */
export interface LoopInfo {
  elementVariable: string;
  collection?: string;
  loopCardinality?: string;
  outputCollection?: string;
  outputElement?: string;
}

/** Per-engine registry shared by the extensions and the expression handler. */
export class ScopeRuntime {
  readonly loops = new Map<string, LoopInfo>();
  /** Where the iterations' history goes: the recorder of the command running now (loop-history.ts). */
  iterationSink?: (fact: IterationFact) => void;

  constructor(
    /** The variables of the instance's process (not a sub-process copy). */
    readonly processVariables: () => Record<string, unknown> | undefined,
    readonly maxInstances = budgetLimits().loopInstances,
  ) {}

  /** Records the loop of an activity, from bpmn-elements' `behaviour.loopCharacteristics`. */
  register(activityId: string, loopCharacteristics: { behaviour?: Record<string, unknown> } | undefined): void {
    const b = loopCharacteristics?.behaviour;
    if (!b) return;
    const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
    const expr = (v: unknown) => str(v) ?? str((v as { body?: unknown } | undefined)?.body) ?? (typeof v === 'number' ? String(v) : undefined);
    this.loops.set(activityId, {
      elementVariable: str(b.elementVariable) ?? 'item',
      collection: str(b.collection),
      loopCardinality: expr(b.loopCardinality) ?? expr(b.loopMaximum),
      outputCollection: str(b.outputCollection),
      outputElement: str(b.outputElement),
    });
  }

  /** The loop variables of an iteration's message content (empty outside iterations). */
  loopVariables(content: unknown): Record<string, unknown> {
    const c = content as Record<string, unknown> | null | undefined;
    if (!c || !c.isMultiInstance || c.isRootScope || typeof c.index !== 'number') return {};
    const info = this.loops.get(String(c.id));
    const scope: Record<string, unknown> = { loopCounter: c.index };
    if (info && info.collection && info.elementVariable in c) scope[info.elementVariable] = c[info.elementVariable];
    const total = typeof c.loopCardinality === 'number' ? c.loopCardinality : undefined;
    if (total !== undefined) scope.nrOfInstances = total;
    if (Array.isArray(c.loopOutput)) {
      // The completion condition is evaluated with the outputs of the completed iterations (a
      // recovered state has null where an instance has not completed yet).
      let completed = 0;
      c.loopOutput.forEach((output) => {
        if (output !== null && output !== undefined) completed++;
      });
      if (c.isSequential) completed = Math.max(completed, c.index + 1);
      scope.nrOfCompletedInstances = completed;
      scope.nrOfActiveInstances = c.isSequential ? 0 : Math.max(0, (total ?? completed) - completed);
    }
    return scope;
  }

  /**
   * The variables an activity sees: its environment's variables (a sub-process's are a copy
   * taken when it started), overlaid with the process variables as they are now, the locals and
   * loop variables of the enclosing sub-process (its execute message, `variables.content`), then
   * the activity's own locals and loop variables (`content`).
   */
  scope(variables: Record<string, unknown> | undefined, content?: unknown): Record<string, unknown> {
    const own = variables ?? {};
    const process = this.processVariables();
    const result: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(own)) if (!ENGINE_KEYS.has(key)) result[key] = value;
    if (process && process !== own) {
      for (const [key, value] of Object.entries(process)) if (!ENGINE_KEYS.has(key)) result[key] = value;
    }
    const outer = own.content as Record<string, unknown> | undefined;
    if (outer && typeof outer === 'object' && process !== own) Object.assign(result, locals(outer), this.loopVariables(outer));
    if (content && typeof content === 'object') Object.assign(result, locals(content), this.loopVariables(content));
    return result;
  }

  /**
   * Refuses a loop larger than the limit (called with the evaluated collection or cardinality):
   * the command fails with BUDGET_EXCEEDED (`limit: "loopInstances"`).
   */
  guard(activityId: string, value: unknown, what: 'collection' | 'loopCardinality' | 'loop'): void {
    const size = what === 'collection' ? (Array.isArray(value) ? value.length : 0) : Number(value);
    if (Number.isFinite(size) && size > this.maxInstances) {
      const message =
        what === 'loop'
          ? `element "${activityId}": its loop reached ${this.maxInstances} iterations, the limit`
          : `element "${activityId}": its ${what} would create ${size} instances; the limit is ${this.maxInstances}`;
      const error = budgetExceeded('loopInstances', activityId, size, message);
      throw currentBudget()?.adopt(error) ?? error;
    }
  }

  /** Wraps the engine's expression handler so every expression sees {@link scope}. */
  expressions(inner: EngineExpressions): EngineExpressions {
    return {
      ...inner,
      resolveExpression: (given, context, fnContext) => {
        // A standard loop's condition: bpmn-elements asks "stop?", BPMN says "loop while true".
        const negate = isWhileCondition(given);
        const expression = negate ? given.expression : given;
        const ctx = (context ?? {}) as { environment?: { variables?: Record<string, unknown> }; content?: Record<string, unknown> };
        const budget = currentBudget();
        if (budget && typeof ctx.content?.id === 'string') budget.element = ctx.content.id;
        const variables = this.scope(ctx.environment?.variables, ctx.content);
        const result = inner.resolveExpression(expression, { ...ctx, environment: { variables } }, fnContext);
        const c = ctx.content;
        // A loop bounded only by its condition (or a start condition) stops at the limit too.
        if (c?.isMultiInstance && !c.isRootScope && typeof c.index === 'number' && c.index >= this.maxInstances && this.loops.has(String(c.id))) {
          this.guard(String(c.id), c.index + 1, 'loop');
        }
        const info = ctx.content?.isRootScope ? this.loops.get(String(ctx.content.id)) : undefined;
        if (info && typeof expression === 'string') {
          if (expression === info.collection) this.guard(String(ctx.content!.id), result, 'collection');
          else if (expression === info.loopCardinality) this.guard(String(ctx.content!.id), result, 'loopCardinality');
        }
        return negate ? !result : result;
      },
    };
  }
}

/** The evaluated input parameters carried by a message content. */
export function locals(content: unknown): Record<string, unknown> {
  const value = (content as Record<string, unknown> | null | undefined)?.[LOCALS_KEY];
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/* eslint-disable @typescript-eslint/no-explicit-any -- bpmn-elements APIs are untyped. */
/**
 * Postponed activity APIs, with the executions inside running sub-processes and the iterations
 * of looped activities (a multi-instance user task waits once per instance, each with its own
 * execution id). The looped activity's own root execution is left out: only its iterations wait.
 */
export function flattenPostponed(apis: any[]): any[] {
  const out: any[] = [];
  const seen = new Set<string>();
  const visit = (list: any[]) => {
    for (const a of list) {
      if (!a?.executionId || a.content?.isSequenceFlow || seen.has(a.executionId)) continue;
      seen.add(a.executionId);
      const looped = !!a.owner?.behaviour?.loopCharacteristics;
      const iterations = looped && a.owner?.execution?.executionId === a.executionId;
      if (!iterations) out.push(a);
      const inner = iterations ? (a.owner?.execution?.getPostponed?.() ?? []) : a.owner?.isSubProcess ? (a.getPostponed?.() ?? []) : [];
      visit((inner as any[]).filter((i) => i.executionId !== a.executionId));
    }
  };
  visit(apis);
  return out;
}
