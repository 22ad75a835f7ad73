import * as elements from 'bpmn-elements';
import { describeElement, flag, is, isAny, list, one, ownerId, type ModdleElement } from './model';
import { processesOf, type RuleContext } from './rule-context';

/**
 * Rules about which process is deployed and which elements may appear in it (ENGINE_NOTES §1,
 * "Modeling rules to enforce"). They apply to every process of the file, not only the executable
 * one: bpmn-engine loads them all and a message flow can start a non-executable process.
 */
export function checkStructure(context: RuleContext): void {
  checkIds(context);
  checkElementTypes(context);
  checkGateways(context);
  checkSequenceFlows(context);
  checkMessageFlows(context);
  checkResourceRoles(context);
  checkLaneSets(context);
}

/** Exactly one process with isExecutable="true": its id is the definition key. */
export function findExecutableProcess(context: RuleContext): ModdleElement | undefined {
  const executable = processesOf(context).filter((process) => flag(process, 'isExecutable') === true);
  return executable.length === 1 ? executable[0] : undefined;
}

/**
 * Refuses a file without exactly one executable process.
 *
 * @returns false for a diagram-only file (no executable process): "not executable" is then the
 * whole answer, other findings about a model nobody runs would only bury it.
 */
export function checkExecutableProcess(context: RuleContext): boolean {
  const processes = processesOf(context);
  const executable = processes.filter((process) => flag(process, 'isExecutable') === true);
  if (executable.length === 0) {
    const unmarked = processes.filter((process) => flag(process, 'isExecutable') === undefined).map((process) => `"${process.id}"`);
    const named = unmarked.length > 3 ? `${unmarked.slice(0, 3).join(', ')} and ${unmarked.length - 3} more` : unmarked.join(', ');
    const hint = unmarked.length ? ` (no isExecutable attribute on process ${named}; absent means not executable)` : '';
    context.sink.refuse('not-executable', `not executable: no process has isExecutable=true${hint}`);
    return false;
  }
  if (executable.length > 1) {
    context.sink.refuse(
      'multiple-executable',
      `exactly one process may be executable, found ${executable.length}: ${executable.map((p) => `"${p.id}"`).join(', ')}`,
      executable[1]?.id,
    );
  }
  return true;
}

