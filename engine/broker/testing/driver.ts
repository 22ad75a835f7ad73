/**
 * A script runner for differential tests: the same script of broker calls, including what handlers
 * do when they receive a message (ack, nack, publish again, cancel themselves, snapshot the state...),
 * runs against any module with smqp's API and yields a normalised trace: every delivery (handler,
 * routing key, fields, content, properties) in order, every `return` event, every call's result or
 * error, and after every step the broker's observable state. Generated names and ids (`smq.mid-…`,
 * `smq.ctag-…`, `smq.qname-…`) and timestamps are normalised: message ids by kind only (smqp makes one
 * per queue copy, engine/broker one per publish), tags and queue names by order of appearance.
 */

/* eslint-disable @typescript-eslint/no-explicit-any -- the driver runs two implementations of one untyped-in-common API */
type Dyn = any;

export interface BrokerModule {
  Broker: (owner?: unknown) => Dyn;
}

/** What a handler does with the n-th message it gets (reactions[n % length]). */
export type Reaction =
  | { do: 'ack'; allUpTo?: boolean }
  | { do: 'nack'; allUpTo?: boolean; requeue?: boolean }
  | { do: 'reject'; requeue?: boolean }
  | { do: 'hold' }
  | { do: 'publish'; exchange: string; routingKey: string; content?: unknown; properties?: Record<string, unknown>; then?: 'ack' | 'hold' }
  | { do: 'queueMessage'; queue: string; routingKey: string; then?: 'ack' | 'hold' }
  | { do: 'cancelSelf'; then?: 'ack' | 'hold' }
  | { do: 'cancel'; handler: string; then?: 'ack' | 'hold' }
  | { do: 'snapshot'; then?: 'ack' | 'hold' };

export interface HandlerSpec {
  name: string;
  reactions: Reaction[];
}

export type Step =
  | { op: 'assertExchange'; name: string; type?: 'topic' | 'direct'; options?: Record<string, unknown> }
  | { op: 'assertQueue'; name: string | null; options?: Record<string, unknown> }
  | { op: 'bindQueue'; queue: string; exchange: string; pattern: string; options?: Record<string, unknown> }
  | { op: 'unbindQueue'; queue: string; exchange: string; pattern: string }
  | { op: 'publish'; exchange: string; routingKey: string; content?: unknown; properties?: Record<string, unknown> }
  | { op: 'sendToQueue'; queue: string; content?: unknown; properties?: Record<string, unknown> }
  | { op: 'queueMessage'; queue: string; fields?: Record<string, unknown>; content?: unknown; properties?: Record<string, unknown> }
  | { op: 'subscribe'; exchange: string; pattern: string; queue: string | null; handler: HandlerSpec; options?: Record<string, unknown> }
  | { op: 'subscribeTmp'; exchange: string; pattern: string; handler: HandlerSpec; options?: Record<string, unknown> }
  | { op: 'subscribeOnce'; exchange: string; pattern: string; handler: HandlerSpec; options?: Record<string, unknown> }
  | { op: 'consume'; queue: string; handler: HandlerSpec; options?: Record<string, unknown> }
  | { op: 'assertConsumer'; queue: string; handler: HandlerSpec; options?: Record<string, unknown> }
  | { op: 'cancel'; handler: string; requeue?: boolean }
  | { op: 'settle'; index: number; how: 'ack' | 'nack' | 'reject'; allUpTo?: boolean; requeue?: boolean }
  | { op: 'get'; queue: string; noAck?: boolean }
  | { op: 'purgeQueue'; queue: string }
  | { op: 'deleteQueue'; queue: string; options?: Record<string, unknown> }
  | { op: 'deleteExchange'; exchange: string; options?: Record<string, unknown> }
  | { op: 'ackAll' }
  | { op: 'nackAll'; requeue?: boolean }
  | { op: 'stop' }
  | { op: 'recover' }
  | { op: 'restart'; onlyWithContent?: boolean }
  | { op: 'createShovel'; name: string; source: { exchange: string; pattern?: string; priority?: number }; destination: { exchange: string }; other?: boolean; clone?: boolean }
  | { op: 'closeShovel'; name: string }
  | { op: 'bindExchange'; source: string; destination: string; pattern?: string; priority?: number }
  | { op: 'unbindExchange'; source: string; destination: string; pattern?: string }
  | { op: 'close' }
  | { op: 'reset' }
  | { op: 'onReturn'; name: string; pattern?: string }
  | { op: 'offReturn'; name: string };

