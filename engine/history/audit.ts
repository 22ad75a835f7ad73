import { canonicalJson, verifyChain, type ChainHead, type HistoryEventRecord } from './hash-chain';
import { headMessage, HistoryKeyring, type SealCheck } from './seal';

/** One thing verification found wrong. `seq` names the event when there is one. */
export interface HistoryProblem {
  instanceId: string;
  seq: number | null;
  kind: 'chain' | 'seal' | 'head' | 'variables' | 'task' | 'anchor';
  reason: string;
}

export type SealedEvent = HistoryEventRecord & { mac: string | null };

/** A completed or cancelled user task row, as the API shows it. */
export interface TaskFact {
  id: string;
  elementId: string;
  status: string;
  completedBy: string | null;
  submitted: Record<string, unknown> | null;
}

/** Everything stored about one instance that history must account for. */
export interface InstanceFacts {
  instanceId: string;
  head: ChainHead;
  headSeal: string | null;
  events: SealedEvent[];
  /** `process_instance.variables`. */
  variables: Record<string, unknown>;
  tasks: TaskFact[];
}

/**
 * Checks one instance against its history and the server key: the chain itself (order, links,
 * hashes), every event's seal, the seal of the head kept on the instance row (so a removed tail or
 * a reset head is caught), the instance's variables (replayed from `variables.changed`) and each
 * completed task's performer and submitted data (against its `task.completed` event). Answers
 * every problem found, in order (chain and seals by event, then head, variables and tasks).
 */
export function auditInstance(facts: InstanceFacts, ring: HistoryKeyring): HistoryProblem[] {
  const problems: HistoryProblem[] = [];
  const add = (kind: HistoryProblem['kind'], seq: number | null, reason: string) => problems.push({ instanceId: facts.instanceId, seq, kind, reason });

  const chain = verifyChain(facts.events, facts.head);
  if (chain.firstInvalid) add('chain', chain.firstInvalid.seq, chain.firstInvalid.reason);

  // Seals: consecutive failures of one kind are one problem (a rewrite breaks every later hash).
  let run: { check: SealCheck; first: number; last: number; keyId: string | null } | null = null;
  const flush = () => {
    if (!run) return;
    const where = run.first === run.last ? `event #${run.first}` : `events #${run.first}-#${run.last}`;
    add('seal', run.first, sealReason(where, run.check, run.keyId));
    run = null;
  };
  for (const event of facts.events) {
    const check = ring.check('event', event.hash, event.mac);
    if (check === 'valid') {
      flush();
      continue;
    }
    if (run && run.check === check && run.last === event.seq - 1) run.last = event.seq;
    else {
      flush();
      run = { check, first: event.seq, last: event.seq, keyId: HistoryKeyring.keyIdOfSeal(event.mac) };
    }
  }
  flush();

  const head = ring.check('head', headMessage(facts.instanceId, facts.head), facts.headSeal);
  if (head !== 'valid') {
    add('head', facts.head.seq || null, {
      missing: `the instance's chain head (#${facts.head.seq}) carries no seal: written before keyed history, or the seal was removed`,
      'unknown-key': `the instance's chain head is sealed with an unknown key (${HistoryKeyring.keyIdOfSeal(facts.headSeal)})`,
      invalid: `the instance's chain head (#${facts.head.seq}) does not match its seal: events were removed and the head moved back, or the head was reset`,
    }[head]);
  }

  const replayed = replayVariables(facts.events);
  const differing = differingKeys(replayed, facts.variables);
  if (differing.length) {
    add('variables', null, `the instance's variables ${differing.map((k) => `"${k}"`).join(', ')} do not match what its history recorded (the instance row was changed)`);
  }

  const completions = new Map<string, SealedEvent>();
  for (const e of facts.events) if (e.type === 'task.completed' && typeof e.payload?.taskId === 'string') completions.set(e.payload.taskId, e);
  for (const task of facts.tasks) {
    const event = completions.get(task.id);
    completions.delete(task.id);
    const byUser = task.status === 'completed' && task.completedBy !== null;
    if (!event) {
      if (byUser) add('task', null, `task ${task.id} (${task.elementId}) is recorded as completed by ${task.completedBy} but history has no completion of it`);
      continue;
    }
    if (task.status !== 'completed') add('task', event.seq, `task ${task.id} (${task.elementId}) was completed (event #${event.seq}) but its row says ${task.status}`);
    else if (task.completedBy !== event.actor) add('task', event.seq, `task ${task.id} (${task.elementId}) names ${task.completedBy} as its performer; history (event #${event.seq}) names ${event.actor}`);
    else if (canonicalJson(task.submitted ?? {}) !== canonicalJson(event.payload?.variables ?? {})) {
      add('task', event.seq, `the data submitted with task ${task.id} (${task.elementId}) does not match its completion in history (event #${event.seq})`);
    }
  }
  for (const [taskId, event] of completions) add('task', event.seq, `history completes task ${taskId} (event #${event.seq}) but there is no such task row`);
  return problems;
}

function sealReason(where: string, check: SealCheck, keyId: string | null): string {
  switch (check) {
    case 'missing':
      return `${where} carry no seal: written before keyed history (seal them once, see README), or the seal was removed`;
    case 'unknown-key':
      return `${where} are sealed with a key this server does not hold (${keyId}): add it to HISTORY_PREVIOUS_KEYS`;
    default:
      return `${where} do not match their seals: the rows were rewritten (hashes recomputed without the key)`;
  }
}

/**
 * The variables as history recorded them: the start variables (`instance.started`), then every
 * `variables.changed` applied in order (null = removed).
 */
export function replayVariables(events: HistoryEventRecord[]): Record<string, unknown> {
  const variables: Record<string, unknown> = {};
  for (const e of events) {
    const changes = e.type === 'variables.changed' ? e.payload?.changes : e.type === 'instance.started' ? e.payload?.variables : undefined;
    if (changes && typeof changes === 'object' && !Array.isArray(changes)) Object.assign(variables, changes);
  }
  return variables;
}

/** Top-level keys whose values differ; a null value and an absent key are the same. */
function differingKeys(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => canonicalJson(a[k] ?? null) !== canonicalJson(b[k] ?? null)).sort();
}