/** Elements the engine addresses by id must have one (moddle accepts them without). */
function checkIds(context: RuleContext): void {
  for (const element of context.elements) {
    if (element.id) continue;
    const needsId =
      isAny(element, ['bpmn:FlowElement', 'bpmn:Process', 'bpmn:Message', 'bpmn:Signal', 'bpmn:Error', 'bpmn:Escalation', 'bpmn:MessageFlow', 'bpmn:Participant', 'bpmn:Lane']);
    if (needsId) {
      const parent = ownerId(element.$parent);
      context.sink.refuse('missing-id', `a ${element.$type} has no id${parent ? ` (inside "${parent}")` : ''}`, parent);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Element types

/** Types refused with a dedicated rule and message (they would load, but run wrongly or unsafely). */
const REFUSED_TYPES: readonly { type: string; rule: string; message: string }[] = [
  { type: 'bpmn:ScriptTask', rule: 'no-script-task', message: 'script tasks are not supported; use a service task with a registered handler' },
  { type: 'bpmn:ComplexGateway', rule: 'no-complex-gateway', message: 'complex gateways are not supported by the engine' },
];

/** The moddle-context-serializer's own type mappings, besides `bpmn-elements` exports by local name. */
const SERIALIZER_MAPPED_TYPES = new Set(['bpmn:DataObjectReference', 'bpmn:Definitions', 'bpmn:Error']);

/** True when `TypeResolver(bpmn-elements)` has a behaviour for the type (else it throws "Unknown activity type"). */
function hasEngineBehaviour(type: string): boolean {
  if (SERIALIZER_MAPPED_TYPES.has(type)) return true;
  const localName = type.split(':').slice(1).join(':');
  return typeof (elements as Record<string, unknown>)[localName] === 'function';
}

function checkElementTypes(context: RuleContext): void {
  const { sink } = context;
  for (const element of serializerEntities(context.parsed.definitions)) {
    const refused = REFUSED_TYPES.find(({ type }) => is(element, type));
    if (refused) sink.refuse(refused.rule, refused.message, ownerId(element));
    else if (!hasEngineBehaviour(element.$type)) {
      const where = element.$parent && is(element.$parent, 'bpmn:Definitions') ? 'top-level ' : '';
      sink.refuse('unsupported-element', `${where}${describeElement(element)} is not supported: bpmn-engine has no behaviour for it and cannot load the file`, ownerId(element));
    }
  }
  for (const element of context.elements) {
    if (is(element, 'bpmn:AdHocSubProcess')) {
      sink.warn('ad-hoc-sub-process', 'an ad-hoc sub-process runs like an embedded sub-process: its activities follow their sequence flows', element.id);
    } else if (is(element, 'bpmn:ManualTask')) {
      sink.warn('manual-task', 'a manual task waits for a signal but creates no user task; use a user task for work people do', element.id);
    }
  }
}

/**
 * The elements the moddle-context-serializer hands to its TypeResolver, found the way its Mapper
 * finds them: top-level elements, flow elements and artifacts of (sub-)processes, message flows,
 * and the event definitions, loop characteristics, lanes and I/O specifications they carry.
 */
function serializerEntities(definitions: ModdleElement): ModdleElement[] {
  const result: ModdleElement[] = [];
  const visitContainerChildren = (container: ModdleElement): void => {
    for (const child of [...list(container, 'flowElements'), ...list(container, 'artifacts')]) visit(child);
  };
  const addCarried = (element: ModdleElement): void => {
    result.push(...list(element, 'eventDefinitions'));
    const loop = one(element, 'loopCharacteristics');
    if (loop) result.push(loop);
    const io = one(element, 'ioSpecification');
    if (io) result.push(io);
    for (const laneSet of list(element, 'laneSets')) result.push(...list(laneSet, 'lanes'));
  };
  const visit = (element: ModdleElement): void => {
    // The Mapper switches on exact types (a bpmn:Choreography is no bpmn:Collaboration to it).
    if (element.$type === 'bpmn:DataObjectReference') return;
    if (element.$type === 'bpmn:Collaboration') {
      result.push(...list(element, 'messageFlows'));
      return;
    }
    result.push(element);
    addCarried(element);
    if (isAny(element, ['bpmn:Process', 'bpmn:SubProcess'])) visitContainerChildren(element);
  };
  for (const root of list(definitions, 'rootElements')) visit(root);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Gateways and flows

function checkGateways(context: RuleContext): void {
  const { sink } = context;
  for (const element of context.elements) {
    if (is(element, 'bpmn:ParallelGateway') && context.outgoing(element).some((flow) => one(flow, 'conditionExpression'))) {
      sink.warn('parallel-gateway-condition', 'conditions on the outgoing flows of a parallel gateway are ignored: every outgoing flow is taken (BPMN 2.0 §13.3.4)', element.id);
    }
    const defaultFlow = one(element, 'default');
    if (defaultFlow && (!is(defaultFlow, 'bpmn:SequenceFlow') || one(defaultFlow, 'sourceRef') !== element)) {
      sink.refuse('invalid-default-flow', `the default flow "${defaultFlow.id}" is not an outgoing sequence flow of this element`, element.id);
    }
  }
}

function checkSequenceFlows(context: RuleContext): void {
  for (const flow of context.elements) {
    if (!is(flow, 'bpmn:SequenceFlow')) continue;
    for (const end of ['sourceRef', 'targetRef'] as const) {
      const node = one(flow, end);
      if (!node) {
        // An unresolved reference is already reported by the parse stage.
        if (!context.parsed.isUnresolved(flow, `bpmn:${end}`)) {
          context.sink.refuse('sequence-flow-unconnected', `the sequence flow has no ${end}`, ownerId(flow));
        }
      } else if (!is(node, 'bpmn:FlowNode') || node.$parent !== flow.$parent) {
        context.sink.refuse(
          'sequence-flow-scope',
          `the sequence flow's ${end} "${node.id}" (${node.$type}) is not a flow node in the same process or sub-process`,
          ownerId(flow),
        );
      }
    }
  }
}

/**
 * The serializer resolves message flow ends only to a pool with a process, a process, or a flow
 * node directly inside a process; anything else makes it throw a TypeError while loading.
 */
function checkMessageFlows(context: RuleContext): void {
  // The serializer finds a flow node's process by scanning the processes' flowElements in
  // document order, and throws on a process without any before it reaches the right one.
  const processes = processesOf(context);
  const emptyBefore = (process: ModdleElement): ModdleElement | undefined =>
    processes.slice(0, processes.indexOf(process)).find((candidate) => list(candidate, 'flowElements').length === 0);
  for (const flow of context.elements) {
    if (!is(flow, 'bpmn:MessageFlow')) continue;
    const source = poolProcess(one(flow, 'sourceRef'));
    if (source && source === poolProcess(one(flow, 'targetRef'))) {
      context.sink.refuse(
        'message-flow-same-pool',
        `the message flow connects two elements of the same pool (process "${source.id}"): messages pass between pools; inside one process use a sequence flow`,
        ownerId(flow),
      );
    }
    for (const end of ['sourceRef', 'targetRef'] as const) {
      const node = one(flow, end);
      if (!node) continue;
      let problem: string | null = null;
      if (is(node, 'bpmn:Participant')) {
        if (!one(node, 'processRef')) problem = `the pool "${node.id}" has no process (a collapsed/black-box pool)`;
      } else if (is(node, 'bpmn:FlowNode')) {
        if (!is(node.$parent, 'bpmn:Process')) problem = `"${node.id}" is nested inside a sub-process`;
        else if (emptyBefore(node.$parent as ModdleElement)) {
          problem = `"${node.id}" is a flow node, and an earlier process ("${emptyBefore(node.$parent as ModdleElement)?.id}") has no flow elements`;
        }
      } else if (!is(node, 'bpmn:Process')) problem = `"${node.id}" is a ${node.$type}`;
      if (problem) {
        context.sink.refuse('message-flow-endpoint', `the engine cannot load this message flow: its ${end} ${problem}`, ownerId(flow));
      }
    }
  }
}

/** The process a message flow end belongs to: a pool's process, a process, or the process around a flow node. */
function poolProcess(node: ModdleElement | undefined): ModdleElement | undefined {
  if (!node) return undefined;
  if (is(node, 'bpmn:Participant')) return one(node, 'processRef');
  for (let current: ModdleElement | undefined = node; current; current = current.$parent) {
    if (is(current, 'bpmn:Process')) return current;
  }
  return undefined;
}

/** `<potentialOwner>`/`<performer>`: crash the serializer without an assignment expression, ignored with one. */
function checkResourceRoles(context: RuleContext): void {
  for (const element of context.elements) {
    if (!is(element, 'bpmn:ResourceRole')) continue;
    const owner = ownerId(element);
    if (!one(element, 'resourceAssignmentExpression')) {
      context.sink.refuse('resource-role', `${element.$type} without a resourceAssignmentExpression cannot be loaded by the engine`, owner);
    } else {
      context.sink.warn('resource-role', `${element.$type} is ignored; assign the task with camunda:assignee, camunda:candidateUsers or camunda:candidateGroups`, owner);
    }
  }
}

/** An empty `<laneSet/>` makes the serializer throw ("laneSet.lanes is not iterable"). */
function checkLaneSets(context: RuleContext): void {
  for (const element of context.elements) {
    if (is(element, 'bpmn:LaneSet') && list(element, 'lanes').length === 0) {
      context.sink.refuse('empty-lane-set', `the lane set "${element.id ?? ''}" has no lanes, which bpmn-engine cannot load: remove it`, ownerId(element));
    }
  }
}
