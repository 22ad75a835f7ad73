import { randomUUID } from 'node:crypto';
import type { CommandKernel } from '../commands/kernel';
import type { CommandStore } from '../persistence/ports';
import { assertVariables } from '../variables';
import { evaluateDecision } from './evaluate';
import { compileDecisions } from './parse';
import type { DecisionRecord } from './ports';
import { decisionStoreOf, rememberTable, resolveDecision } from './resolve';

export interface DecisionDeployResult {
  /** One entry per decision of the document; `created` false when the document was already its latest version. */
  decisions: (DecisionRecord & { created: boolean })[];
}

export interface DecisionEvaluation {
  decision: Pick<DecisionRecord, 'id' | 'key' | 'version' | 'name' | 'hitPolicy'>;
  result: unknown;
  resultList: Record<string, unknown>[];
  matchedRules: string[];
}

/** Deploying and test-evaluating DMN decision tables (each in one transaction, like every command). */
export class DecisionCommands {
  constructor(
    private readonly kernel: CommandKernel,
    private readonly maxBytes?: number,
  ) {}

  /**
   * Validates a DMN document and stores each of its decisions as the next version of its key,
   * unless the same document already is the key's latest version.
   * @throws EngineError INVALID_DEFINITION (naming the decision and the reason), PAYLOAD_TOO_LARGE
   */
  async deploy(input: { document: Uint8Array | string; actor: string | null }): Promise<DecisionDeployResult> {
    const compiled = await compileDecisions(input.document, { maxBytes: this.maxBytes });
    return this.kernel.execute((store) => this.store(store, compiled, input.actor));
  }

  /**
   * Validates and stores a DMN document inside an open command (a multi-file deployment of a
   * process with its decision tables: everything commits or nothing does).
   */
  async deployIn(store: CommandStore, document: string, actor: string | null): Promise<DecisionDeployResult> {
    return this.store(store, await compileDecisions(document, { maxBytes: this.maxBytes }), actor);
  }

  private async store(store: CommandStore, compiled: Awaited<ReturnType<typeof compileDecisions>>, actor: string | null): Promise<DecisionDeployResult> {
    const decisions = decisionStoreOf(store);
    const deployed: DecisionDeployResult['decisions'] = [];
    // Keys are locked in a fixed order, so two documents sharing decisions cannot deadlock.
    for (const table of [...compiled.decisions].sort((a, b) => (a.key < b.key ? -1 : 1))) {
      await decisions.lockDecisionKey(table.key);
      const latest = await decisions.latestDecision(table.key);
      if (latest && latest.sha256 === compiled.sha256) {
        deployed.push({ ...latest, created: false });
        continue;
      }
      const record = await decisions.insertDecision({
        id: randomUUID(),
        key: table.key,
        name: table.name,
        hitPolicy: table.hitPolicy,
        sha256: compiled.sha256,
        deployedBy: actor,
        deployedAt: this.kernel.now(),
        xml: compiled.xml,
      });
      rememberTable(record.id, table);
      deployed.push({ ...record, created: true });
    }
    return { decisions: deployed };
  }

  /**
   * Evaluates the latest (or the given) version of a decision over `variables` (a test run:
   * nothing is stored).
   * @throws EngineError DEFINITION_NOT_FOUND, INVALID_REQUEST (variables), DECISION_FAILED, BUDGET_EXCEEDED
   */
  async evaluate(input: { key: string; version?: number | null; variables: unknown }): Promise<DecisionEvaluation> {
    const variables = assertVariables(input.variables ?? {});
    // Inside the command: the evaluation runs under its execution budget (sandboxed FEEL is awaited off the event loop).
    const { record, evaluation } = await this.kernel.execute(async (store) => {
      const { record, table } = await resolveDecision(store, input.key, input.version);
      return { record, evaluation: evaluateDecision(table, variables) };
    });
    return {
      decision: { id: record.id, key: record.key, version: record.version, name: record.name, hitPolicy: record.hitPolicy },
      result: evaluation.result,
      resultList: evaluation.resultList,
      matchedRules: evaluation.matchedRules,
    };
  }
}
