/**
 * Which FEEL expressions may run in-process (the fast path) and which go to the sandbox
 * (sandbox.ts). Trivially safe means: the work is bounded by the size of the expression times the
 * size of the data, and small: paths, literals, comparisons, `and`/`or`, `if`, a few arithmetic
 * operators, `in` tests, list and context literals, single-level filters and a short list of
 * built-in functions that do not amplify their input. Anything else (iterations `for`/`some`/
 * `every`, ranges, nested filters, function definitions, regular expressions, `string join`,
 * unknown functions...) is evaluated in the sandbox under a time and memory limit.
 */
import { parseExpression, parseUnaryTests } from 'feelin';

const SAFE_NODES = new Set([
  'Expression', 'Expressions', 'Conjunction', 'Disjunction', 'Comparison', 'CompareOp', 'VariableName', 'Identifier', 'Name',
  'NumericLiteral', 'StringLiteral', 'BooleanLiteral', 'true', 'false', 'null', 'PathExpression', 'PathName', '.',
  'IfExpression', 'if', 'then', 'else', 'ArithmeticExpression', 'ArithOp', 'ParenthesizedExpression', '(', ')', '[', ']', '{', '}',
  ',', ':', 'and', 'or', 'not', 'in', 'between', 'FunctionInvocation', 'PositionalParameters', 'NamedParameters', 'NamedParameter',
  'ParameterName', 'List', 'Context', 'ContextEntry', 'Key', 'PositiveUnaryTest', 'PositiveUnaryTests', 'SimplePositiveUnaryTest',
  'Interval', '..', 'FilterExpression', 'DateTimeLiteral', 'DateTimeConstructor', 'date and time', 'date', 'time', 'duration',
  'InstanceOfExpression', 'instance', 'of', 'Type', 'QualifiedName', 'Wildcard', '?',
]);

/** Built-in functions whose cost and result size are linear in their arguments. */
const SAFE_FUNCTIONS = new Set([
  'not', 'count', 'sum', 'min', 'max', 'mean', 'all', 'any', 'is defined', 'is empty', 'string length', 'upper case', 'lower case',
  'contains', 'starts with', 'ends with', 'substring', 'abs', 'floor', 'ceiling', 'decimal', 'round up', 'round down', 'round half up',
  'number', 'string', 'now', 'today', 'date', 'time', 'date and time', 'duration', 'years and months duration', 'list contains',
  'day of week', 'month of year', 'day of year', 'week of year', 'get value', 'context', 'trim',
]);

/** More nodes than this (or more arithmetic operators, which can concatenate text) go to the sandbox. */
const MAX_NODES = 400;
const MAX_ARITHMETIC = 8;

/** The nodes of unary tests (a decision table's input entries) besides those of expressions. */
const UNARY_NODES = new Set([...SAFE_NODES, 'UnaryTests', '-']);

const verdicts = new Map<string, boolean>();
const MAX_CACHED = 2000;

/** True when `source` (FEEL without the `=`, known to parse) may be evaluated in-process. */
export function isTriviallySafe(source: string): boolean {
  return cached(`e${source}`, () => classify(source, 'expression'));
}

/** True when the unary tests `source` (a decision table's input entry) may be evaluated in-process. */
export function isTriviallySafeUnaryTests(source: string): boolean {
  return cached(`u${source}`, () => classify(source, 'unaryTests'));
}

function cached(key: string, decide: () => boolean): boolean {
  let verdict = verdicts.get(key);
  if (verdict === undefined) {
    verdict = decide();
    if (verdicts.size >= MAX_CACHED) verdicts.delete(verdicts.keys().next().value!);
    verdicts.set(key, verdict);
  }
  return verdict;
}

function classify(source: string, kind: 'expression' | 'unaryTests'): boolean {
  if (source.length > 4000) return false;
  const allowed = kind === 'expression' ? SAFE_NODES : UNARY_NODES;
  let safe = true;
  let nodes = 0;
  let arithmetic = 0;
  let filterDepth = 0;
  (kind === 'expression' ? parseExpression : parseUnaryTests)(source, {}, undefined).iterate({
    enter(node) {
      if (!safe) return false;
      const name = node.type.name;
      if (++nodes > MAX_NODES || !allowed.has(name)) {
        safe = false;
        return false;
      }
      if (name === 'ArithmeticExpression' && ++arithmetic > MAX_ARITHMETIC) safe = false;
      if (name === '..' && node.node.parent?.type.name !== 'Interval') safe = false;
      if (name === 'FilterExpression' && ++filterDepth > 1) safe = false;
      if (name === 'FunctionInvocation') {
        const callee = node.node.firstChild;
        const text = callee && (callee.type.name === 'VariableName' || callee.type.name === 'DateTimeConstructor') ? source.slice(callee.from, callee.to).replace(/\s+/g, ' ').trim() : null;
        if (!text || !SAFE_FUNCTIONS.has(text)) safe = false;
      }
      return safe;
    },
    leave(node) {
      if (node.type.name === 'FilterExpression') filterDepth--;
    },
  });
  return safe;
}
