/** FEEL (Camunda 8 style `=...` expressions) through the `feelin` interpreter, over plain data only. */
import {
  evaluate, FeelDate, FeelDateTime, FeelDuration, FeelTime, parseExpression, SyntaxError as FeelSyntaxError,
} from 'feelin';
import { createHash } from 'node:crypto';
import { budgetExceeded, budgetLimits, currentBudget, suspendFor, type CommandBudget } from '../runtime/budget';
import { ExpressionEvaluationError, ExpressionSyntaxError } from './errors';
import { isTriviallySafe } from './feel-safety';
import { FeelSandbox, type SandboxAnswer } from './sandbox';
import { isPlainObject, type PlainValue, toPlainData } from './plain-data';
import { feelContextFor } from './feel-context';

const TEMPORAL_TYPES = [FeelDate, FeelTime, FeelDateTime, FeelDuration];
/** feelin warnings that only mean "no such variable/key": silent, like a missing JUEL path. */
const MISSING_VALUE_WARNINGS = new Set(['NO_VARIABLE_FOUND', 'NO_CONTEXT_ENTRY_FOUND', 'NO_PROPERTY_FOUND']);

/**
 * Evaluates a FEEL expression (without the leading `=`). The scope is deep-copied to plain data
 * first, and the result is plain data too: dates, times and durations become their ISO 8601 text
 * (so `=duration("PT5M")` works as a timer value), functions and ranges become `null`.
 * @param onProblem receives feelin's type/argument warnings (not "variable not found").
 * @throws {ExpressionSyntaxError} when the expression does not parse.
 * @throws {ExpressionEvaluationError} when the interpreter itself fails.
 */
export function evaluateFeel(
  source: string,
  scope: Record<string, unknown>,
  onProblem?: (problem: ExpressionEvaluationError) => void,
): PlainValue {
  const context = toPlainData(scope);
  return evaluatePlainFeel(source, isPlainObject(context) ? context : {}, onProblem);
}

/**
 * {@link evaluateFeel} over a context that already is plain data (a {@link toPlainData} copy the
 * caller made and does not share): it is not copied again.
 */
export function evaluatePlainFeel(source: string, plainContext: Record<string, unknown>, onProblem?: (problem: ExpressionEvaluationError) => void): PlainValue {
  const budget = currentBudget();
  if (budget?.violation) throw budget.violation;
  const limits = budgetLimits();
  const syntax = cachedSyntaxError(source);
  if (syntax) throw syntax;
  budget?.busy();
  let value: PlainValue;
  if (isTriviallySafe(source)) {
    let result: ReturnType<typeof evaluate>;
    try {
      result = evaluate(source, feelContextFor(source, plainContext));
    } catch (error) {
      if (error instanceof FeelSyntaxError) throw new ExpressionSyntaxError(error.message, source, error.position.from);
      throw new ExpressionEvaluationError(`FEEL evaluation failed: ${describe(error)}`, { cause: error });
    }
    report(result.warnings, onProblem);
    value = toPlainData(fromFeel(result.value)) ?? null;
    const chars = sizeOf(value, limits.expressionResultChars);
    if (chars > limits.expressionResultChars) throw tooLarge(budget, source, chars);
  } else {
    value = evaluateInSandbox(source, plainContext, onProblem);
  }
  if (budget && !budget.checkTime(budget.element)) throw budget.violation!;
  return value;
}

const syntaxChecks = new Map<string, ExpressionSyntaxError | null>();

/** The syntax check of `source`, parsed once per distinct expression (conditions repeat). */
function cachedSyntaxError(source: string): ExpressionSyntaxError | null {
  let found = syntaxChecks.get(source);
  if (found === undefined) {
    found = findSyntaxError(source);
    if (syntaxChecks.size >= 2000) syntaxChecks.delete(syntaxChecks.keys().next().value!);
    syntaxChecks.set(source, found);
  }
  return found;
}

let sandbox: FeelSandbox | null = null;

/** The process's FEEL sandbox (started on first use, or ahead of it by {@link warmFeelSandbox}). */
export function feelSandbox(): FeelSandbox {
  sandbox ??= new FeelSandbox(() => budgetLimits().expressionMemoryMb);
  return sandbox;
}

/** Starts the sandbox workers now, so that the first expression does not wait for them. */
export function warmFeelSandbox(): void {
  feelSandbox().warm();
}

