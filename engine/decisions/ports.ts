import type { HitPolicy } from './model';

/** One deployed version of a decision (without its XML). */
export interface DecisionRecord {
  id: string;
  /** The decision's id in the DMN document. */
  key: string;
  version: number;
  name: string | null;
  hitPolicy: HitPolicy;
  /** SHA-256 of the DMN document the version came from. */
  sha256: string;
  deployedBy: string | null;
  deployedAt: string;
}

export interface NewDecision extends Omit<DecisionRecord, 'version'> {
  xml: string;
}

/** Decision storage inside a command's transaction (part of the command store: `store.decisions`). */
export interface DecisionStore {
  /** Serialises deploys of one key (versions 1, 2, ... without gaps or duplicates). */
  lockDecisionKey(key: string): Promise<void>;
  latestDecision(key: string): Promise<DecisionRecord | null>;
  decisionVersion(key: string, version: number): Promise<DecisionRecord | null>;
  insertDecision(decision: NewDecision): Promise<DecisionRecord>;
  /** The DMN document of a version (read on a cache miss). */
  decisionXml(id: string): Promise<string | null>;
}
