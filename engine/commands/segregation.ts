import { EngineError, EngineErrorCode } from '../errors';
import type { CommandStore, InstanceRecord, TaskRecord, VariableHistoryEntry } from '../persistence/ports';
import type { RunnableDefinition } from '../runtime/instance-runner';

/** A user task's segregation-of-duties rule (`itsm:excludePerformersOf`, `itsm:excludeUsersIn`). */
export interface SegregationRule {
  /** Ids of earlier user tasks whose performers are excluded. */
  performersOf: string[];
  /**
   * Variables holding excluded usernames; `initiator` is the instance's starter, `rootInitiator`
   * the starter of the top-level instance of its call tree (the requester of a change whose CAB
   * review is a called process).
   */
  usersIn: string[];
}

const list = (value: unknown) =>
  typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : [];

/** The rule declared on a user task, or null. */
export function segregationRule(runnable: RunnableDefinition, elementId: string): SegregationRule | null {
  const activity = (runnable.sourceContext as { getActivityById(id: string): { behaviour?: Record<string, unknown> } | undefined }).getActivityById(elementId);
  const performersOf = list(activity?.behaviour?.excludePerformersOf);
  const usersIn = list(activity?.behaviour?.excludeUsersIn);
  return performersOf.length || usersIn.length ? { performersOf, usersIn } : null;
}

/**
 * Refuses `user` for `task` when the task's segregation-of-duties rule excludes them: they
 * performed one of the named earlier tasks in this instance, or a named variable (or the
 * initiator) holds their username, or held it before a task submission overwrote it: the
 * variable's values are replayed from the instance's history, so a task submission that rewrites
 * the variable does not lift an exclusion (see {@link excludedBy}). ISO 20000 audits sample exactly this (the requester of a
 * change must not approve it).
 * @throws EngineError FORBIDDEN with `details.rule = 'segregation-of-duties'`
 */
export async function assertSegregation(
  store: CommandStore,
  runnable: RunnableDefinition,
  instance: InstanceRecord,
  task: TaskRecord,
  user: string,
): Promise<void> {
  const rule = segregationRule(runnable, task.elementId);
  if (!rule) return;
  const taskName = `"${task.name ?? task.elementId}" (${task.elementId})`;
  for (const done of await store.completedTasksAt(instance.id, rule.performersOf)) {
    if (done.completedBy === user) {
      throw refuse(`segregation of duties: ${user} performed "${done.name ?? done.elementId}" (${done.elementId}) in this instance and may not also perform ${taskName}`, {
        excludedBy: 'performer', elementId: done.elementId,
      });
    }
  }
  const named = rule.usersIn.filter((v) => v !== 'initiator' && v !== 'rootInitiator');
  const history = named.length ? await store.variableHistory(instance.id, named) : [];
  for (const variable of rule.usersIn) {
    const current = usernames(instance.variables[variable]);
    const holders: (string | null)[] =
      variable === 'initiator' ? [instance.startedBy]
        : variable === 'rootInitiator' ? [await rootStarter(store, instance)]
          : [...excludedBy(history, variable), ...current];
    if (holders.includes(user)) {
      const now = variable === 'initiator' || variable === 'rootInitiator' || current.includes(user);
      throw refuse(`segregation of duties: ${user} ${now ? 'is' : 'was'} the ${variable} of this instance and may not perform ${taskName}`, {
        excludedBy: 'variable', variable,
      });
    }
  }
}

/**
 * The users a variable excludes, replayed from history (README: Segregation of duties): its value
 * at start and each value the process set replace one another; a value that a task submission
 * overwrote (the variable among the submitted keys) stays excluded for good. The value history
 * holds now counts too (besides the instance row's).
 */
export function excludedBy(history: VariableHistoryEntry[], variable: string): string[] {
  const pinned = new Set<string>();
  let current: string[] = [];
  let submission: { at: string; keys: string[] } | null = null;
  for (const event of history) {
    if (event.type === 'task.completed') {
      submission = { at: event.occurredAt, keys: Object.keys(event.values) };
      continue;
    }
    if (!(variable in event.values)) continue;
    // One command's task.completed and variables.changed carry the same time.
    const bySubmission = event.type === 'variables.changed' && submission?.at === event.occurredAt && submission.keys.includes(variable);
    if (bySubmission) current.forEach((name) => pinned.add(name));
    current = usernames(event.values[variable]);
  }
  return [...pinned, ...current];
}

/**
 * Who started the top-level instance of `instance`'s call tree. The root is read with the lock a
 * child's end takes on its caller anyway (child first, then caller), so the order is the usual one.
 */
async function rootStarter(store: CommandStore, instance: InstanceRecord): Promise<string | null> {
  if (!instance.rootInstanceId || instance.rootInstanceId === instance.id) return instance.startedBy;
  return (await store.lockInstance(instance.rootInstanceId))?.startedBy ?? null;
}

function usernames(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' ? [value] : [];
}

function refuse(message: string, details: Record<string, unknown>): EngineError {
  return new EngineError(EngineErrorCode.Forbidden, message, { details: { rule: 'segregation-of-duties', ...details } });
}
