import { getDate, ISOInterval } from '@0dep/piso';
import { is, one, ownerId, text, type ModdleElement } from './model';
import type { RuleContext } from './rule-context';
import { checkTimer as checkSchedule, isCron } from '../timers/schedule';
import { timerValueProblem } from '../timers/timer-values';
import { MAX_LOOP_INSTANCES } from '../runtime/scopes';
import { camunda8Hint } from './camunda8';

/** Injected syntax check: an error message, or null when the expression is fine. */
export type ExpressionChecker = (expression: string) => string | null;

const USER_TASK_ATTRIBUTES = ['assignee', 'candidateUsers', 'candidateGroups', 'dueDate', 'followUpDate', 'priority', 'formKey'] as const;
const TIMER_FIELDS = ['timeDuration', 'timeDate', 'timeCycle'] as const;

/** Five to seven space-separated fields: a cron expression (Quartz or Unix style). */
const CRON = /^\S+(\s+\S+){4,6}$/;

/** The runtime treats a value as an expression when it contains `${` or starts with `=` (FEEL). */
export function isExpression(value: string): boolean {
  return value.includes('${') || value.startsWith('=');
}

/**
 * Everything the engine evaluates at run time must be valid now: sequence flow conditions,
 * timers, user task attributes and loop settings. Expressions go through the injected checker;
 * literal timers are parsed the way bpmn-elements parses them (@0dep/piso).
 */
