/** The parsed, validated form of one DMN decision table (plain data: cached per decision version). */
export type HitPolicy = 'UNIQUE' | 'FIRST' | 'ANY' | 'RULE ORDER' | 'COLLECT';
export type Aggregation = 'SUM' | 'MIN' | 'MAX' | 'COUNT';

export interface DecisionInput {
  id: string;
  label: string | null;
  /** FEEL expression over the variables. */
  expression: string;
  typeRef: string | null;
  /** Name under which unary tests also see the input value (`camunda:inputVariable`, default `cellInput`). */
  inputVariable: string;
}

export interface DecisionOutput {
  id: string;
  /** The key of this output in a rule's result. */
  name: string;
  label: string | null;
  typeRef: string | null;
}

export interface DecisionRule {
  id: string;
  /** FEEL unary tests, one per input; `-` means any. */
  inputEntries: string[];
  /** FEEL expressions, one per output; empty means null. */
  outputEntries: string[];
}

export interface DecisionTable {
  /** The decision's id: its key. */
  key: string;
  name: string | null;
  hitPolicy: HitPolicy;
  aggregation: Aggregation | null;
  inputs: DecisionInput[];
  outputs: DecisionOutput[];
  rules: DecisionRule[];
}

/** The answer of one evaluation. */
export interface DecisionResult {
  /** The matched rules' outputs in order (one entry, the aggregate, for COLLECT with an aggregation). */
  resultList: Record<string, unknown>[];
  /** Ids of the matched rules, in table order. */
  matchedRules: string[];
  /**
   * The natural value: the single rule's outputs (or null) for UNIQUE, FIRST and ANY; the list for
   * RULE ORDER and COLLECT; the aggregate number for COLLECT with an aggregation.
   */
  result: unknown;
}