/** Terminates the sandbox workers (a later evaluation starts new ones). */
export function closeFeelSandbox(): void {
  sandbox?.close();
  sandbox = null;
}

/** What a unary-tests evaluation is about: the input value (typeRef applied in the worker) and its name. */
export interface UnaryTestInput {
  name: string;
  value: unknown;
  typeRef: string | null;
}

/**
 * Evaluates unary tests (a decision table's input entry) against `input` in the sandbox, under the
 * same limits as other sandboxed FEEL. Answers feelin's verdict (true, false or null).
 */
export function evaluateUnaryTestsInSandbox(source: string, context: Record<string, unknown>, input: UnaryTestInput): PlainValue {
  return evaluateInSandbox(source, context, undefined, input);
}

/** Evaluations left running at once (each holds a worker); more wait synchronously. */
const MAX_PENDING = 4;

/**
 * The identity of an evaluation across the runs of one command: the element, the expression and
 * the variables, not the activity message (`content`: bpmn-elements draws new execution,
 * evaluation and sequence ids on every run). Runs of one command repeat the same evaluations in
 * the same order; answers are taken in that order.
 */
function answerKey(elementId: string | null, source: string, context: Record<string, unknown>, input: UnaryTestInput | undefined): string {
  const text = JSON.stringify([elementId, source, { ...context, content: null }, input ?? null]);
  return createHash('sha256').update(text).digest('base64');
}

function evaluateInSandbox(source: string, context: Record<string, unknown>, onProblem?: (problem: ExpressionEvaluationError) => void, input?: UnaryTestInput): PlainValue {
  const budget = currentBudget();
  const limits = budgetLimits();
  const left = budget ? budget.remainingMs() : limits.expressionMs;
  const timeoutMs = Math.max(1, Math.min(limits.expressionMs, left));
  const sandbox = feelSandbox();
  // Inside a command that can be run again, the event loop waits only expressionWaitMs (see runtime/budget.ts).
  const answers = budget?.answers;
  const key = answers ? answerKey(budget!.element, source, context, input) : null;
  let answer: SandboxAnswer | null = null;
  const settled = key === null ? undefined : answers!.get(key)?.shift();
  if (settled) {
    budget!.spend(settled.ms);
    answer = settled.answer as SandboxAnswer;
  } else {
    const options = { timeoutMs, maxChars: limits.expressionResultChars, ...(input ? { mode: 'unaryTest' as const, input } : {}) };
    const ticket = sandbox.begin(source, context, options);
    const suspendable = key !== null && budget!.suspensions > 0 && sandbox.pendingCount < MAX_PENDING;
    answer = sandbox.waitSync(ticket, suspendable ? limits.expressionWaitMs : Infinity);
    // The evaluation's time is busy time of the command: on a CPU clock the worker's (the main
    // thread used none while it waited); on wall time the running stretch counted the wait already.
    const onCpu = budget !== undefined && budget.clockKind !== 'wall';
    if (answer && onCpu) budget.spend(answer.ms);
    if (!answer) {
      const began = performance.now();
      const done = sandbox.settle(ticket).then((result) => {
        const list = answers!.get(key!) ?? [];
        list.push({ answer: result, ms: onCpu ? result.ms : performance.now() - began });
        answers!.set(key!, list);
      });
      throw charge(budget, suspendFor(done, budget?.element ?? null, `${where(budget)}the expression "${clip(source)}" is still running after ${limits.expressionWaitMs} ms; the command runs again once it ends`));
    }
  }
  switch (answer.kind) {
    case 'ok':
      report(answer.warnings, onProblem);
      return toPlainData(answer.value) ?? null;
    case 'error':
      throw new ExpressionEvaluationError(`FEEL evaluation failed: ${answer.message}`);
    case 'too-large':
      throw tooLarge(budget, source, answer.chars);
    case 'too-deep':
      throw charge(budget, budgetExceeded('expressionMemoryMb', budget?.element ?? null, limits.expressionMemoryMb, `${where(budget)}the expression "${clip(source)}" recursed too deep`));
    case 'killed': {
      const commandBudget = budget !== undefined && left < limits.expressionMs;
      const limit = answer.death.outOfMemory ? 'expressionMemoryMb' : commandBudget ? 'timeMs' : 'expressionMs';
      const error = budgetExceeded(
        limit,
        budget?.element ?? null,
        limit === 'expressionMemoryMb' ? limits.expressionMemoryMb : Math.round(answer.ranMs),
        `${where(budget)}the expression "${clip(source)}" ${answer.starved && limit !== 'expressionMemoryMb' ? describeStarved(answer.ranMs, answer.ms) : describeKill(limit, limits)}`,
      );
      // The worker may turn out to have died from its heap limit a moment later: say so.
      if (limit !== 'expressionMemoryMb') {
        answer.death.onKnown((outOfMemory) => {
          if (!outOfMemory) return;
          error.message = `${where(budget)}the expression "${clip(source)}" ${describeKill('expressionMemoryMb', limits)}; nothing was changed`;
          Object.assign(error.details!, { limit: 'expressionMemoryMb', setting: 'EXPRESSION_MEMORY_MB', max: limits.expressionMemoryMb, value: limits.expressionMemoryMb });
        });
      }
      throw charge(budget, error);
    }
  }
}

