import { evaluateExpression } from '../expressions';

/**
 * What a call activity declares (`calledElement`, `camunda:calledElementBinding`,
 * `camunda:calledElementVersion`, `camunda:calledElementVersionTag`, `camunda:in`,
 * `camunda:out`), read from the parsed context (moddle-context-serializer behaviour). Deploy
 * rules (definitions/call-activity-rules.ts) refuse every shape this module does not handle.
 */
export interface CallSpec {
  calledElement: string;
  binding: 'latest' | 'version' | 'versionTag';
  version: number | null;
  versionTag: string | null;
  ins: VariableMapping[];
  outs: VariableMapping[];
}

/** One `camunda:in`/`camunda:out`. */
export interface VariableMapping {
  source?: string;
  sourceExpression?: string;
  target?: string;
  /** `variables="all"`. */
  all: boolean;
  /** `camunda:in businessKey="..."` (in only). */
  businessKey?: string;
}

/** The resolved call: what the host needs to start the child (computed when the call activity runs). */
export interface ResolvedCall {
  calledElement: string;
  binding: CallSpec['binding'];
  version: number | null;
  versionTag: string | null;
  /** The child's start variables (camunda:in). */
  variables: Record<string, unknown>;
  /** The child's business key (camunda:in businessKey), null without one. */
  businessKey: string | null;
}

interface MappingElement {
  $type: string;
  source?: string;
  sourceExpression?: string;
  target?: string;
  variables?: string;
  businessKey?: string;
}

/** The call spec of a context activity's behaviour; null when it is no call activity. */
export function callSpecOf(behaviour: Record<string, unknown> | undefined): CallSpec | null {
  if (!behaviour) return null;
  const values = ((behaviour.extensionElements as { values?: MappingElement[] } | undefined)?.values ?? []);
  const mapping = (m: MappingElement): VariableMapping => ({
    ...(m.source !== undefined ? { source: m.source } : {}),
    ...(m.sourceExpression !== undefined ? { sourceExpression: m.sourceExpression } : {}),
    ...(m.target !== undefined ? { target: m.target } : {}),
    ...(m.businessKey !== undefined ? { businessKey: m.businessKey } : {}),
    all: m.variables === 'all',
  });
  const binding = String(behaviour.calledElementBinding ?? 'latest');
  const version = behaviour.calledElementVersion === undefined ? null : Number(behaviour.calledElementVersion);
  return {
    calledElement: String(behaviour.calledElement ?? ''),
    binding: binding === 'version' || binding === 'versionTag' ? binding : 'latest',
    version: Number.isInteger(version) ? version : null,
    versionTag: typeof behaviour.calledElementVersionTag === 'string' ? behaviour.calledElementVersionTag : null,
    ins: values.filter((v) => v.$type === 'camunda:In').map(mapping),
    outs: values.filter((v) => v.$type === 'camunda:Out').map(mapping),
  };
}

/** The key an attribute names: literal text, or an expression evaluated with the safe evaluator. */
function resolveText(raw: string, data: Record<string, unknown>): string {
  if (!raw.includes('${') && !raw.trim().startsWith('=')) return raw.trim();
  const value = evaluateExpression(raw, data);
  return value === null || value === undefined ? '' : String(value);
}

/**
 * Resolves a call when the call activity runs: the called key, and the child's variables and
 * business key from `camunda:in`. Without any `camunda:in` nothing is passed (Camunda 7).
 * Expressions see the caller's variables, plus `businessKey` (the caller's business key, unless a
 * variable of that name exists) and `execution.processBusinessKey`.
 * @throws Error when an expression fails (the host names the element)
 */
export function resolveCall(spec: CallSpec, variables: Record<string, unknown>, callerBusinessKey: string | null): ResolvedCall {
  const data: Record<string, unknown> = { businessKey: callerBusinessKey, execution: { processBusinessKey: callerBusinessKey }, ...variables };
  const childVariables: Record<string, unknown> = {};
  let businessKey: string | null = null;
  for (const m of spec.ins) {
    if (m.businessKey !== undefined) {
      const value = resolveText(m.businessKey, data);
      businessKey = value === '' ? null : value;
    }
    if (m.all) Object.assign(childVariables, structuredClone(variables));
    const value = mappedValue(m, data, variables);
    if (value !== NONE && m.target) childVariables[m.target] = value;
  }
  return {
    calledElement: resolveText(spec.calledElement, data),
    binding: spec.binding,
    version: spec.version,
    versionTag: spec.versionTag,
    variables: childVariables,
    businessKey,
  };
}

/** The caller's new variables from the child's final ones (`camunda:out`); nothing without any. */
export function mapOut(spec: CallSpec, childVariables: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of spec.outs) {
    if (m.all) Object.assign(out, structuredClone(childVariables));
    const value = mappedValue(m, childVariables, childVariables);
    if (value !== NONE && m.target) out[m.target] = value;
  }
  return out;
}

const NONE = Symbol('none');

function mappedValue(m: VariableMapping, data: Record<string, unknown>, variables: Record<string, unknown>): unknown {
  if (m.sourceExpression !== undefined) return structuredClone(evaluateExpression(m.sourceExpression, data) ?? null);
  // Camunda passes a source variable that is not set as null.
  if (m.source !== undefined) return structuredClone(Object.prototype.hasOwnProperty.call(variables, m.source) ? variables[m.source] : null);
  return NONE;
}
