import { createHash } from 'node:crypto';
import { DmnModdle } from 'dmn-moddle';
import { parseExpression, parseUnaryTests } from 'feelin';
import { EngineError, EngineErrorCode, type DefinitionProblem } from '../errors';
import { decodeBpmnBytes, stripBom, utf8ByteLength } from '../definitions/decode';
import { ProblemSink } from '../definitions/problems';
import type { Aggregation, DecisionInput, DecisionOutput, DecisionRule, DecisionTable, HitPolicy } from './model';

/** Deploy limits: they bound the cost of one evaluation (rules × inputs unary tests). */
export const DECISION_LIMITS = Object.freeze({
  maxBytes: 1024 * 1024,
  maxDecisions: 50,
  maxInputs: 20,
  maxOutputs: 20,
  maxRules: 500,
  /** rules × (inputs + outputs): the FEEL cells one evaluation may run. */
  maxCells: 2000,
  maxEntryLength: 1000,
  /** All FEEL text of a table: an evaluation costs roughly in proportion (about 0.5 s at the limit, worst case). */
  maxFeelChars: 64 * 1024,
});

/** Keys appear in URLs (`/api/decisions/:key`) and in `camunda:decisionRef`. */
export const DECISION_KEY = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;

const HIT_POLICIES: ReadonlySet<string> = new Set(['UNIQUE', 'FIRST', 'ANY', 'RULE ORDER', 'COLLECT']);
const AGGREGATIONS: ReadonlySet<string> = new Set(['SUM', 'MIN', 'MAX', 'COUNT']);
/** DRG elements that only document (they change nothing we evaluate). */
const DOCUMENTING = new Set(['dmn:InputData', 'dmn:KnowledgeSource', 'dmn:TextAnnotation', 'dmn:Association']);

export interface CompiledDecisions {
  xml: string;
  sha256: string;
  /** The definitions' name (or id). */
  name: string | null;
  decisions: DecisionTable[];
}

/* eslint-disable @typescript-eslint/no-explicit-any -- moddle elements are untyped. */

/**
 * Parses and validates a DMN 1.3 document. Only decision tables are accepted, with the hit
 * policies UNIQUE, FIRST, ANY, RULE ORDER and COLLECT (optionally SUM, MIN, MAX, COUNT); every
 * input entry must parse as FEEL unary tests and every output entry as a FEEL expression.
 * @throws EngineError INVALID_DEFINITION (with `details.problems`, naming the decision), PAYLOAD_TOO_LARGE
 */
export async function compileDecisions(document: Uint8Array | string, options: { maxBytes?: number } = {}): Promise<CompiledDecisions> {
  const maxBytes = options.maxBytes ?? DECISION_LIMITS.maxBytes;
  const size = typeof document === 'string' ? utf8ByteLength(document) : document.byteLength;
  if (size > maxBytes) {
    throw new EngineError(EngineErrorCode.PayloadTooLarge, `the DMN document is ${size} bytes; the limit is ${maxBytes} bytes`, { details: { size, limit: maxBytes } });
  }
  const xml = stripBom(typeof document === 'string' ? document : decodeBpmnBytes(document));
  const refuse = (rule: string, message: string): never => {
    throw new EngineError(EngineErrorCode.InvalidDefinition, message, { details: { problems: [{ rule, message }] } });
  };
  if (!xml.trim()) refuse('dmn-empty', 'the DMN document is empty');
  if (/<!DOCTYPE/i.test(xml)) refuse('dmn-doctype', 'DMN documents may not declare a DOCTYPE');
  let parsed: { rootElement: any; warnings: { message: string }[] };
  try {
    parsed = await new DmnModdle().fromXML(xml, 'dmn:Definitions');
  } catch (error) {
    return refuse('dmn-malformed', `not a DMN 1.3 document (namespace https://www.omg.org/spec/DMN/20191111/MODEL/): ${firstLine(error)}`);
  }
  if (parsed.warnings.length) {
    refuse('dmn-malformed', `the DMN document has unreadable content: ${parsed.warnings.slice(0, 3).map((w) => firstLine(w.message)).join('; ')}`);
  }
  const root = parsed.rootElement;
  const sink = new ProblemSink();
  const decisions: DecisionTable[] = [];
  const elements: any[] = root?.drgElement ?? [];
  for (const element of elements) {
    if (element.$type === 'dmn:Decision') {
      const table = checkDecision(element, sink);
      if (table) decisions.push(table);
    } else if (!DOCUMENTING.has(element.$type)) {
      sink.refuse('dmn-unsupported-element', `${element.$type.replace('dmn:', '')} "${element.id}" is not supported: only decision tables are evaluated`, element.id);
    }
  }
  if (!elements.some((e) => e.$type === 'dmn:Decision')) sink.refuse('dmn-no-decision', 'the DMN document contains no decision');
  if (decisions.length > DECISION_LIMITS.maxDecisions) sink.refuse('dmn-too-many-decisions', `the document has ${decisions.length} decisions; the limit is ${DECISION_LIMITS.maxDecisions}`);
  const keys = new Set<string>();
  for (const d of decisions) {
    if (keys.has(d.key)) sink.refuse('dmn-duplicate-decision', `decision "${d.key}" appears twice`, d.key);
    keys.add(d.key);
  }
  if (sink.refusals.length) throw sink.toError();
  return { xml, sha256: createHash('sha256').update(xml).digest('hex'), name: text(root.name) ?? text(root.id) ?? null, decisions };
}

