import { Engine, type BpmnEngineOptions } from 'bpmn-engine';
import * as elements from 'bpmn-elements';
import Serializer, { deserialize, TypeResolver } from 'moddle-context-serializer';
import { moddleExtensions } from './moddle';
import { elementOverrides } from '../runtime/elements';
import type { ModdleContext } from './model';
import type { DefinitionProblem } from '../errors';
import type { ProblemSink } from './problems';

/** One serialized element, as moddle-context-serializer lists them. */
interface SerializedElement {
  id: string;
  type: string;
  parent?: { id?: string; type?: string };
}

/** The part of the serializer's `ContextApi` we use. */
interface SourceContext {
  serialize(): string;
  elements: {
    processes: SerializedElement[];
    activities: SerializedElement[];
    sequenceFlows: SerializedElement[];
    messageFlows: SerializedElement[];
    associations: SerializedElement[];
    dataObjects: SerializedElement[];
    dataStores: SerializedElement[];
  };
}

/** What the load proof touches of bpmn-elements' runtime objects. */
interface ElementContext {
  getActivityById(id: string): { Behaviour?: new (activity: unknown, context: unknown) => unknown; context: unknown } | null;
  getSequenceFlowById(id: string): unknown;
  getAssociations(scopeId: string): unknown[];
  getMessageFlows(sourceId: string): unknown[];
  getDataObjectById(id: string): unknown;
  getDataStoreById(id: string): unknown;
}
interface LoadedProcess {
  id: string;
  context: ElementContext;
}
interface LoadedDefinition {
  getProcesses(): LoadedProcess[];
  getExecutableProcesses(): LoadedProcess[];
  shake(): unknown;
}

/** Refuse at most this many engine-load failures: beyond, they only repeat the same cause. */
const MAX_LOAD_PROBLEMS = 10;

/** Scripts are never run (ENGINE_NOTES §4.3); the typing wants a Script, hence the cast. */
const NO_SCRIPTS = { register(): void {}, getScript(): undefined {} };

/** Timers that never schedule: if loading ever set a timeout, nothing would be left running. */
const INERT_TIMERS = { register: () => ({ setTimeout: () => undefined, clearTimeout: () => undefined }), setTimeout: () => undefined, clearTimeout: () => undefined };

const silentLogger = (): { debug(): void; error(): void; warn(): void } => ({ debug() {}, error() {}, warn() {} });

function typeResolver(): ReturnType<typeof TypeResolver> {
  return TypeResolver({ ...(elements as unknown as Record<string, unknown>), ...elementOverrides });
}

/**
 * Serializes the parsed model the way bpmn-engine would (`Serializer(moddleContext,
 * TypeResolver(bpmn-elements))`). A throw (the serializer's TypeErrors on models it does not
 * understand) becomes an `engine-load` problem.
 *
 * Call it on the model exactly as parsed, before any rule or bpmnlint reads it: moddle's `get()`
 * materializes empty collections (`eventDefinitions: []`), the serializer copies them, and
 * bpmn-elements runs a start event with an empty `eventDefinitions` array as a typed event that
 * never completes.
 *
 * @returns the JSON to store, or the problem.
 */
export function serializeModel(context: ModdleContext): { serialized: string } | { problem: DefinitionProblem } {
  const resolve = typeResolver();
  let resolving: string | undefined;
  try {
    const moddleContext = context as unknown as Parameters<typeof Serializer>[0];
    const api = Serializer(moddleContext, (entity: { id?: string } | undefined) => {
      resolving = entity?.id;
      resolve(entity);
    }) as unknown as SourceContext;
    return { serialized: api.serialize() };
  } catch (error) {
    const message = `bpmn-engine cannot read the model: ${describeError(error)}`;
    return { problem: resolving === undefined ? { rule: 'engine-load', message } : { elementId: resolving, rule: 'engine-load', message } };
  }
}

/**
 * Rebuilds the engine's `sourceContext` from stored JSON: the value to pass as
 * `new Engine({ sourceContext })`. Types are re-attached with `TypeResolver(bpmn-elements)`, with
 * our gateway behaviours (runtime/elements) in place of bpmn-elements' own.
 */
