import { dateAndTime, date, duration, evaluate, time, unaryTest, FeelDate, FeelDateTime, FeelDuration, FeelTime } from 'feelin';
import { EngineError, EngineErrorCode } from '../errors';
import { evaluateFeel, evaluateUnaryTestsInSandbox } from '../expressions/feel';
import { isTriviallySafe, isTriviallySafeUnaryTests } from '../expressions/feel-safety';
import { isPlainObject, toPlainData } from '../expressions/plain-data';
import { feelContextFor } from '../expressions/feel-context';
import { isBudgetError } from '../runtime/budget';
import type { DecisionResult, DecisionTable } from './model';

/** `camunda:mapDecisionResult` values (Camunda 7 meanings). */
export const RESULT_MAPPINGS = ['singleEntry', 'singleResult', 'collectEntries', 'resultList'] as const;
export type ResultMapping = (typeof RESULT_MAPPINGS)[number];

const TEMPORAL_TYPES = [FeelDate, FeelTime, FeelDateTime, FeelDuration];

function failure(table: DecisionTable, message: string, details: Record<string, unknown> = {}): EngineError {
  return new EngineError(EngineErrorCode.DecisionFailed, `decision "${table.key}": ${message}`, { details: { decision: table.key, ...details } });
}

/**
 * Evaluates a decision table over plain variable data: each input expression is a FEEL
 * expression over the variables, each input entry FEEL unary tests against that value (`-` =
 * any), each output entry of a matched rule a FEEL expression over the variables. Nothing but
 * feelin's interpreter runs. Results are plain data (dates, durations as ISO text).
 * FEEL that is not trivially safe (iterations, ranges, most functions: expressions/feel-safety.ts)
 * runs in the FEEL sandbox under the execution budget like every other expression
 * (expressions/sandbox.ts): a billion-step cell fails with BUDGET_EXCEEDED instead of taking the
 * process down.
 * @throws EngineError DECISION_FAILED: UNIQUE with several matches (naming them), ANY with
 *   differing outputs, an aggregation over non-numbers, an input that is not of its typeRef.
 * @throws EngineError BUDGET_EXCEEDED: a cell's FEEL ran past the sandbox's time or memory limit.
 */
export function evaluateDecision(table: DecisionTable, variables: Record<string, unknown>): DecisionResult {
  const plain = toPlainData(variables);
  const context: Record<string, unknown> = isPlainObject(plain) ? plain : {};
  const inputs = table.inputs.map((input) => inputValue(table, input, context));
  const cellContexts = table.inputs.map((input, i) => ({ ...context, [input.inputVariable ?? 'cellInput']: inputs[i].value, '?': inputs[i].value }));
  // The same entry against the same input value gives the same answer: each distinct cell of a column runs once.
  const memo = table.inputs.map(() => new Map<string, boolean>());
  const test = (entry: string, i: number): boolean => {
    if (entry === '-') return true;
    let hit = memo[i].get(entry);
    if (hit === undefined) {
      const input = table.inputs[i];
      const sandboxed = () =>
        evaluateUnaryTestsInSandbox(entry, context, { name: input.inputVariable ?? 'cellInput', value: inputs[i].plain, typeRef: inputs[i].converted ? input.typeRef : null });
      const verdict = cell(table, `input entry "${entry}" of input "${input.label ?? input.id}"`, () => (isTriviallySafeUnaryTests(entry) ? unaryTest(entry, feelContextFor(entry, cellContexts[i])).value : sandboxed()));
      memo[i].set(entry, (hit = verdict === true));
    }
    return hit;
  };
  const matched = table.rules.filter((rule) => rule.inputEntries.every(test));
  const matchedRules = matched.map((r) => r.id);
  const outputsOf = (rule: (typeof matched)[number]) =>
    Object.fromEntries(table.outputs.map((output, i) => [output.name, rule.outputEntries[i] ? outputValue(table, rule.outputEntries[i], context) : null]));

  switch (table.hitPolicy) {
    case 'UNIQUE': {
      if (matched.length > 1) throw failure(table, `hit policy UNIQUE but ${matched.length} rules matched: ${matchedRules.join(', ')}`, { matchedRules });
      const list = matched.map(outputsOf);
      return { resultList: list, matchedRules, result: list[0] ?? null };
    }
    case 'FIRST': {
      const list = matched.slice(0, 1).map(outputsOf);
      return { resultList: list, matchedRules: matchedRules.slice(0, 1), result: list[0] ?? null };
    }
    case 'ANY': {
      const list = matched.map(outputsOf);
      const first = JSON.stringify(list[0]);
      if (list.some((entry) => JSON.stringify(entry) !== first)) {
        throw failure(table, `hit policy ANY but the matched rules ${matchedRules.join(', ')} have different outputs`, { matchedRules });
      }
      return { resultList: list.slice(0, 1), matchedRules, result: list[0] ?? null };
    }
    case 'RULE ORDER':
    case 'COLLECT': {
      const list = matched.map(outputsOf);
      if (!table.aggregation) return { resultList: list, matchedRules, result: list };
      const name = table.outputs[0].name;
      const values = list.map((entry) => entry[name]).filter((v) => v !== null && v !== undefined);
      let aggregate: number | null;
      if (table.aggregation === 'COUNT') aggregate = values.length;
      else {
        const bad = values.find((v) => typeof v !== 'number');
        if (bad !== undefined) throw failure(table, `COLLECT ${table.aggregation} needs numbers, output "${name}" gave ${JSON.stringify(bad)}`, { matchedRules });
        const numbers = values as number[];
        aggregate = !numbers.length ? null : table.aggregation === 'SUM' ? numbers.reduce((a, b) => a + b, 0) : table.aggregation === 'MIN' ? Math.min(...numbers) : Math.max(...numbers);
      }
      return { resultList: aggregate === null ? [] : [{ [name]: aggregate }], matchedRules, result: aggregate };
    }
  }
}

