/**
 * The engine's expression surface: `=...` is FEEL, `${...}` is the JUEL subset of `juel.ts`, and
 * text containing `${...}` parts is a template. Replaces bpmn-elements' own expression handling.
 */
import { budgetExceeded, budgetLimits, currentBudget, isBudgetError } from '../runtime/budget';
import { ExpressionSyntaxError } from './errors';
import { checkFeel, evaluatePlainFeel } from './feel';
import { evaluateJuel, type JuelAst, parseJuel } from './juel';
import { isPlainObject, type PlainValue, toPlainData } from './plain-data';

/** Options of {@link evaluateExpression} and {@link createEngineExpressions}. */
export interface ExpressionOptions {
  /**
   * Called for run-time problems (type errors such as `"a" * 2`, division by zero, FEEL type
   * warnings). The expression, or its template part, then yields `null`. Not called for missing
   * variables or properties, which are plain `null`.
   */
  onError?: (expression: string, error: unknown) => void;
}

/** The shape bpmn-engine accepts as its `expressions` option. */
export interface EngineExpressions {
  /** Called by bpmn-elements as `resolveExpression(expression, { environment, ...message })`. */
  resolveExpression(expression: unknown, context?: unknown, fnContext?: unknown): unknown;
  /** True when the whole text is one expression (`=...` or a single `${...}`). */
  isExpression(text: unknown): boolean;
  /** True when the text contains an expression anywhere. */
  hasExpression(text: unknown): boolean;
}

type JuelPart = { readonly source: string; readonly ast: JuelAst };
type Compiled =
  | { readonly kind: 'text' }
  | { readonly kind: 'feel'; readonly source: string }
  | { readonly kind: 'juel'; readonly part: JuelPart }
  | { readonly kind: 'template'; readonly parts: readonly (string | JuelPart)[] };

/**
 * Evaluates an expression against process variables.
 *
 * - `=...` (leading whitespace ignored): FEEL; the raw result (temporal values as ISO text).
 * - exactly one `${...}` (surrounding whitespace ignored): JUEL subset; the raw result.
 * - text with `${...}` parts: each part is evaluated once and substituted (`null` → empty,
 *   objects as JSON); substituted text is never scanned again.
 * - anything else is returned unchanged.
 *
 * Variables are visible by bare name and as `variables.x` and `environment.variables.x` (those
 * alias names win over variables of the same name). The scope is a deep plain-data copy.
 * Missing variables/properties yield `null`. `${environment.services...}` yields `undefined`:
 * services are never reachable from expressions.
 * @throws {ExpressionSyntaxError} when the expression (or any template part) is malformed.
 */
export function evaluateExpression(expression: string, variables: Record<string, unknown>, options: ExpressionOptions = {}): unknown {
  return run(expression, compile(expression), buildScope(variables), options);
}

/** Syntax-checks without evaluating (for deploy time). Returns a readable error, or `null` if valid. */
export function checkExpression(expression: string): string | null {
  try {
    const compiled = compile(expression);
    const problem = compiled.kind === 'feel' ? checkFeel(compiled.source) : null;
    return problem && `invalid FEEL expression: ${problem}`;
  } catch (error) {
    if (error instanceof ExpressionSyntaxError) return `invalid expression: ${error.message}`;
    throw error;
  }
}

/**
 * An `expressions` implementation for bpmn-engine. Besides the variables (from
 * `context.environment.variables`), the activity message content is visible as `content`
 * (e.g. `${content.output.approved}`). `fnContext` is ignored: nothing is ever called.
 * A malformed expression throws {@link ExpressionSyntaxError}, so the owning element fails;
 * run-time problems yield `null` and are reported to `onError`.
 */
export function createEngineExpressions(options: ExpressionOptions = {}): EngineExpressions {
  return {
    resolveExpression(expression, context) {
      if (typeof expression !== 'string') return expression;
      const { environment, content } = (context ?? {}) as { environment?: { variables?: unknown }; content?: unknown };
      return run(expression, compile(expression), buildScope(environment?.variables, content ?? null), options);
    },
    isExpression(text) {
      if (typeof text !== 'string') return false;
      try {
        const { kind } = compile(text);
        return kind === 'feel' || kind === 'juel';
      } catch {
        return false;
      }
    },
    hasExpression(text) {
      return typeof text === 'string' && (text.trimStart().startsWith('=') || text.includes('${'));
    },
  };
}

