import { is, isAny, list, one, text, type ModdleElement } from './model';
import type { RuleContext } from './rule-context';
import { decisionTaskProblems } from '../decisions/deploy-rules';
import { camunda8Hint } from './camunda8';
import { checkExternalTask, externalTaskDeclaration } from '../external-tasks/spec';

/** The only handler binding we run: `camunda:delegateExpression="${handlerName}"` (same shape as the runtime extension). */
const DELEGATE_EXPRESSION = /^\$\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}$/;

const SERVICE_TYPES = ['bpmn:ServiceTask', 'bpmn:SendTask', 'bpmn:BusinessRuleTask'];

/** The default of BPMN's `implementation` attribute, and the other "nothing specific" value. */
const DEFAULT_IMPLEMENTATIONS = new Set(['##WebService', '##unspecified']);

const HOW_TO_BIND = 'handlers are named with camunda:delegateExpression="${handlerName}"; external workers fetch tasks with camunda:type="external" camunda:topic="<topic>"';

/**
 * Service-like tasks must name a registered handler through `camunda:delegateExpression`; a user
 * task that says nobody may work on it is accepted with a warning.
 */
export function checkTasks(context: RuleContext, knownHandlers: ReadonlySet<string>, checkExpression?: (expression: string) => string | null): void {
  for (const element of context.elements) {
    // An external task (engine/external-tasks): workers fetch it by topic.
    const external = isAny(element, SERVICE_TYPES) ? externalTaskDeclaration(element) : null;
    if (external) checkExternalTask(context, element, external, checkExpression);
    else if (isAny(element, SERVICE_TYPES)) checkServiceTask(context, element, knownHandlers);
    else if (is(element, 'bpmn:UserTask')) checkUserTaskAssignment(context, element);
  }
}

function checkServiceTask(context: RuleContext, task: ModdleElement, knownHandlers: ReadonlySet<string>): void {
  const { sink } = context;
  const kind = task.$type.replace('bpmn:', '');
  const other: string[] = [];
  const type = text(task, 'camunda:type');
  if (type) other.push(`camunda:type="${type}" (only "external", with camunda:topic)`);
  if (text(task, 'camunda:class')) other.push('camunda:class (Java classes cannot run here)');
  if (text(task, 'camunda:expression')) other.push('camunda:expression (expressions cannot call code here)');
  const implementation = text(task, 'implementation');
  if (implementation && !DEFAULT_IMPLEMENTATIONS.has(implementation)) other.push(`implementation="${implementation}"`);
  if (extensionValues(task).some((value) => is(value, 'camunda:Connector'))) other.push('a camunda:connector');
  if (other.length) {
    sink.refuse('service-implementation', `${kind} uses ${other.join(', ')}; ${HOW_TO_BIND}`, task.id);
    return;
  }

  const delegate = text(task, 'camunda:delegateExpression');
  // A business rule task with a decisionRef evaluates a deployed DMN decision table (engine/decisions).
  if (is(task, 'bpmn:BusinessRuleTask') && (text(task, 'camunda:decisionRef') ?? '').trim() !== '') {
    const io = extensionValues(task).some((value) => is(value, 'camunda:InputOutput'));
    for (const p of decisionTaskProblems(task, (delegate ?? '').trim() !== '', io)) sink.refuse(p.rule, p.message, task.id);
    return;
  }
  // A send task with a message and no handler just sends the message (engine/messaging).
  if ((delegate === undefined || delegate.trim() === '') && is(task, 'bpmn:SendTask') && one(task, 'messageRef')) return;
  if (delegate === undefined || delegate.trim() === '') {
    const decisions = is(task, 'bpmn:BusinessRuleTask') ? ' (or camunda:decisionRef="<decision id>" for a DMN decision table)' : '';
    sink.refuse('service-implementation', `${kind} has no implementation${camunda8Hint(context, 'job worker')}; ${HOW_TO_BIND}${decisions}`, task.id);
    return;
  }
  const name = DELEGATE_EXPRESSION.exec(delegate)?.[1];
  if (!name) {
    sink.refuse('service-implementation', `camunda:delegateExpression "${delegate}" must be exactly \${handlerName}; ${HOW_TO_BIND}`, task.id);
    return;
  }
  if (!knownHandlers.has(name)) {
    const known = [...knownHandlers].sort();
    const registered = known.length ? `registered: ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', ...' : ''}` : 'no handlers are registered';
    sink.refuse('unknown-handler', `${kind} "${task.id}" names the handler "${name}", which is not registered (${registered})`, task.id);
  }
}

function extensionValues(element: ModdleElement): ModdleElement[] {
  const extensionElements = one(element, 'extensionElements');
  return extensionElements ? list(extensionElements, 'values') : [];
}

function checkUserTaskAssignment(context: RuleContext, task: ModdleElement): void {
  const assigned = ['camunda:assignee', 'camunda:candidateUsers', 'camunda:candidateGroups'].some(
    (attribute) => (text(task, attribute) ?? '').trim() !== '',
  );
  if (!assigned) {
    // Valid BPMN (many tools assign through lanes, roles or their own extensions): it runs, and
    // administrators, who see every task, give it to someone with POST /api/tasks/:id/assign.
    context.sink.warn(
      'user-task-unassigned',
      'the user task has no camunda:assignee, camunda:candidateUsers or camunda:candidateGroups: only administrators see it, and one must assign it (POST /api/tasks/:id/assign) before anyone can complete it',
      task.id,
    );
  }
}
