import type { DefinitionProblem } from '../errors';
import type { CommandStore } from '../persistence/ports';
import { callSpecOf } from './call-spec';

/**
 * Warnings for call activities whose literal `calledElement` names a key that is not deployed
 * (yet): deploying the callee later is fine, so this never refuses.
 */
export async function missingCallees(store: CommandStore, ownKey: string, sourceContext: unknown): Promise<DefinitionProblem[]> {
  const activities = (sourceContext as { getActivities(): { id: string; type: string; behaviour?: Record<string, unknown> }[] }).getActivities();
  const problems: DefinitionProblem[] = [];
  for (const a of activities) {
    if (a.type !== 'bpmn:CallActivity') continue;
    const key = callSpecOf(a.behaviour)?.calledElement.trim() ?? '';
    if (!key || key.includes('${') || key.startsWith('=') || key === ownKey) continue;
    if (await store.latestDefinition(key)) continue;
    problems.push({ elementId: a.id, rule: 'call-activity-unknown-key', message: `no process with key "${key}" is deployed yet; the call activity fails until one is` });
  }
  return problems;
}
