import { createHash } from 'node:crypto';
import { EngineError, EngineErrorCode, invalidDefinition, type DefinitionProblem } from '../errors';
import { decodeBpmnBytes, stripBom, utf8ByteLength } from './decode';
import { proveEngineLoads, serializeModel } from './engine-load';
import { checkEvents } from './event-rules';
import { checkRecords } from './record-rules';
import { checkSlaPauses } from '../sla/sla-rules';
import { checkExpressions } from './expression-rules';
import { checkCamundaExtensions } from './extension-rules';
import { checkCallActivities } from './call-activity-rules';
import { assignMissingFlowIds } from './flow-ids';
import { stripInertElements } from './inert-elements';
import { lintModel } from './lint';
import { is, text } from './model';
import { parseBpmn } from './parse';
import { prescanXml } from './prescan';
import { ProblemSink } from './problems';
import { createRuleContext, normalizeFlowNodeLinks, type RuleContext } from './rule-context';
import { checkExecutableProcess, checkStructure, findExecutableProcess } from './structure-rules';
import { checkTasks } from './task-rules';

/** Default size limit of a BPMN document: 2 MiB. */
export const DEFAULT_MAX_BYTES = 2 * 1024 * 1024;
/** Default limit of XML element nesting. */
export const DEFAULT_MAX_DEPTH = 64;
/**
 * Default limit of XML elements in a document (diagram interchange included). The largest real
 * export in the shared corpus has about 1,500; our largest reference flow about 560.
 */
export const DEFAULT_MAX_ELEMENTS = 10_000;
/** Default limit of flow elements (activities, events, gateways, sequence flows) over all processes. */
export const DEFAULT_MAX_FLOW_ELEMENTS = 2_000;

/** Limits and the two things the validator needs from the rest of the engine. */
export interface CompileOptions {
  /** Largest accepted document in bytes (UTF-8 for string input); default 2 MiB. Larger: `PayloadTooLarge`. */
  maxBytes?: number;
  /** Deepest accepted XML element nesting; default 64. */
  maxDepth?: number;
  /** Most XML elements in the document; default {@link DEFAULT_MAX_ELEMENTS}. */
  maxElements?: number;
  /** Most flow elements over all processes; default {@link DEFAULT_MAX_FLOW_ELEMENTS}. */
  maxFlowElements?: number;
  /** Largest literal multi-instance loopCardinality or standard loopMaximum; default (and ceiling) the runtime's MAX_LOOP_INSTANCES. */
  maxLoopCardinality?: number;
  /** Names a service task may reference with `camunda:delegateExpression="${name}"`. */
  knownHandlers: ReadonlySet<string>;
  /** Syntax check of `${...}` / `=...` expressions: an error message, or null when valid. */
  checkExpression: (expression: string) => string | null;
}

/** A definition that passed every rule and loads in bpmn-engine: what the repository stores. */
export interface CompiledDefinition {
  /** Id of the one executable process: the definition key. */
  processId: string;
  /** The process name, else the definitions name. */
  name: string | null;
  /** The decoded text that was parsed. */
  xml: string;
  /** Hex SHA-256 of `xml` (UTF-8). */
  sha256: string;
  /** moddle-context-serializer JSON, for {@link loadSourceContext}. */
  serialized: string;
  /** Non-fatal findings (lint style rules, ignored vendor content...). */
  warnings: DefinitionProblem[];
}

/**
 * Validates a BPMN document for deployment and compiles it to the serialized form the engine
 * runs. Every finding is collected; a document with any refusal throws one
 * `EngineError(InvalidDefinition)` whose `details.problems` lists them all.
 *
 * @throws EngineError `PayloadTooLarge` or `InvalidDefinition`; never anything else.
 */
export async function compileDefinition(input: Uint8Array | string, options: CompileOptions): Promise<CompiledDefinition> {
  return compileInto(input, options, new ProblemSink());
}

/** What a dry run of the deploy validation found: `problems` refuse the deploy, `warnings` do not. */
export interface ValidationResult {
  problems: DefinitionProblem[];
  warnings: DefinitionProblem[];
}

/**
 * Runs exactly the checks of {@link compileDefinition} (same stages, same rules, same messages)
 * without storing anything, and answers what they found instead of throwing: the modeler's live
 * lint. Warnings found before a refusal are kept, so a refused model still shows its hygiene
 * findings.
 *
 * @throws only what compileDefinition throws besides `InvalidDefinition`/`PayloadTooLarge` (nothing, by contract)
 */
