/**
 * Gateway behaviours replacing bpmn-elements' own (through the `elements`/TypeResolver override):
 *
 * - A converging **inclusive gateway** synchronises as BPMN 2.0.2 §13.3.3 says: it fires when at
 *   least one incoming flow holds a token and no token of its scope can still reach an incoming
 *   flow that holds none (a token that can also reach a filled incoming flow does not block:
 *   that is a later round of a loop). bpmn-elements 17 has no inclusive join at all.
 * - A converging **parallel gateway** fires when every incoming flow holds a token that really
 *   arrived; dead-path discards are not arrivals (bpmn-engine#200: after an exclusive merge the
 *   stock join counted a discard and fired early).
 * - A **parallel gateway** takes every outgoing flow: conditions on them are ignored, as the
 *   specification says (bpmn-elements evaluated them).
 *
 * The tokens waiting at a join stay in the join's `inbound-q` (and the flows in the process's
 * postponed list), exactly where bpmn-elements keeps them, so they are part of `getState()` and
 * come back with `recover()`. The join re-evaluates when a token arrives at it and whenever an
 * activity of its scope leaves (a token vanished or moved on).
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- bpmn-elements' internals are untyped; this file is an adapter over them. */
import { Activity } from 'bpmn-elements';

const kActivated = Symbol.for('activated');
const kJoin = Symbol('join');

/** Statuses of an activity that holds no token (or is only propagating a dead path). */
const NO_TOKEN = new Set([undefined, 'discard', 'discarded', 'error']);

type JoinKind = 'parallel' | 'inclusive';

/** A shallow copy like bpmn-elements' own `cloneContent` (messages are shared by reference otherwise). */
function cloneContent(content: any, extend?: Record<string, unknown>): any {
  const clone = { ...content, ...extend };
  if (content?.parent) clone.parent = { ...content.parent, ...(content.parent.path && { path: content.parent.path.map((p: any) => ({ ...p })) }) };
  if (Array.isArray(clone.inbound)) clone.inbound = clone.inbound.map((c: any) => ({ ...c }));
  if (Array.isArray(clone.discardSequence)) clone.discardSequence = clone.discardSequence.slice();
  return clone;
}

export function ParallelGateway(activityDef: any, context: any): any {
  const activity = new (Activity as any)(ParallelGatewayBehaviour, { ...activityDef, isParallelGateway: true }, context);
  if (activity.inbound.length > 1) installJoin(activity, 'parallel');
  return activity;
}

export function InclusiveGateway(activityDef: any, context: any): any {
  const activity = new (Activity as any)(InclusiveGatewayBehaviour, activityDef, context);
  if (activity.inbound.length > 1) installJoin(activity, 'inclusive');
  return activity;
}

function ParallelGatewayBehaviour(this: any, activity: any) {
  this.id = activity.id;
  this.type = activity.type;
  this.activity = activity;
  this.broker = activity.broker;
}

ParallelGatewayBehaviour.prototype.execute = function execute(this: any, { content }: any) {
  // Every outgoing flow is taken: an explicit outbound list skips the condition evaluation.
  const outbound = this.activity.outbound.map((flow: any) => ({ id: flow.id, action: 'take' }));
  this.broker.publish('execution', 'execute.completed', cloneContent(content, outbound.length ? { outbound } : {}));
};

function InclusiveGatewayBehaviour(this: any, activity: any) {
  this.id = activity.id;
  this.type = activity.type;
  this.broker = activity.broker;
}

InclusiveGatewayBehaviour.prototype.execute = function execute(this: any, { content }: any) {
  this.broker.publish('execution', 'execute.completed', cloneContent(content));
};

/**
 * Drops the tokens waiting at the joins among `activities` (their scope is being interrupted):
 * each such join runs as a dead path, which releases its flows from the process's postponed
 * list. Call it before cancelling the other tokens, or a join could fire for lack of them.
 */
export function abandonJoinTokens(activities: readonly any[]): void {
  for (const activity of activities) (activity?.[kJoin] as Join | undefined)?.abandon();
}