function describeKill(limit: string, limits: ReturnType<typeof budgetLimits>): string {
  if (limit === 'expressionMemoryMb') return `ran out of its memory limit of ${limits.expressionMemoryMb} MB`;
  if (limit === 'timeMs') return `ran past the command's CPU time budget of ${limits.timeMs} ms`;
  return `ran longer than its time limit of ${limits.expressionMs} ms`;
}

function describeStarved(ranMs: number, cpuMs: number): string {
  return `was not done after ${Math.round(ranMs)} ms (it got ${Math.round(cpuMs)} ms of CPU time: the machine is overloaded)`;
}

function tooLarge(budget: CommandBudget | undefined, source: string, chars: number) {
  const max = budgetLimits().expressionResultChars;
  return charge(budget, budgetExceeded('expressionResultChars', budget?.element ?? null, chars, `${where(budget)}the expression "${clip(source)}" produced more than ${max} characters`));
}

/** Records the violation in the command's budget; answers the one in force. */
function charge(budget: CommandBudget | undefined, error: ReturnType<typeof budgetExceeded>) {
  return budget ? budget.adopt(error) : error;
}

function where(budget: CommandBudget | undefined): string {
  return budget?.element ? `element "${budget.element}": ` : '';
}

function clip(source: string): string {
  return source.length > 80 ? `${source.slice(0, 77)}...` : source;
}

function report(warnings: readonly { type: string; message: string }[], onProblem?: (problem: ExpressionEvaluationError) => void): void {
  for (const warning of warnings) {
    if (!MISSING_VALUE_WARNINGS.has(warning.type)) onProblem?.(new ExpressionEvaluationError(warning.message));
  }
}

/** Characters of a plain value (strings, keys, one per array item), counted up to just past `max`. */
export function sizeOf(value: unknown, max: number): number {
  let total = 0;
  const visit = (v: unknown): void => {
    if (total > max) return;
    if (typeof v === 'string') total += v.length;
    else if (Array.isArray(v)) {
      total += v.length;
      for (const item of v) visit(item);
    } else if (v && typeof v === 'object') {
      for (const [key, item] of Object.entries(v)) {
        total += key.length + 1;
        visit(item);
      }
    } else total += 1;
  };
  visit(value);
  return total;
}

/** Parses without evaluating; returns a syntax error message, or `null` when the expression is valid. */
export function checkFeel(source: string): string | null {
  return findSyntaxError(source)?.message ?? null;
}

function findSyntaxError(source: string): ExpressionSyntaxError | null {
  let error: { from: number; to: number } | undefined;
  parseExpression(source, {}, undefined).iterate({
    enter(node) {
      if (node.type.isError && !error) error = { from: node.from, to: node.to };
      return !error;
    },
  });
  if (!error) return null;
  const reason = error.to > error.from ? `unexpected "${source.slice(error.from, error.to)}"` : 'incomplete expression';
  return new ExpressionSyntaxError(reason, source, error.from);
}

/** Temporal values to their ISO text; {@link toPlainData} then drops functions, ranges and the like. */
function fromFeel(value: unknown): unknown {
  if (TEMPORAL_TYPES.some((type) => value instanceof type)) return String(value);
  if (Array.isArray(value)) return value.map(fromFeel);
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fromFeel(item)]));
  return value;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