/**
 * What a business rule task stores in its result variable (Camunda 7 `camunda:mapDecisionResult`):
 * `singleEntry` the one output of the one matched rule (or null), `singleResult` the outputs of the
 * one matched rule (or null), `collectEntries` the one output of every matched rule, `resultList`
 * the outputs of every matched rule.
 * @throws EngineError DECISION_FAILED when the result does not have the mapping's shape.
 */
export function mapDecisionResult(table: DecisionTable, result: DecisionResult, mapping: ResultMapping): unknown {
  const list = result.resultList;
  const single = () => {
    if (list.length > 1) throw failure(table, `${mapping} needs at most one matched rule, ${list.length} matched (${result.matchedRules.join(', ')}); use collectEntries or resultList`);
    return list[0] ?? null;
  };
  const oneEntry = (entry: Record<string, unknown>) => {
    const keys = Object.keys(entry);
    if (keys.length !== 1) throw failure(table, `${mapping} needs exactly one output, the result has ${keys.length} (${keys.join(', ')}); use singleResult or resultList`);
    return entry[keys[0]];
  };
  switch (mapping) {
    case 'singleEntry': {
      const entry = single();
      return entry === null ? null : oneEntry(entry);
    }
    case 'singleResult':
      return single();
    case 'collectEntries':
      return list.map(oneEntry);
    case 'resultList':
      return list;
  }
}

/**
 * The input expression's value, converted to a FEEL temporal value when its typeRef says so;
 * `plain` is the value before conversion, as plain data (what the sandbox gets for unary tests).
 */
function inputValue(table: DecisionTable, input: DecisionTable['inputs'][number], context: Record<string, unknown>): { value: unknown; plain: unknown; converted: boolean } {
  const value = cell(table, `input "${input.label ?? input.id}" (${input.expression})`, () =>
    isTriviallySafe(input.expression) ? evaluate(input.expression, feelContextFor(input.expression, context)).value : evaluateFeel(input.expression, context),
  );
  const plain = toPlainData(fromFeel(value)) ?? null;
  if (typeof value !== 'string' || !input.typeRef) return { value, plain, converted: false };
  const convert = TEMPORAL_INPUTS[input.typeRef.replace(/^feel:/, '')];
  if (!convert) return { value, plain, converted: false };
  const converted = safe(() => convert(value));
  if (converted === null || converted === undefined) {
    throw failure(table, `input "${input.label ?? input.id}" must be a ${input.typeRef}, got ${JSON.stringify(value)}`, { input: input.id });
  }
  return { value: converted, plain, converted: true };
}

/** Runs one cell's FEEL: a budget violation passes through, any other failure is the decision's, naming the cell. */
function cell<T>(table: DecisionTable, what: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (isBudgetError(error)) throw error;
    throw failure(table, `${what} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

const TEMPORAL_INPUTS: Record<string, (text: string) => unknown> = {
  date: (t) => date(t),
  dateTime: (t) => dateAndTime(t),
  'date and time': (t) => dateAndTime(t),
  time: (t) => time(t),
  dayTimeDuration: (t) => duration(t),
  yearMonthDuration: (t) => duration(t),
  'days and time duration': (t) => duration(t),
  'years and months duration': (t) => duration(t),
};

function safe(fn: () => unknown): unknown {
  try {
    return fn();
  } catch {
    return null;
  }
}

function outputValue(table: DecisionTable, source: string, context: Record<string, unknown>): unknown {
  if (!isTriviallySafe(source)) return cell(table, `output entry "${source}"`, () => evaluateFeel(source, context));
  return toPlainData(fromFeel(evaluate(source, feelContextFor(source, context)).value)) ?? null;
}

function fromFeel(value: unknown): unknown {
  if (TEMPORAL_TYPES.some((type) => value instanceof type)) return String(value);
  if (Array.isArray(value)) return value.map(fromFeel);
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fromFeel(item)]));
  return value;
}