/** Replaces the activity's inbound handling with {@link Join}. */
function installJoin(activity: any, kind: JoinKind): void {
  const join = new Join(activity, kind);
  activity[kJoin] = join;
  const onInbound = (_routingKey: string, message: any) => join.onInbound(message);
  activity._consumeInbound = function consumeInbound(this: any) {
    if (!this[kActivated] || this.status) return;
    // Like bpmn-elements' parallel join: keep every arrived token delivered (unacked) at once.
    return this.broker.getQueue('inbound-q').assertConsumer(onInbound, { consumerTag: '_run-on-inbound', prefetch: 1000 });
  };
  const activate = activity.activate;
  activity.activate = function (this: any, ...args: unknown[]) {
    join.watchScope();
    join.activating = true;
    try {
      return activate.apply(this, args);
    } finally {
      join.activating = false;
    }
  };
  const deactivate = activity.deactivate;
  activity.deactivate = function (this: any, ...args: unknown[]) {
    join.unwatchScope();
    return deactivate.apply(this, args);
  };
}

class Join {
  /** Messages delivered to our consumer (the queue's other messages wait for the next round). */
  private readonly delivered = new Set<any>();
  private graph: ScopeGraph | null = null;
  private watched: any[] = [];
  private evaluating = false;
  private again = false;
  /** True while the process activates its children: some of them cannot receive a token yet. */
  activating = false;

  constructor(
    private readonly activity: any,
    private readonly kind: JoinKind,
  ) {}

  private get consumerTag(): string {
    return `_join-watch-${this.activity.id}`;
  }

  onInbound(message: any): void {
    this.delivered.add(message);
    this.evaluate();
  }

  abandon(): void {
    const activity = this.activity;
    if (activity.status || !activity[kActivated]) return;
    const pending = (activity.broker.getQueue('inbound-q')?.messages ?? []).filter((m: any) => m.pending && this.delivered.has(m));
    if (pending.length) this.fire(pending, true);
  }

  /** Re-evaluate whenever an activity of the scope leaves: a token may have vanished. */
  watchScope(): void {
    this.unwatchScope();
    this.watched = this.siblings().filter((a) => a !== this.activity);
    for (const sibling of this.watched) {
      sibling.broker.subscribeTmp('event', 'activity.leave', () => this.evaluate(), { noAck: true, consumerTag: this.consumerTag });
    }
  }

  unwatchScope(): void {
    for (const sibling of this.watched) sibling.broker.cancel(this.consumerTag);
    this.watched = [];
  }

  private siblings(): any[] {
    return this.activity.context.getActivities(this.activity.parent?.id) ?? [];
  }

  /**
   * Fires or discards the join when its tokens allow it. A call made while the join is firing
   * (its own run brings it back to its queue, a sibling leaves meanwhile) is replayed afterwards.
   */
  evaluate(): void {
    if (this.evaluating) {
      this.again = true;
      return;
    }
    this.evaluating = true;
    try {
      do {
        this.again = false;
        this.evaluateOnce();
      } while (this.again);
    } finally {
      this.evaluating = false;
    }
  }

  private evaluateOnce(): void {
    const activity = this.activity;
    if (this.activating || activity.status || !activity[kActivated]) return;
    const queue = activity.broker.getQueue('inbound-q');
    const pending = (queue?.messages ?? []).filter((m: any) => m.pending && this.delivered.has(m));
    for (const m of [...this.delivered]) if (!pending.includes(m)) this.delivered.delete(m);
    if (!pending.length) return;

    const inboundIds: string[] = activity.inbound.map((flow: any) => flow.id);
    const takes = new Map<string, any>();
    const discards: any[] = [];
    for (const m of pending) {
      if (m.fields.routingKey === 'flow.take') {
        if (!takes.has(m.content.id)) takes.set(m.content.id, m);
      } else discards.push(m);
    }

    if (takes.size) {
      const ready = this.kind === 'parallel' ? inboundIds.every((id) => takes.has(id)) : !this.blocked(inboundIds, new Set(takes.keys()));
      if (ready) this.fire([...takes.values(), ...discards], false);
    } else if (!this.reachable(inboundIds, new Set(discards.map((m) => m.content.id)))) {
      // Only dead paths arrived and no token can still come: propagate the dead path.
      this.fire(discards, true);
    }
  }

  /** True when a token of the scope can still reach an empty incoming flow (and no filled one). */
  private blocked(inboundIds: string[], filled: Set<string>): boolean {
    const empty = inboundIds.filter((id) => !filled.has(id));
    if (!empty.length) return false;
    const graph = this.scopeGraph();
    for (const position of this.tokenPositions(false)) {
      const reached = graph.reach(position);
      if (empty.some((id) => reached.has(id)) && ![...filled].some((id) => reached.has(id))) return true;
    }
    return false;
  }

