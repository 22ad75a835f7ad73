/**
 * Dead paths that nothing reads are not propagated.
 *
 * When an activity leaves, bpmn-elements discards each outgoing flow it does not take (an
 * exclusive split's other branches, an interrupted task's outgoing flows) and every element
 * reached that way runs a "discard" of its own and discards its outgoing flows in turn, up to the
 * end events or a loop. An exclusive split into B branches that meet again in an exclusive merge
 * therefore discards B - 1 branches, and the merge, which runs once per incoming dead path, runs
 * everything after it B - 1 more times: the cost of a command grows with the diagram.
 *
 * A dead path changes what happens later only where something waits for it:
 *   - a converging parallel or inclusive gateway (runtime/elements/joins.ts) counts dead paths
 *     (a join whose incoming flows are all dead runs dead itself);
 *   - a link throw event that runs dead discards its waiting link catch event (else the catch
 *     keeps its process from ending).
 * Elsewhere a discard only publishes events about elements that never ran: no token, wait, timer,
 * variable or history fact depends on it (the runner records a discard only for an element that
 * was really running, and a discard never reaches a running element: it waits in its inbound
 * queue until the element has left, and then runs as a separate dead execution).
 * So an outgoing flow is discarded only when such a join or link throw can be reached from its
 * target (along sequence flows and from an activity to its boundary events); the others are
 * left untouched, as if the branch were never reached. Computed once per definition version.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- bpmn-elements' internals are untyped; this file is an adapter over them. */

interface ElementDef {
  id: string;
  type: string;
  behaviour?: { attachedTo?: { id?: string }; eventDefinitions?: { type?: string }[] };
}

interface FlowDef {
  sourceId: string;
  targetId: string;
}

/** The part of a moddle-context-serializer context this module reads. */
interface DefinitionContext {
  getActivities(): ElementDef[];
  getSequenceFlows(): FlowDef[];
}

const JOIN_TYPES = new Set(['bpmn:ParallelGateway', 'bpmn:InclusiveGateway']);

const cache = new WeakMap<object, ReadonlySet<string>>();

/** Ids of the elements from which a dead path can reach a join or a link throw (those included). */
export function deadPathReaders(context: DefinitionContext): ReadonlySet<string> {
  let readers = cache.get(context);
  if (!readers) cache.set(context, (readers = computeReaders(context)));
  return readers;
}

function computeReaders(context: DefinitionContext): ReadonlySet<string> {
  const activities = context.getActivities() ?? [];
  const flows = context.getSequenceFlows() ?? [];
  const inboundCount = new Map<string, number>();
  /** Element → the elements a dead path reaches it from. */
  const sources = new Map<string, string[]>();
  const edge = (from: string, to: string) => {
    const list = sources.get(to);
    if (list) list.push(from);
    else sources.set(to, [from]);
  };
  for (const flow of flows) {
    inboundCount.set(flow.targetId, (inboundCount.get(flow.targetId) ?? 0) + 1);
    edge(flow.sourceId, flow.targetId);
  }
  // A discarded activity discards its boundary events, which discard their outgoing flows.
  for (const a of activities) if (a.behaviour?.attachedTo?.id) edge(a.behaviour.attachedTo.id, a.id);

  const readers = new Set<string>();
  const stack: string[] = [];
  for (const a of activities) {
    const join = JOIN_TYPES.has(a.type) && (inboundCount.get(a.id) ?? 0) > 1;
    const linkThrow = a.type === 'bpmn:IntermediateThrowEvent' && (a.behaviour?.eventDefinitions ?? []).some((d) => d?.type === 'bpmn:LinkEventDefinition');
    if (join || linkThrow) {
      readers.add(a.id);
      stack.push(a.id);
    }
  }
  while (stack.length) {
    for (const from of sources.get(stack.pop()!) ?? []) {
      if (readers.has(from)) continue;
      readers.add(from);
      stack.push(from);
    }
  }
  return readers;
}

/**
 * The engine extension: an activity with an outgoing flow whose dead path nothing reads publishes
 * its outbound without that flow's discard (bpmn-elements' `_doRunOutbound` publishes one
 * `run.outbound.<action>` per flow; the activity's leave still lists every flow).
 */
export function pruneDeadPaths(activity: any): void {
  const outbound: { targetId: string }[] = activity.outbound ?? [];
  const definitionContext = activity.context?.definitionContext;
  if (!outbound.length || !definitionContext || typeof activity._doRunOutbound !== 'function') return;
  const readers = deadPathReaders(definitionContext);
  if (outbound.every((flow) => readers.has(flow.targetId))) return;
  const doRunOutbound = activity._doRunOutbound;
  activity._doRunOutbound = function (this: any, outboundList: { action: string; targetId: string }[], content: unknown, discardSequence: unknown) {
    const kept = outboundList.filter((flow) => flow.action !== 'discard' || readers.has(flow.targetId));
    doRunOutbound.call(this, kept, content, discardSequence);
    return outboundList;
  };
}
