import { currentStore } from '../commands/current-store';
import { evaluateDecision, mapDecisionResult, RESULT_MAPPINGS, type ResultMapping } from './evaluate';
import { resolveDecision } from './resolve';
import { noteEvaluation } from './evidence';

/** What a business rule task with `camunda:decisionRef` says (validated at deploy: engine/definitions/task-rules.ts). */
export interface DecisionTaskSpec {
  key: string;
  /** null = latest. */
  version: number | null;
  resultVariable: string | null;
  mapping: ResultMapping;
}

/** The lead's convention for issue 8: `singleResult` when `camunda:mapDecisionResult` is absent. */
export const DEFAULT_RESULT_MAPPING: ResultMapping = 'singleResult';

/** Reads a business rule task's decision attributes (bpmn-elements behaviour or moddle `$attrs`-free properties). */
export function decisionTaskSpec(behaviour: Record<string, unknown>): DecisionTaskSpec | null {
  const key = typeof behaviour.decisionRef === 'string' ? behaviour.decisionRef.trim() : '';
  if (!key) return null;
  const binding = typeof behaviour.decisionRefBinding === 'string' ? behaviour.decisionRefBinding.trim() : 'latest';
  const version = binding === 'version' ? Number(behaviour.decisionRefVersion) : null;
  const raw = typeof behaviour.mapDecisionResult === 'string' && behaviour.mapDecisionResult.trim() ? behaviour.mapDecisionResult.trim() : DEFAULT_RESULT_MAPPING;
  const resultVariable = typeof behaviour.resultVariable === 'string' && behaviour.resultVariable.trim() ? behaviour.resultVariable.trim() : null;
  return { key, version, resultVariable, mapping: (RESULT_MAPPINGS as readonly string[]).includes(raw) ? (raw as ResultMapping) : DEFAULT_RESULT_MAPPING };
}

type Callback = (error: Error | null, output?: unknown) => void;

/**
 * The bpmn-elements `Service` of a business rule task with a decisionRef: loads the decision
 * version from the running command's store (parsed once per version), evaluates it over the
 * task's variables and sets the result variable. A decision that is not deployed, or that fails
 * (UNIQUE with several matches...), fails the task and so the command (422 naming it).
 */
export function decisionTaskService(
  spec: DecisionTaskSpec,
  where: { instanceId: string; elementId: string },
  variables: (content: Record<string, unknown>) => Record<string, unknown>,
  assign: (patch: Record<string, unknown>) => void,
) {
  return function DecisionService(this: { execute: unknown }) {
    this.execute = (message: { content: Record<string, unknown> & { executionId?: string } }, callback: Callback) => {
      const store = currentStore();
      if (!store) return callback(new Error(`decision "${spec.key}" can only be evaluated inside a command`));
      let scope: Record<string, unknown>;
      try {
        scope = variables(message.content);
      } catch (error) {
        return callback(error instanceof Error ? error : new Error(String(error)));
      }
      resolveDecision(store, spec.key, spec.version)
        .then(({ record, table }) => {
          const result = evaluateDecision(table, scope);
          const value = mapDecisionResult(table, result, spec.mapping);
          if (spec.resultVariable) assign({ [spec.resultVariable]: value });
          noteEvaluation(store, {
            ...where,
            executionId: message.content.executionId ?? null,
            decision: { key: record.key, version: record.version, id: record.id },
            matchedRules: result.matchedRules,
            resultVariable: spec.resultVariable,
            result: value,
          });
          return { decision: { key: record.key, version: record.version }, matchedRules: result.matchedRules };
        })
        .then(
          (output) => callback(null, output),
          // A plain Error: an engine error's `code` must not match an error boundary's errorCode.
          (error: unknown) => callback(new Error(error instanceof Error ? error.message : String(error))),
        );
    };
  };
}
