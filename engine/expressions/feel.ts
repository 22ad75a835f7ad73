/** FEEL (Camunda 8 style `=...` expressions) through the `feelin` interpreter, over plain data only. */
import {
  evaluate, FeelDate, FeelDateTime, FeelDuration, FeelTime, parseExpression, SyntaxError as FeelSyntaxError,
} from 'feelin';
import { ExpressionEvaluationError, ExpressionSyntaxError } from './errors';
import { isPlainObject, type PlainValue, toPlainData } from './plain-data';

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
  let result: ReturnType<typeof evaluate>;
  try {
    result = evaluate(source, isPlainObject(context) ? context : {});
  } catch (error) {
    if (error instanceof FeelSyntaxError) throw findSyntaxError(source) ?? new ExpressionSyntaxError(error.message, source, error.position.from);
    throw new ExpressionEvaluationError(`FEEL evaluation failed: ${describe(error)}`, { cause: error });
  }
  for (const warning of result.warnings) {
    if (!MISSING_VALUE_WARNINGS.has(warning.type)) onProblem?.(new ExpressionEvaluationError(warning.message));
  }
  return toPlainData(fromFeel(result.value)) ?? null;
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