function checkDecision(decision: any, sink: ProblemSink): DecisionTable | null {
  const id = String(decision.id ?? '');
  const where = `decision "${id}"`;
  const before = sink.refusals.length;
  if (!DECISION_KEY.test(id)) sink.refuse('dmn-decision-id', `${where}: the id must be 1-128 letters, digits, _ . - starting with a letter or _`, id || undefined);
  const required = (decision.informationRequirement ?? []).filter((r: any) => r.requiredDecision);
  if (required.length) sink.refuse('dmn-required-decision', `${where} requires other decisions; decision requirement graphs are not evaluated, only single decision tables`, id);
  if ((decision.knowledgeRequirement ?? []).length) sink.refuse('dmn-knowledge-requirement', `${where} requires a business knowledge model, which is not supported`, id);
  const logic = decision.decisionLogic;
  if (!logic || logic.$type !== 'dmn:DecisionTable') {
    const kind = logic ? logic.$type.replace('dmn:', '') : 'no decision logic';
    sink.refuse('dmn-decision-logic', `${where} has ${logic ? `a ${kind}` : kind}: only decision tables are supported`, id);
    return null;
  }
  const hitPolicy = String(logic.hitPolicy ?? 'UNIQUE');
  if (!HIT_POLICIES.has(hitPolicy)) {
    sink.refuse('dmn-hit-policy', `${where} uses hit policy ${hitPolicy}; supported: UNIQUE, FIRST, ANY, RULE ORDER, COLLECT`, id);
  }
  const aggregation = logic.aggregation ? String(logic.aggregation) : null;
  if (aggregation && (hitPolicy !== 'COLLECT' || !AGGREGATIONS.has(aggregation))) {
    sink.refuse('dmn-aggregation', `${where}: aggregation ${aggregation} is only supported as SUM, MIN, MAX or COUNT with hit policy COLLECT`, id);
  }
  const inputs: DecisionInput[] = (logic.input ?? []).map((input: any, index: number) => {
    const expression = text(input.inputExpression?.text)?.trim() ?? '';
    const inputId = text(input.id) ?? `${id}.input${index + 1}`;
    if (!expression) sink.refuse('dmn-input-expression', `${where}: input "${input.label ?? inputId}" has no input expression`, inputId);
    else checkFeel(sink, where, inputId, `input expression of "${input.label ?? inputId}"`, expression, input.inputExpression?.expressionLanguage, false);
    const inputVariable = text(input.$attrs?.['camunda:inputVariable'])?.trim() || 'cellInput';
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(inputVariable)) sink.refuse('dmn-input-variable', `${where}: camunda:inputVariable "${inputVariable}" is not a name`, inputId);
    return { id: inputId, label: text(input.label) ?? null, expression, typeRef: text(input.inputExpression?.typeRef) ?? null, inputVariable };
  });
  const names = new Set<string>();
  const outputs: DecisionOutput[] = (logic.output ?? []).map((output: any, index: number) => {
    const outputId = text(output.id) ?? `${id}.output${index + 1}`;
    const name = text(output.name)?.trim() ?? '';
    if (!name) sink.refuse('dmn-output-name', `${where}: output "${output.label ?? outputId}" has no name (the key of the result)`, outputId);
    else if (names.has(name)) sink.refuse('dmn-output-name', `${where}: two outputs are named "${name}"`, outputId);
    names.add(name);
    return { id: outputId, name, label: text(output.label) ?? null, typeRef: text(output.typeRef) ?? null };
  });
  if (!outputs.length) sink.refuse('dmn-no-output', `${where} has no output`, id);
  if (aggregation && outputs.length > 1) sink.refuse('dmn-aggregation', `${where}: an aggregation needs exactly one output, the table has ${outputs.length}`, id);
  const rawRules: any[] = logic.rule ?? [];
  if (inputs.length > DECISION_LIMITS.maxInputs) sink.refuse('dmn-too-large', `${where} has ${inputs.length} inputs; the limit is ${DECISION_LIMITS.maxInputs}`, id);
  if (outputs.length > DECISION_LIMITS.maxOutputs) sink.refuse('dmn-too-large', `${where} has ${outputs.length} outputs; the limit is ${DECISION_LIMITS.maxOutputs}`, id);
  if (rawRules.length > DECISION_LIMITS.maxRules) sink.refuse('dmn-too-large', `${where} has ${rawRules.length} rules; the limit is ${DECISION_LIMITS.maxRules}`, id);
  const cells = rawRules.length * (inputs.length + outputs.length);
  if (cells > DECISION_LIMITS.maxCells) sink.refuse('dmn-too-large', `${where} has ${cells} cells (rules × (inputs + outputs)); the limit is ${DECISION_LIMITS.maxCells}`, id);
  if (sink.refusals.length > before) return null;

  const rules: DecisionRule[] = rawRules.map((rule: any, index: number) => {
    const ruleId = text(rule.id) ?? `${id}.rule${index + 1}`;
    const inputEntries: any[] = rule.inputEntry ?? [];
    const outputEntries: any[] = rule.outputEntry ?? [];
    if (inputEntries.length !== inputs.length || outputEntries.length !== outputs.length) {
      sink.refuse('dmn-rule-shape', `${where}: rule "${ruleId}" has ${inputEntries.length} input and ${outputEntries.length} output entries; the table has ${inputs.length} inputs and ${outputs.length} outputs`, ruleId);
      return { id: ruleId, inputEntries: [], outputEntries: [] };
    }
    return {
      id: ruleId,
      inputEntries: inputEntries.map((entry, i) => {
        const source = text(entry.text)?.trim() || '-';
        checkFeel(sink, where, ruleId, `rule "${ruleId}", input "${inputs[i].label ?? inputs[i].id}"`, source, entry.expressionLanguage, true);
        return source;
      }),
      outputEntries: outputEntries.map((entry, i) => {
        const source = text(entry.text)?.trim() ?? '';
        if (source) checkFeel(sink, where, ruleId, `rule "${ruleId}", output "${outputs[i].name}"`, source, entry.expressionLanguage, false);
        return source;
      }),
    };
  });
  const feelChars = rules.reduce((sum, r) => sum + [...r.inputEntries, ...r.outputEntries].reduce((n, e) => n + e.length, 0), 0);
  if (feelChars > DECISION_LIMITS.maxFeelChars) sink.refuse('dmn-too-large', `${where} has ${feelChars} characters of FEEL entries; the limit is ${DECISION_LIMITS.maxFeelChars}`, id);
  if (sink.refusals.length > before) return null;
  return { key: id, name: text(decision.name) ?? null, hitPolicy: hitPolicy as HitPolicy, aggregation: aggregation as Aggregation | null, inputs, outputs, rules };
}