export async function validateDefinition(input: Uint8Array | string, options: CompileOptions): Promise<ValidationResult> {
  const sink = new ProblemSink();
  try {
    const compiled = await compileInto(input, options, sink);
    return { problems: [], warnings: compiled.warnings };
  } catch (error) {
    if (error instanceof EngineError && (error.code === EngineErrorCode.InvalidDefinition || error.code === EngineErrorCode.PayloadTooLarge)) {
      const problems = (error.details?.problems as DefinitionProblem[] | undefined) ?? [{ rule: 'invalid-definition', message: error.message }];
      return { problems, warnings: sink.warnings };
    }
    throw error;
  }
}

async function compileInto(input: Uint8Array | string, options: CompileOptions, sink: ProblemSink): Promise<CompiledDefinition> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const size = typeof input === 'string' ? utf8ByteLength(input) : input.byteLength;
  if (size > maxBytes) {
    const problem: DefinitionProblem = { rule: 'payload-too-large', message: `the document is ${size} bytes; the limit is ${maxBytes} bytes` };
    throw new EngineError(EngineErrorCode.PayloadTooLarge, problem.message, { details: { problems: [problem], size, limit: maxBytes } });
  }

  const xml = typeof input === 'string' ? stripBom(input) : decodeBpmnBytes(input);
  const early = prescanXml(xml, { maxDepth: options.maxDepth ?? DEFAULT_MAX_DEPTH, maxElements: options.maxElements ?? DEFAULT_MAX_ELEMENTS });
  if (early) throw invalidDefinition([early]);

  try {
    return await compileXml(xml, options, sink);
  } catch (error) {
    if (error instanceof EngineError) throw error;
    // A crash inside a library or a rule on an unusual document: refuse it rather than deploy
    // something we could not validate, and never let a plain TypeError reach the caller.
    sink.refuse('validator-failure', `the document could not be validated: ${error instanceof Error ? error.message : String(error)}`);
    throw sink.toError();
  }
}

async function compileXml(xml: string, options: CompileOptions, sink: ProblemSink): Promise<CompiledDefinition> {
  const parsed = await parseBpmn(xml, sink);
  if (!parsed) throw sink.toError();
  assignMissingFlowIds(parsed.context, parsed.definitions);
  stripInertElements(parsed, sink);
  // First, while the model is exactly as parsed (see serializeModel).
  const serialization = serializeModel(parsed.context);

  const context = createRuleContext(parsed, sink);
  if (!checkExecutableProcess(context)) throw sink.toError();
  // Before any rule, the serializer or bpmnlint walks the graph (some of them recursively).
  if (!checkSize(context, options.maxFlowElements ?? DEFAULT_MAX_FLOW_ELEMENTS)) throw sink.toError();
  runRules(context, options);
  normalizeFlowNodeLinks(context);
  await lintModel(parsed.definitions, parsed.context.elementsById, sink);

  // The engine-load proof counts only for a model that passed every static rule: on a refused
  // model its crashes are consequences of the problems already reported (an unresolved reference
  // makes the serializer throw TypeErrors), so they would add noise, not information.
  if (sink.refusals.length) throw sink.toError();
  if ('problem' in serialization) {
    sink.refuse(serialization.problem.rule, serialization.problem.message, serialization.problem.elementId);
    throw sink.toError();
  }
  const { serialized } = serialization;
  await proveEngineLoads(serialized, sink);
  if (sink.refusals.length) throw sink.toError();

  const process = findExecutableProcess(context);
  if (!process?.id) throw invalidDefinition([{ rule: 'not-executable', message: 'not executable: no process has isExecutable=true' }]);
  return {
    processId: process.id,
    name: nonEmpty(process.name) ?? nonEmpty(text(parsed.definitions, 'name')) ?? null,
    xml,
    sha256: createHash('sha256').update(xml, 'utf8').digest('hex'),
    serialized,
    warnings: sink.warnings,
  };
}

function checkSize(context: RuleContext, maxFlowElements: number): boolean {
  const count = context.elements.filter((element) => is(element, 'bpmn:FlowElement')).length;
  if (count <= maxFlowElements) return true;
  context.sink.refuse('too-many-flow-elements', `the document has ${count} flow elements (activities, events, gateways, sequence flows); the limit is ${maxFlowElements}`);
  return false;
}

function runRules(context: RuleContext, options: CompileOptions): void {
  checkStructure(context);
  checkEvents(context, options.checkExpression);
  checkTasks(context, options.knownHandlers, options.checkExpression);
  checkExpressions(context, options.checkExpression, options.maxLoopCardinality);
  checkCamundaExtensions(context, options.checkExpression);
  checkCallActivities(context, options.checkExpression);
  checkRecords(context);
  checkSlaPauses(context);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value && value.trim() !== '' ? value : undefined;
}