export function checkExpressions(context: RuleContext, checkExpression: ExpressionChecker, maxLoopCardinality = MAX_LOOP_INSTANCES): void {
  const loopLimit = Math.min(maxLoopCardinality, MAX_LOOP_INSTANCES);
  const check = (value: string, elementId: string | undefined, what: string): void => {
    let problem: string | null;
    try {
      problem = checkExpression(value);
    } catch (error) {
      problem = `the expression could not be checked: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (problem !== null) context.sink.refuse('invalid-expression', `${what} "${value}": ${problem}`, elementId);
  };

  for (const element of context.elements) {
    if (is(element, 'bpmn:SequenceFlow')) checkCondition(context, element, check);
    else if (is(element, 'bpmn:TimerEventDefinition')) checkTimer(context, element, check);
    else if (is(element, 'bpmn:UserTask')) checkUserTaskAttributes(context, element, check);
    else if (is(element, 'bpmn:MultiInstanceLoopCharacteristics')) checkMultiInstance(context, element, check, loopLimit);
    else if (is(element, 'bpmn:StandardLoopCharacteristics')) checkStandardLoop(context, element, check, loopLimit);
    else if (is(element, 'bpmn:ConditionalEventDefinition')) checkConditionalEvent(context, element, check);
  }
}

/** A conditional event's condition: an expression the runner re-evaluates (runtime/conditional-events.ts). */
function checkConditionalEvent(context: RuleContext, definition: ModdleElement, check: Check): void {
  const elementId = ownerId(definition);
  const condition = one(definition, 'condition');
  const language = condition ? text(condition, 'language') : undefined;
  if (language !== undefined) {
    context.sink.refuse('condition-language', `conditions with a language attribute (language="${language}") are not supported; write an expression without language`, elementId);
    return;
  }
  const value = body(condition)?.trim() ?? '';
  if (value === '') context.sink.refuse('condition-not-expression', 'the conditional event has no condition: it would never fire', elementId);
  else if (!isExpression(value)) context.sink.refuse('condition-not-expression', `the condition "${value}" is not an expression (\${...} or =...)`, elementId);
  else check(value, elementId, 'condition');
}

type Check = (value: string, elementId: string | undefined, what: string) => void;

function body(expression: ModdleElement | undefined): string | undefined {
  return expression ? text(expression, 'body') : undefined;
}

function checkCondition(context: RuleContext, flow: ModdleElement, check: Check): void {
  const condition = one(flow, 'conditionExpression');
  if (!condition) return;
  const language = text(condition, 'language');
  if (language !== undefined) {
    // With scripts disabled, bpmn-elements falls back to evaluating the script text as an
    // expression, and any non-empty text is truthy: the branch would always be taken.
    context.sink.refuse('condition-language', `conditions with a language attribute (language="${language}") are not supported; write an expression without language`, flow.id);
    return;
  }
  const value = body(condition) ?? '';
  if (value.trim() === '') {
    context.sink.refuse('condition-not-expression', 'the condition is empty: the engine would never take this flow', flow.id);
  } else if (!isExpression(value.trim())) {
    context.sink.refuse('condition-not-expression', `the condition "${value}" is not an expression (\${...} or =...): the engine would treat the text as always true`, flow.id);
  } else {
    check(value.trim(), flow.id, 'condition');
  }
}

function checkTimer(context: RuleContext, timer: ModdleElement, check: Check): void {
  const elementId = ownerId(timer);
  const fields = TIMER_FIELDS.map((field) => [field, body(one(timer, field))] as const).filter(([, value]) => value !== undefined && value.trim() !== '');
  if (!fields.length) {
    context.sink.refuse('timer-invalid', 'the timer has no timeDuration, timeDate or timeCycle value (the engine would fire it at once)', elementId);
    return;
  }
  for (const [field, raw] of fields) {
    const value = raw as string;
    if (isExpression(value.trim())) {
      check(value.trim(), elementId, field);
      continue;
    }
    if (value !== value.trim()) {
      context.sink.refuse('timer-invalid', `${field} "${value}" has surrounding whitespace, which the engine does not trim`, elementId);
      continue;
    }
    if (field === 'timeCycle' && CRON.test(value) && isCron(value)) {
      // Cron cycles are scheduled by us (timer start events, and the cron extension on catch events).
      const cronProblem = checkSchedule({ timeCycle: value });
      if (cronProblem) context.sink.refuse('timer-cron', `timeCycle "${value}" is not a valid cron expression: ${cronProblem}`, elementId);
      continue;
    }
    // The limits first: piso itself never returns on some values (a zero-period cycle).
    const unsafe = timerValueProblem(field, value);
    if (unsafe !== null) {
      context.sink.refuse('timer-invalid', `${field} "${value}" cannot be scheduled: ${unsafe}`, elementId);
      continue;
    }
    const problem = parseTimer(field, value);
    if (problem === null) continue;
    {
      context.sink.refuse('timer-invalid', `${field} "${value}" is not a valid ISO 8601 ${field === 'timeDate' ? 'date' : field === 'timeCycle' ? 'repeating interval' : 'duration'}: ${problem}`, elementId);
    }
  }
}

/** Parses a literal timer exactly like bpmn-elements' TimerEventDefinition. @returns the error, or null. */
function parseTimer(field: (typeof TIMER_FIELDS)[number], value: string): string | null {
  try {
    if (field === 'timeDate') {
      return Number.isNaN(getDate(value).getTime()) ? 'not a date' : null;
    }
    const now = new Date();
    const expireAt = new ISOInterval(value).parse().getExpireAt(now, now);
    return expireAt instanceof Date && !Number.isNaN(expireAt.getTime()) ? null : 'it does not resolve to a date';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function checkUserTaskAttributes(context: RuleContext, task: ModdleElement, check: Check): void {
  for (const attribute of USER_TASK_ATTRIBUTES) {
    const value = text(task, `camunda:${attribute}`);
    if (value === undefined || value.trim() === '') continue;
    if (isExpression(value)) {
      check(value, task.id, `camunda:${attribute}`);
    } else if ((attribute === 'dueDate' || attribute === 'followUpDate') && Number.isNaN(new Date(value).getTime())) {
      context.sink.refuse('user-task-date', `camunda:${attribute} "${value}" is neither an ISO 8601 date-time nor an expression`, task.id);
    } else if (attribute === 'priority' && !/^\s*-?\d+\s*$/.test(value)) {
      context.sink.refuse('user-task-priority', `camunda:priority "${value}" is neither an integer nor an expression`, task.id);
    }
  }
}

function checkMultiInstance(context: RuleContext, loop: ModdleElement, check: Check, limit: number): void {
  const elementId = ownerId(loop);
  const cardinality = body(one(loop, 'loopCardinality'))?.trim();
  const collection = text(loop, 'camunda:collection')?.trim();
  const completion = body(one(loop, 'completionCondition'))?.trim();
  if (!cardinality && !collection) {
    context.sink.refuse('multi-instance-unbounded', `the multi-instance activity has neither a loopCardinality nor a camunda:collection: the engine would never stop creating instances${camunda8Hint(context, 'multi-instance')}`, elementId);
  }
  if (cardinality) {
    if (isExpression(cardinality)) check(cardinality, elementId, 'loopCardinality');
    else if (!/^\d+$/.test(cardinality)) context.sink.refuse('multi-instance-cardinality', `loopCardinality "${cardinality}" is neither a non-negative integer nor an expression`, elementId);
    else if (Number(cardinality) > limit) context.sink.refuse('loop-too-large', `loopCardinality ${cardinality} is above the limit of ${limit} instances`, elementId);
  }
  const outputCollection = text(loop, 'itsm:outputCollection')?.trim();
  const outputElement = text(loop, 'itsm:outputElement')?.trim();
  if (!outputCollection !== !outputElement) {
    context.sink.refuse('multi-instance-output', 'itsm:outputCollection and itsm:outputElement go together: give both or neither', elementId);
  } else if (outputCollection && outputElement) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(outputCollection)) context.sink.refuse('multi-instance-output', `itsm:outputCollection "${outputCollection}" is not a variable name`, elementId);
    if (isExpression(outputElement)) check(outputElement, elementId, 'itsm:outputElement');
    else context.sink.refuse('multi-instance-output', `itsm:outputElement "${outputElement}" must be an expression such as \${vote}`, elementId);
  }
  if (collection) {
    if (isExpression(collection)) check(collection, elementId, 'camunda:collection');
    else context.sink.refuse('multi-instance-collection', `camunda:collection "${collection}" must be an expression such as \${${collection}}`, elementId);
  }
  if (completion) {
    if (isExpression(completion)) check(completion, elementId, 'completionCondition');
    else context.sink.refuse('condition-not-expression', `completionCondition "${completion}" is not an expression (\${...} or =...)`, elementId);
  }
}

function checkStandardLoop(context: RuleContext, loop: ModdleElement, check: Check, limit: number): void {
  const elementId = ownerId(loop);
  const condition = body(one(loop, 'loopCondition'))?.trim();
  const maximum = loop.get('loopMaximum');
  if (!condition && typeof maximum !== 'number') {
    context.sink.refuse('loop-unbounded', 'the loop has neither a loopCondition nor a loopMaximum: it would never stop', elementId);
  }
  if (typeof maximum === 'number' && maximum > limit) {
    context.sink.refuse('loop-too-large', `loopMaximum ${maximum} is above the limit of ${limit} iterations`, elementId);
  }
  if (condition) {
    if (isExpression(condition)) check(condition, elementId, 'loopCondition');
    else context.sink.refuse('condition-not-expression', `loopCondition "${condition}" is not an expression (\${...} or =...)`, elementId);
  }
}