export function loadSourceContext(serialized: string): unknown {
  return deserialize(JSON.parse(serialized), typeResolver());
}

/**
 * Proves the stored JSON loads in bpmn-engine without running anything: builds an Engine from it
 * exactly as a command would, then instantiates what an execution instantiates (definitions,
 * processes with their lanes, every activity with its behaviour, event definitions, loop
 * characteristics and I/O, sequence/message flows, associations, data objects) and dry-runs the
 * flow graph with `shake()`. No timer is scheduled (inert timers), no script is compiled, no
 * listener is left behind: nothing is executed, so nothing needs stopping.
 */
export async function proveEngineLoads(serialized: string, sink: ProblemSink): Promise<void> {
  let failures = 0;
  const attempt = (elementId: string | undefined, step: () => void): boolean => {
    try {
      step();
      return true;
    } catch (error) {
      if (failures++ < MAX_LOAD_PROBLEMS) sink.refuse('engine-load', `bpmn-engine cannot load ${elementId ? 'this element' : 'the model'}: ${describeError(error)}`, elementId);
      return false;
    }
  };

  let sourceContext: SourceContext | undefined;
  if (!attempt(undefined, () => (sourceContext = loadSourceContext(serialized) as SourceContext)) || !sourceContext) return;
  const loaded = sourceContext;

  let definitions: LoadedDefinition[] = [];
  try {
    const engine = new Engine({
      name: 'deploy-check',
      sourceContext: loaded as unknown as BpmnEngineOptions['sourceContext'],
      moddleOptions: moddleExtensions,
      scripts: NO_SCRIPTS as unknown as BpmnEngineOptions['scripts'],
      timers: INERT_TIMERS as unknown as BpmnEngineOptions['timers'],
      Logger: silentLogger as unknown as BpmnEngineOptions['Logger'],
    });
    definitions = (await engine.getDefinitions()) as unknown as LoadedDefinition[];
  } catch (error) {
    sink.refuse('engine-load', `bpmn-engine cannot load the definitions: ${describeError(error)}`);
    return;
  }

  const topProcess = topProcessResolver(loaded);
  for (const definition of definitions) {
    let processes: LoadedProcess[] = [];
    if (!attempt(undefined, () => (processes = definition.getProcesses()))) continue;
    for (const process of processes) {
      const { context } = process;
      for (const activity of loaded.elements.activities) {
        // Top-level messages, signals, errors... are listed as activities too; every process
        // context instantiates them when it looks for start activities, so the first one does here.
        if ((topProcess(activity.id) ?? processes[0]?.id) !== process.id) continue;
        attempt(activity.id, () => {
          const instance = context.getActivityById(activity.id);
          if (!instance) throw new Error(`activity "${activity.id}" was not found`);
          if (typeof instance.Behaviour === 'function') new instance.Behaviour(instance, instance.context);
        });
      }
      for (const flow of loaded.elements.sequenceFlows) {
        if (topProcess(flow.id) === process.id) attempt(flow.id, () => context.getSequenceFlowById(flow.id));
      }
      attempt(process.id, () => context.getAssociations(process.id));
      attempt(process.id, () => context.getMessageFlows(process.id));
      for (const data of loaded.elements.dataObjects) attempt(data.id, () => context.getDataObjectById(data.id));
      for (const data of loaded.elements.dataStores) attempt(data.id, () => context.getDataStoreById(data.id));
    }
    if (failures === 0) attempt(undefined, () => definition.shake());
  }
}

/** Maps an element id to the id of the top-level process containing it. */
function topProcessResolver(context: SourceContext): (elementId: string) => string | undefined {
  const parentOf = new Map<string, string | undefined>();
  for (const list of [context.elements.activities, context.elements.sequenceFlows]) {
    for (const element of list) parentOf.set(element.id, element.parent?.id);
  }
  const processIds = new Set(context.elements.processes.map((process) => process.id));
  return (elementId) => {
    let current: string | undefined = elementId;
    for (let guard = 0; current !== undefined && guard < 1000; guard++) {
      if (processIds.has(current)) return current;
      current = parentOf.get(current);
    }
    return undefined;
  };
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