export interface RunOptions {
  /** Names of queues and exchanges to inspect after every step. */
  queues: string[];
  exchanges: string[];
  /** A state to recover the first broker from. */
  initialState?: unknown;
  /** Nested actions (publishes, cancels...) handlers may take in all, so scripts end. */
  nestedBudget?: number;
  /** Deliveries after which handlers only hold their messages (a handler nacking with requeue would loop forever). */
  deliveryBudget?: number;
}

const MID = /^smq\.mid-/;
const TAGGED = /^smq\.(ctag|qname|shoveltag)-/;

/** Normalises generated names and ids and timestamps in a JSON-like value. */
class Normaliser {
  private readonly names = new Map<string, string>();

  value(value: unknown, key?: string): unknown {
    if (typeof value === 'string') {
      if (MID.test(value)) return 'smq.mid';
      if (TAGGED.test(value)) return this.name(value);
      return value;
    }
    if (typeof value === 'number' && (key === 'timestamp' || key === 'ttl')) return 'ts';
    if (Array.isArray(value)) return value.map((v) => this.value(v));
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(value)) {
        const v = (value as Record<string, unknown>)[k];
        out[k] = this.value(v, k);
      }
      return out;
    }
    return value;
  }

  name(value: string): string {
    let n = this.names.get(value);
    if (!n) this.names.set(value, (n = `${value.slice(0, value.indexOf('-'))}#${this.names.size}`));
    return n;
  }
}

