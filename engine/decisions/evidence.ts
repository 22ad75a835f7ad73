import type { HistoryDraft, OutcomeHook } from '../commands/kernel';
import type { CommandStore } from '../persistence/ports';

/** One decision a business rule task evaluated during a command's run. */
export interface DecisionEvidence {
  instanceId: string;
  elementId: string;
  executionId: string | null;
  decision: { key: string; version: number; id: string };
  matchedRules: string[];
  resultVariable: string | null;
  result: unknown;
}

/** Evaluations of the running command, by its store (dropped with the store when the command fails or retries). */
const pending = new WeakMap<CommandStore, DecisionEvidence[]>();

export function noteEvaluation(store: CommandStore, evidence: DecisionEvidence): void {
  const list = pending.get(store) ?? [];
  list.push(evidence);
  pending.set(store, list);
}

/**
 * Writes a `decision.evaluated` history event for every decision a business rule task evaluated
 * in the run being persisted (which version, which rules matched, what was stored): the audit
 * evidence of how a priority or a change authority was decided.
 */
export const decisionEvidenceHook: OutcomeHook = {
  async written(store, instance) {
    const list = pending.get(store);
    if (!list?.length) return [];
    const mine = list.filter((e) => e.instanceId === instance.id);
    pending.set(store, list.filter((e) => e.instanceId !== instance.id));
    return mine.map(
      (e): HistoryDraft => ({
        type: 'decision.evaluated',
        elementId: e.elementId,
        elementType: 'bpmn:BusinessRuleTask',
        executionId: e.executionId,
        actor: null,
        payload: { decisionKey: e.decision.key, decisionVersion: e.decision.version, decisionId: e.decision.id, matchedRules: e.matchedRules, resultVariable: e.resultVariable, result: e.result },
      }),
    );
  },
};
