import { is, isAny, list, one, text, type ModdleElement } from './model';
import type { ExpressionChecker } from './expression-rules';
import type { RuleContext } from './rule-context';

const SERVICE_TYPES = ['bpmn:ServiceTask', 'bpmn:SendTask', 'bpmn:BusinessRuleTask'];

/**
 * Camunda extension elements the runtime gives a meaning to, and refusals for the ones it would
 * silently ignore: input and output parameters are supported on service-like tasks, user tasks
 * and embedded sub-processes (inputs are locals of the activity, outputs map into the process
 * variables when it ends); listeners and scripts are not.
 */
export function checkCamundaExtensions(context: RuleContext, checkExpression: ExpressionChecker): void {
  const userTasks = new Set(context.elements.filter((e) => is(e, 'bpmn:UserTask')).map((e) => String(e.id)));
  for (const element of context.elements) {
    if (is(element, 'bpmn:UserTask')) checkSegregation(context, element, userTasks);
    const values = extensionValues(element);
    for (const value of values) {
      if (is(value, 'camunda:InputOutput')) checkInputOutput(context, element, value, checkExpression);
      else if (isAny(value, ['camunda:ExecutionListener', 'camunda:TaskListener'])) {
        context.sink.refuse('unsupported-listener', `${value.$type.replace('camunda:', '')}s are not supported; model the step as a service task with a registered handler`, element.id);
      }
    }
  }
}

/** `itsm:excludePerformersOf` must name other user tasks; `itsm:excludeUsersIn` variable names. */
function checkSegregation(context: RuleContext, task: ModdleElement, userTasks: ReadonlySet<string>): void {
  const split = (v: string | undefined) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const id of split(text(task, 'itsm:excludePerformersOf'))) {
    if (id === task.id) context.sink.refuse('segregation-of-duties', 'itsm:excludePerformersOf names the task itself', task.id);
    else if (!userTasks.has(id)) context.sink.refuse('segregation-of-duties', `itsm:excludePerformersOf names "${id}", which is not a user task of this process`, task.id);
  }
  for (const name of split(text(task, 'itsm:excludeUsersIn'))) {
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) context.sink.refuse('segregation-of-duties', `itsm:excludeUsersIn "${name}" is not a variable name`, task.id);
  }
}

/** Activities whose `camunda:inputOutput` the runtime gives a meaning (see engine/runtime/extensions.ts). */
const IO_TYPES = [...SERVICE_TYPES, 'bpmn:UserTask', 'bpmn:SubProcess'];

function checkInputOutput(context: RuleContext, element: ModdleElement, io: ModdleElement, checkExpression: ExpressionChecker): void {
  if (!isAny(element, IO_TYPES) || is(element, 'bpmn:Transaction') || element.get('triggeredByEvent') === true) {
    context.sink.refuse('io-unsupported', 'camunda:inputOutput is supported on service, send, business-rule and user tasks and on embedded sub-processes only', element.id);
    return;
  }
  for (const [kind, parameters] of [['input', list(io, 'inputParameters')], ['output', list(io, 'outputParameters')]] as const) {
    for (const parameter of parameters) {
      const name = text(parameter, 'name') ?? '?';
      const definition = one(parameter, 'definition');
      if (definition && !isAny(definition, ['camunda:List', 'camunda:Map'])) {
        context.sink.refuse('no-script', `${kind} parameter "${name}" uses ${definition.$type}; only text, list and map values are supported (no scripts)`, element.id);
        continue;
      }
      for (const value of parameterTexts(parameter)) {
        if (!value.includes('${') && !value.trim().startsWith('=')) continue;
        const problem = checkExpression(value.trim());
        if (problem) context.sink.refuse('invalid-expression', `${kind} parameter "${name}" "${value}": ${problem}`, element.id);
      }
    }
  }
}

/** Every text inside a parameter: its value, or the values of its list or map. */
function parameterTexts(parameter: ModdleElement): string[] {
  const own = text(parameter, 'value');
  const definition = one(parameter, 'definition');
  const nested = definition ? [...list(definition, 'items'), ...list(definition, 'entries')].map((item) => text(item, 'value') ?? '') : [];
  return [...(own ? [own] : []), ...nested].filter(Boolean);
}

function extensionValues(element: ModdleElement): ModdleElement[] {
  const extensionElements = one(element, 'extensionElements');
  return extensionElements ? list(extensionElements, 'values') : [];
}