/** Runs a script and returns its trace. */
export function runScript(mod: BrokerModule, steps: Step[], options: RunOptions): unknown[] {
  const trace: unknown[] = [];
  const norm = new Normaliser();
  const owner = { id: 'owner' };
  let broker: Dyn = mod.Broker(owner);
  let other: Dyn = mod.Broker({ id: 'other' });
  other.assertExchange('dest', 'topic', { autoDelete: false });
  other.subscribeTmp('dest', '#', (routingKey: string, message: Dyn) => {
    trace.push(['other', routingKey, message.fields, message.content, message.properties].map((v) => norm.value(v)));
    message.ack();
  });
  if (options.initialState) broker.recover(options.initialState);
  const held: Dyn[] = [];
  const tags = new Map<string, string>();
  const counts = new Map<string, number>();
  const returnListeners = new Map<string, (event: Dyn) => void>();
  let budget = options.nestedBudget ?? 40;
  let deliveries = options.deliveryBudget ?? 400;

  const err = (e: unknown) => {
    const error = e as { name?: string; code?: string };
    return `${error?.name}:${error?.code ?? ''}`;
  };
  const attempt = (label: unknown[], fn: () => unknown) => {
    try {
      const result = fn();
      trace.push([...label, 'ok', norm.value(result)]);
    } catch (e) {
      trace.push([...label, 'threw', err(e)]);
    }
  };
  const tagOf = (consumer: Dyn) => consumer?.consumerTag;

  const makeHandler = (spec: HandlerSpec) =>
    function onMessage(routingKey: string, message: Dyn, handlerOwner: unknown) {
      const n = counts.get(spec.name) ?? 0;
      counts.set(spec.name, n + 1);
      trace.push(
        norm.value(['deliver', spec.name, routingKey, message.fields, message.content, message.properties, message.pending, handlerOwner === owner ? 'owner' : 'other']),
      );
      if (!spec.reactions.length) return;
      if (--deliveries < 0) {
        held.push(message);
        return;
      }
      const reaction = spec.reactions[n % spec.reactions.length]!;
      const after = (then?: 'ack' | 'hold') => {
        if (then === 'hold') held.push(message);
        else message.ack();
      };
      switch (reaction.do) {
        case 'ack':
          return message.ack(reaction.allUpTo);
        case 'nack':
          return message.nack(reaction.allUpTo, reaction.requeue);
        case 'reject':
          return message.reject(reaction.requeue);
        case 'hold':
          held.push(message);
          return;
        default:
          break;
      }
      if (budget <= 0) return after(reaction.then);
      budget--;
      const label = ['nested', spec.name, reaction.do];
      switch (reaction.do) {
        case 'publish':
          attempt([...label, reaction.routingKey], () => void broker.publish(reaction.exchange, reaction.routingKey, reaction.content, reaction.properties));
          break;
        case 'queueMessage':
          attempt([...label, reaction.queue], () => void broker.getQueue(reaction.queue)?.queueMessage({ routingKey: reaction.routingKey }, { nested: reaction.routingKey }));
          break;
        case 'cancelSelf':
          attempt(label, () => broker.cancel(message.fields.consumerTag));
          break;
        case 'cancel':
          attempt([...label, reaction.handler], () => broker.cancel(tags.get(reaction.handler) ?? 'none'));
          break;
        case 'snapshot':
          attempt(label, () => broker.getState());
          break;
      }
      after(reaction.then);
    };

  const consumerStep = (spec: HandlerSpec, fn: (handler: Dyn) => Dyn) => {
    try {
      const consumer = fn(makeHandler(spec));
      tags.set(spec.name, tagOf(consumer));
      trace.push(['consumer', spec.name, norm.value(tagOf(consumer))]);
    } catch (e) {
      trace.push(['consumer', spec.name, 'threw', err(e)]);
    }
  };

  for (const [i, step] of steps.entries()) {
    const label: unknown[] = ['step', i, step.op];
    switch (step.op) {
      case 'assertExchange':
        attempt(label, () => void broker.assertExchange(step.name, step.type, step.options));
        break;
      case 'assertQueue':
        attempt(label, () => broker.assertQueue(step.name, step.options).name);
        break;
      case 'bindQueue':
        attempt(label, () => broker.bindQueue(step.queue, step.exchange, step.pattern, step.options)?.id);
        break;
      case 'unbindQueue':
        attempt(label, () => broker.unbindQueue(step.queue, step.exchange, step.pattern));
        break;
      case 'publish':
        attempt(label, () => void broker.publish(step.exchange, step.routingKey, step.content, step.properties));
        break;
      case 'sendToQueue':
        attempt(label, () => broker.sendToQueue(step.queue, step.content, step.properties));
        break;
      case 'queueMessage':
        attempt(label, () => {
          const queue = broker.getQueue(step.queue);
          return queue ? queue.queueMessage(step.fields, step.content, step.properties) : 'no queue';
        });
        break;
      case 'subscribe':
        consumerStep(step.handler, (h) => broker.subscribe(step.exchange, step.pattern, step.queue, h, step.options));
        break;
      case 'subscribeTmp':
        consumerStep(step.handler, (h) => broker.subscribeTmp(step.exchange, step.pattern, h, step.options));
        break;
      case 'subscribeOnce':
        consumerStep(step.handler, (h) => broker.subscribeOnce(step.exchange, step.pattern, h, step.options));
        break;
      case 'consume':
        consumerStep(step.handler, (h) => broker.consume(step.queue, h, step.options));
        break;
      case 'assertConsumer':
        consumerStep(step.handler, (h) => {
          const queue = broker.getQueue(step.queue);
          if (!queue) throw new Error('no queue');
          return queue.assertConsumer(h, step.options, owner);
        });
        break;
      case 'cancel':
        attempt(label, () => broker.cancel(tags.get(step.handler) ?? 'none', step.requeue));
        break;
      case 'settle': {
        const message = held.length ? held[step.index % held.length] : undefined;
        attempt([...label, step.how], () => {
          if (!message) return 'none';
          if (step.how === 'ack') message.ack(step.allUpTo);
          else if (step.how === 'nack') message.nack(step.allUpTo, step.requeue);
          else message.reject(step.requeue);
          return message.pending;
        });
        break;
      }
      case 'get':
        attempt(label, () => {
          const message = broker.get(step.queue, { noAck: step.noAck });
          if (message && !step.noAck) held.push(message);
          return message ? [message.fields, message.content, message.pending] : message;
        });
        break;
      case 'purgeQueue':
        attempt(label, () => broker.purgeQueue(step.queue));
        break;
      case 'deleteQueue':
        attempt(label, () => broker.deleteQueue(step.queue, step.options));
        break;
      case 'deleteExchange':
        attempt(label, () => broker.deleteExchange(step.exchange, step.options));
        break;
      case 'ackAll':
        attempt(label, () => broker.ackAll());
        break;
      case 'nackAll':
        attempt(label, () => broker.nackAll(step.requeue));
        break;
      case 'stop':
        attempt(label, () => broker.stop());
        break;
      case 'recover':
        attempt(label, () => void broker.recover());
        break;
      case 'restart':
        attempt(label, () => {
          const state = broker.getState(step.onlyWithContent);
          broker.stop();
          broker = mod.Broker(owner);
          broker.recover(state);
          held.length = 0;
          tags.clear();
          other = other ?? mod.Broker({ id: 'other' });
          return state;
        });
        break;
      case 'createShovel':
        attempt(label, () => {
          const shovel = broker.createShovel(
            step.name,
            step.source,
            { broker: step.other ? other : broker, exchange: step.other ? 'dest' : step.destination.exchange },
            step.clone ? { cloneMessage: (m: Dyn) => ({ content: { cloned: m.content }, properties: { cloned: true } }) } : undefined,
          );
          return [shovel.name, shovel.source, shovel.consumerTag, shovel.closed].map((v) => (v && typeof v === 'object' ? { ...v, broker: undefined } : v));
        });
        break;
      case 'bindExchange':
        attempt(label, () => {
          const e2e = broker.bindExchange(step.source, step.destination, step.pattern, step.priority === undefined ? undefined : { priority: step.priority });
          return [e2e.name, e2e.source, e2e.destination, e2e.pattern, e2e.queue, e2e.consumerTag];
        });
        break;
      case 'unbindExchange':
        attempt(label, () => broker.unbindExchange(step.source, step.destination, step.pattern));
        break;
      case 'close':
        attempt(label, () => broker.close());
        break;
      case 'reset':
        attempt(label, () => broker.reset());
        break;
      case 'closeShovel':
        attempt(label, () => broker.closeShovel(step.name));
        break;
      case 'onReturn': {
        const listener = (event: Dyn) => trace.push(norm.value(['return', step.name, event.name, event.fields, event.content, event.properties]));
        returnListeners.set(step.name, listener);
        attempt(label, () => void broker.on(step.pattern ?? 'return', listener));
        break;
      }
      case 'offReturn':
        attempt(label, () => broker.off('return', returnListeners.get(step.name) ?? (() => undefined)));
        break;
    }
    trace.push(['after', i, inspect()]);
  }
  return trace;

  function inspect() {
    const queues = options.queues.map((name) => {
      const queue = broker.getQueue(name);
      if (!queue) return [name, null];
      return [
        name,
        queue.messageCount,
        queue.consumerCount,
        queue.exclusive,
        queue.stopped,
        queue.messages.map((m: Dyn) => [m.fields, m.content, m.pending]),
        queue.consumers.map((c: Dyn) => [c.consumerTag, c.ready, c.stopped, c.messageCount, c.capacity]),
      ];
    });
    const exchanges = options.exchanges.map((name) => {
      const exchange = broker.getExchange(name);
      if (!exchange) return [name, null];
      return [name, exchange.type, exchange.stopped, exchange.bindingCount, exchange.bindings.map((b: Dyn) => [b.id, b.queue.name, b.pattern, b.options])];
    });
    return norm.value({
      queues,
      exchanges,
      counts: [broker.queueCount, broker.exchangeCount, broker.consumerCount],
      consumers: broker.getConsumers(),
      shovels: broker.getShovels().map((s: Dyn) => [s.name, s.closed, s.consumerTag]),
      state: broker.getState(),
      content: broker.getState(true) ?? null,
      held: held.map((m) => m.pending),
    });
  }
}