  /** True when any token of the scope (a dead-path one included) can still reach an incoming flow without a message. */
  private reachable(inboundIds: string[], touched: Set<string>): boolean {
    const open = inboundIds.filter((id) => !touched.has(id));
    if (!open.length) return false;
    const graph = this.scopeGraph();
    for (const position of this.tokenPositions(true)) {
      const reached = graph.reach(position);
      if (open.some((id) => reached.has(id))) return true;
    }
    return false;
  }

  /** Ids of the scope's activities holding a token: running ones and ones with tokens queued before them. */
  private tokenPositions(includeDeadPaths: boolean): string[] {
    const positions: string[] = [];
    for (const sibling of this.siblings()) {
      if (sibling === this.activity) continue;
      const running = includeDeadPaths ? sibling.status !== undefined : !NO_TOKEN.has(sibling.status);
      const queued = (sibling.broker.getQueue('inbound-q')?.messages ?? []).some(
        (m: any) => includeDeadPaths || m.fields.routingKey === 'flow.take',
      );
      if (running || queued) positions.push(sibling.id);
    }
    return positions;
  }

  private fire(messages: any[], discard: boolean): void {
    const activity = this.activity;
    const inbound = messages.map((m) => cloneContent(m.content));
    const discardSequence = new Set<string>();
    if (discard) for (const m of messages) for (const id of m.content.discardSequence ?? []) discardSequence.add(id);
    for (const m of messages) m.ack();
    this.delivered.clear();
    // The tokens left (a second round's) go back to the queue and come again after this run.
    activity.broker.cancel('_run-on-inbound');
    if (discard) activity._runDiscard({ inbound, discardSequence: [...discardSequence] });
    else activity.run({ inbound });
  }

  private scopeGraph(): ScopeGraph {
    return (this.graph ??= new ScopeGraph(this.siblings(), this.activity.id));
  }
}

/** The sequence-flow graph of one scope, with boundary events and link events as edges. */
class ScopeGraph {
  private readonly successors = new Map<string, { flows: { id: string; targetId: string }[]; nodes: string[] }>();
  private readonly cache = new Map<string, Set<string>>();

  constructor(
    activities: any[],
    private readonly joinId: string,
  ) {
    const linkCatches = new Map<string, string[]>();
    for (const a of activities) {
      this.successors.set(a.id, { flows: (a.outbound ?? []).map((f: any) => ({ id: f.id, targetId: f.targetId })), nodes: [] });
      const link = linkName(a);
      if (link !== undefined && a.type === 'bpmn:IntermediateCatchEvent') linkCatches.set(link, [...(linkCatches.get(link) ?? []), a.id]);
    }
    for (const a of activities) {
      const host = a.behaviour?.attachedTo?.id;
      if (host) this.successors.get(host)?.nodes.push(a.id);
      const link = linkName(a);
      if (link !== undefined && a.type === 'bpmn:IntermediateThrowEvent') this.successors.get(a.id)?.nodes.push(...(linkCatches.get(link) ?? []));
    }
  }

  /** The join's incoming flows reachable from `start` without passing the join. */
  reach(start: string): Set<string> {
    const cached = this.cache.get(start);
    if (cached) return cached;
    const reached = new Set<string>();
    const seen = new Set<string>([start]);
    const stack = [start];
    while (stack.length) {
      const node = this.successors.get(stack.pop()!);
      if (!node) continue;
      for (const flow of node.flows) {
        if (flow.targetId === this.joinId) reached.add(flow.id);
        else if (!seen.has(flow.targetId)) {
          seen.add(flow.targetId);
          stack.push(flow.targetId);
        }
      }
      for (const next of node.nodes) {
        if (next !== this.joinId && !seen.has(next)) {
          seen.add(next);
          stack.push(next);
        }
      }
    }
    this.cache.set(start, reached);
    return reached;
  }
}

function linkName(activity: any): string | undefined {
  const definition = (activity.behaviour?.eventDefinitions ?? []).find((ed: any) => ed.type === 'bpmn:LinkEventDefinition');
  return definition ? String(definition.behaviour?.name ?? '') : undefined;
}
