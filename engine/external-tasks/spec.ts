import { evaluateExpression } from '../expressions';
import { is, list, one, text, type ModdleElement } from '../definitions/model';
import type { RuleContext } from '../definitions/rule-context';

/** What makes a service-like task an external task, read from the parsed (serialized) model. */
export interface ExternalTaskSpec {
  topic: string;
  /** `camunda:taskPriority`: an integer literal or an expression; null: 0 (Camunda's default). */
  priority: string | null;
}

/** Service-like elements that may be external tasks (Camunda 7's `camunda:ExternalCapable` tasks). */
export const EXTERNAL_TASK_TYPES: readonly string[] = ['bpmn:ServiceTask', 'bpmn:SendTask', 'bpmn:BusinessRuleTask'];

/** Longest accepted topic name. */
export const MAX_TOPIC_LENGTH = 255;

/* eslint-disable @typescript-eslint/no-explicit-any -- bpmn-elements' serialized behaviour is untyped. */

/**
 * The external task of an activity's behaviour (bpmn-elements), or null: `camunda:type="external"`
 * with `camunda:topic`, or Camunda 8's `<zeebe:taskDefinition type>` (the job type is the topic).
 */
export function externalTaskSpec(behaviour: Record<string, unknown> | undefined): ExternalTaskSpec | null {
  if (!behaviour) return null;
  const priority = typeof behaviour.taskPriority === 'string' && behaviour.taskPriority.trim() !== '' ? behaviour.taskPriority.trim() : null;
  if (behaviour.type === 'external' && typeof behaviour.topic === 'string' && behaviour.topic.trim() !== '') return { topic: behaviour.topic.trim(), priority };
  const values: any[] = (behaviour.extensionElements as { values?: any[] } | undefined)?.values ?? [];
  const zeebe = values.find((v) => v?.$type === 'zeebe:TaskDefinition');
  if (typeof zeebe?.type === 'string' && zeebe.type.trim() !== '') return { topic: zeebe.type.trim(), priority };
  return null;
}

const specs = new WeakMap<object, boolean>();

/** True when the definition has any external task (so commands on other definitions skip the table). */
export function hasExternalTasks(sourceContext: unknown): boolean {
  const key = sourceContext as object;
  let found = specs.get(key);
  if (found === undefined) {
    const activities: any[] = (sourceContext as any)?.getActivities?.() ?? [];
    found = activities.some((a) => EXTERNAL_TASK_TYPES.includes(a.type) && externalTaskSpec(a.behaviour) !== null);
    specs.set(key, found);
  }
  return found;
}

/** The task's priority: the literal, or the expression's value over `scope`; 0 when unset or not an integer. */
export function resolvePriority(priority: string | null, scope: Record<string, unknown>): number {
  if (priority === null) return 0;
  const value = /^-?\d+$/.test(priority) ? Number(priority) : Number(evaluateExpression(priority, scope));
  return Number.isSafeInteger(value) ? value : Number.isFinite(value) ? Math.trunc(Math.max(Math.min(value, Number.MAX_SAFE_INTEGER), Number.MIN_SAFE_INTEGER)) : 0;
}

/** The external task declaration of a moddle element (deploy rules), or null when it is not one. */
export function externalTaskDeclaration(task: ModdleElement): { topic: string | undefined; how: string } | null {
  if (text(task, 'camunda:type') === 'external') return { topic: text(task, 'camunda:topic'), how: 'camunda:topic' };
  const extensionElements = one(task, 'extensionElements');
  const zeebe = extensionElements ? list(extensionElements, 'values').find((v) => is(v, 'zeebe:TaskDefinition')) : undefined;
  if (zeebe) return { topic: text(zeebe, 'type'), how: 'the type of <zeebe:taskDefinition>' };
  return null;
}

/**
 * Deploy rules of an external task: a topic (a literal name: workers subscribe to it), no other
 * implementation beside it, and a priority that is an integer or an expression.
 */
export function checkExternalTask(context: RuleContext, task: ModdleElement, declaration: { topic: string | undefined; how: string }, checkExpression?: (expression: string) => string | null): void {
  const { sink } = context;
  const topic = declaration.topic?.trim() ?? '';
  if (topic === '') sink.refuse('external-task-topic', `the external task has no topic: set ${declaration.how} to the name its workers fetch`, task.id);
  else if (topic.length > MAX_TOPIC_LENGTH) sink.refuse('external-task-topic', `the topic is longer than ${MAX_TOPIC_LENGTH} characters`, task.id);
  else if (topic.includes('${') || topic.startsWith('=')) sink.refuse('external-task-topic', `the topic "${topic}" is an expression; topics are literal names`, task.id);
  const others = ['camunda:delegateExpression', 'camunda:class', 'camunda:expression', 'camunda:decisionRef'].filter((a) => (text(task, a) ?? '').trim() !== '');
  if (others.length) sink.refuse('service-implementation', `an external task cannot also have ${others.join(', ')}`, task.id);
  const priority = text(task, 'camunda:taskPriority')?.trim();
  if (!priority) return;
  if (priority.includes('${') || priority.startsWith('=')) {
    const problem = checkExpression?.(priority) ?? null;
    if (problem !== null) sink.refuse('invalid-expression', `camunda:taskPriority "${priority}": ${problem}`, task.id);
  } else if (!/^-?\d+$/.test(priority) || !Number.isSafeInteger(Number(priority))) {
    sink.refuse('external-task-priority', `camunda:taskPriority "${priority}" is neither an integer nor an expression`, task.id);
  }
}
