/**
 * Camunda's `camunda:initiator="<variable>"` on a process-level none start event: when a user
 * starts the instance, that variable holds the user's name (e.g. to assign a confirmation task to
 * the requester with `camunda:assignee="${initiator}"`). It is set from the authenticated actor and
 * wins over a start variable of the same name, so a requester cannot name somebody else.
 */
interface ContextActivity { id: string; type: string; parent?: { type?: string }; behaviour?: { initiator?: unknown; eventDefinitions?: unknown[] } }

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function initiatorVariables(sourceContext: unknown, actor: string | null): Record<string, string> {
  if (!actor) return {};
  const out: Record<string, string> = {};
  for (const a of (sourceContext as { getActivities(): ContextActivity[] }).getActivities()) {
    if (a.type !== 'bpmn:StartEvent' || a.parent?.type !== 'bpmn:Process' || a.behaviour?.eventDefinitions?.length) continue;
    const name = typeof a.behaviour?.initiator === 'string' ? a.behaviour.initiator.trim() : '';
    if (NAME.test(name)) out[name] = actor;
  }
  return out;
}