function checkFeel(sink: ProblemSink, where: string, elementId: string, what: string, source: string, language: unknown, unary: boolean): void {
  if (typeof language === 'string' && language.trim() && !/feel/i.test(language)) {
    sink.refuse('dmn-expression-language', `${where}: ${what} uses expression language "${language}"; only FEEL is evaluated`, elementId);
    return;
  }
  if (source.length > DECISION_LIMITS.maxEntryLength) {
    sink.refuse('dmn-entry-too-long', `${where}: ${what} is ${source.length} characters; the limit is ${DECISION_LIMITS.maxEntryLength}`, elementId);
    return;
  }
  const error = syntaxError(source, unary);
  if (error) sink.refuse('dmn-feel-syntax', `${where}: ${what} is not a valid FEEL ${unary ? 'unary test' : 'expression'} (${error}): ${source}`, elementId);
}

/** A syntax error message, or null when `source` parses. */
export function syntaxError(source: string, unary: boolean): string | null {
  let error: { from: number; to: number } | undefined;
  const tree = unary ? parseUnaryTests(source, {}, undefined) : parseExpression(source, {}, undefined);
  tree.iterate({
    enter(node) {
      if (node.type.isError && !error) error = { from: node.from, to: node.to };
      return !error;
    },
  });
  if (!error) return null;
  return error.to > error.from ? `unexpected "${source.slice(error.from, error.to)}"` : 'incomplete';
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split('\n')[0].slice(0, 300);
}

export type { DefinitionProblem };
