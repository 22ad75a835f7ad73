import type { DefinitionProblem } from '../errors';
import type { CommandStore } from '../persistence/ports';
import { DECISION_KEY } from './parse';
import { RESULT_MAPPINGS } from './evaluate';
import { decisionTaskSpec } from './task';

/**
 * Deploy rule for a business rule task with `camunda:decisionRef` (called from task-rules.ts):
 * a literal decision key, binding `latest` or `version` (with a positive integer version), a
 * known `camunda:mapDecisionResult`, no handler at the same time and no input/output mapping
 * (not applied to decisions). Answers the refusals.
 */
export function decisionTaskProblems(task: { id?: string; get(name: string): unknown }, hasDelegate: boolean, ioMapping: boolean): { rule: string; message: string }[] {
  const problems: { rule: string; message: string }[] = [];
  const attr = (name: string) => {
    const v = task.get(name);
    return typeof v === 'string' ? v.trim() : '';
  };
  const key = attr('camunda:decisionRef');
  const refuse = (message: string) => problems.push({ rule: 'decision-task', message: `business rule task "${task.id}": ${message}` });
  if (hasDelegate) refuse('has both camunda:decisionRef and camunda:delegateExpression; use one');
  if (!DECISION_KEY.test(key)) refuse(`camunda:decisionRef "${key}" must be the literal id of a decision (letters, digits, _ . -; expressions are not supported)`);
  const binding = attr('camunda:decisionRefBinding') || 'latest';
  if (binding !== 'latest' && binding !== 'version') refuse(`camunda:decisionRefBinding "${binding}" is not supported; use latest or version`);
  if (binding === 'version' && !/^[1-9][0-9]{0,8}$/.test(attr('camunda:decisionRefVersion'))) {
    refuse('camunda:decisionRefBinding="version" needs camunda:decisionRefVersion, a positive whole number');
  }
  const mapping = attr('camunda:mapDecisionResult');
  // moddle answers the descriptor's default ("resultList") when the attribute is absent: read the raw attribute.
  if (Object.prototype.hasOwnProperty.call(task, 'mapDecisionResult') && !(RESULT_MAPPINGS as readonly string[]).includes(mapping)) {
    refuse(`camunda:mapDecisionResult "${mapping}" is not one of ${RESULT_MAPPINGS.join(', ')}`);
  }
  if (attr('camunda:decisionRefTenantId')) refuse('camunda:decisionRefTenantId is not supported (no tenants)');
  if (ioMapping) refuse('camunda:inputOutput is not applied to decisions; the decision reads the process variables and writes camunda:resultVariable');
  return problems;
}

/** Warnings for business rule tasks naming a decision that is not deployed (yet): deploying it later is fine. */
export async function missingDecisions(store: CommandStore, sourceContext: unknown): Promise<DefinitionProblem[]> {
  if (!store.decisions) return [];
  const activities = (sourceContext as { getActivities(): { id: string; type: string; behaviour?: Record<string, unknown> }[] }).getActivities();
  const problems: DefinitionProblem[] = [];
  for (const a of activities) {
    if (a.type !== 'bpmn:BusinessRuleTask') continue;
    const spec = decisionTaskSpec(a.behaviour ?? {});
    if (!spec) continue;
    const found = spec.version ? await store.decisions.decisionVersion(spec.key, spec.version) : await store.decisions.latestDecision(spec.key);
    if (found) continue;
    problems.push({
      elementId: a.id,
      rule: 'decision-unknown-key',
      message: `no decision "${spec.key}"${spec.version ? ` version ${spec.version}` : ''} is deployed yet; the business rule task fails until one is`,
    });
  }
  return problems;
}