function compile(expression: string): Compiled {
  const trimmed = expression.trim();
  if (trimmed.startsWith('=')) return { kind: 'feel', source: trimmed.slice(1) };
  const parts = splitTemplate(expression).map((part) => (typeof part === 'string' ? part : { source: part.source, ast: parseJuel(part.source) }));
  const significant = parts.filter((part) => typeof part !== 'string' || part.trim() !== '');
  const [only] = significant;
  if (significant.length === 1 && typeof only === 'object') return { kind: 'juel', part: only };
  return parts.every((part) => typeof part === 'string') ? { kind: 'text' } : { kind: 'template', parts };
}

/** Splits text into literal strings and `${...}` bodies; a `}` inside a quoted string does not close. */
function splitTemplate(text: string): (string | { source: string })[] {
  const parts: (string | { source: string })[] = [];
  let cursor = 0;
  for (let start = text.indexOf('${'); start !== -1; start = text.indexOf('${', cursor)) {
    if (start > cursor) parts.push(text.slice(cursor, start));
    const end = findClosingBrace(text, start + 2);
    parts.push({ source: text.slice(start + 2, end) });
    cursor = end + 1;
  }
  if (cursor < text.length) parts.push(text.slice(cursor));
  return parts;
}

function findClosingBrace(text: string, from: number): number {
  let quote: string | undefined;
  for (let index = from; index < text.length; index++) {
    const char = text[index];
    if (quote && char === '\\') index++;
    else if (quote) quote = char === quote ? undefined : quote;
    else if (char === '"' || char === "'") quote = char;
    else if (char === '}') return index;
  }
  throw new ExpressionSyntaxError('"${" without a closing "}"', text, from - 2);
}

function buildScope(variables: unknown, content?: unknown): Record<string, unknown> {
  const copied = toPlainData(variables);
  const plain: Record<string, PlainValue> = isPlainObject(copied) ? copied : {};
  const scope: Record<string, unknown> = { ...plain, variables: plain, environment: { variables: plain } };
  if (content !== undefined) scope['content'] = toPlainData(content) ?? null;
  return scope;
}

function run(expression: string, compiled: Compiled, scope: Record<string, unknown>, options: ExpressionOptions): unknown {
  const guard = (evaluate: () => unknown): unknown => {
    try {
      return evaluate();
    } catch (error) {
      if (error instanceof ExpressionSyntaxError || isBudgetError(error)) throw error;
      options.onError?.(expression, error);
      return null;
    }
  };
  switch (compiled.kind) {
    case 'text':
      return expression;
    case 'feel':
      // The scope is plain data copied for this evaluation (buildScope): not copied again.
      return guard(() => evaluatePlainFeel(compiled.source, scope, (problem) => options.onError?.(expression, problem)));
    case 'juel':
      return isServiceLookup(compiled.part.ast) ? undefined : guard(() => evaluateJuel(compiled.part.ast, scope));
    case 'template': {
      // Each part is bounded by the data, but a template may repeat a large variable many times.
      const max = budgetLimits().expressionResultChars;
      let chars = 0;
      const texts = compiled.parts.map((part) => {
        const text = typeof part === 'string' ? part : toText(guard(() => evaluateJuel(part.ast, scope)));
        chars += text.length;
        if (chars > max) throw templateTooLarge(expression, chars, max);
        return text;
      });
      return texts.join('');
    }
  }
}

/** `${environment.services.x}`: bpmn-elements' way to fetch a service function; never honoured. */
function isServiceLookup(ast: JuelAst): boolean {
  let node = ast;
  let first: JuelAst | undefined;
  for (; node.kind === 'member'; node = node.object) first = node.property;
  return node.kind === 'identifier' && node.name === 'environment' && first?.kind === 'literal' && first.value === 'services';
}

function templateTooLarge(expression: string, chars: number, max: number) {
  const budget = currentBudget();
  const error = budgetExceeded('expressionResultChars', budget?.element ?? null, chars, `${budget?.element ? `element "${budget.element}": ` : ''}the expression "${expression.length > 80 ? `${expression.slice(0, 77)}...` : expression}" produced more than ${max} characters`);
  return budget ? budget.adopt(error) : error;
}

function toText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
