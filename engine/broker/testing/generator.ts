/**
 * Seeded random scripts for the differential specs: a small world of exchanges (topic, direct,
 * auto-delete), queues (durable or not, auto-delete or not), routing keys and patterns, and handlers
 * that ack, hold, nack, reject, publish again, cancel consumers or snapshot the state while called.
 */
import type { HandlerSpec, Reaction, Step } from './driver';

/** mulberry32: a small deterministic PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const EXCHANGES = ['topic', 'direct', 'auto', 'event'];
export const QUEUES = ['q-durable', 'q-tmp', 'q-auto', 'q-keep'];
const KEYS = ['a.b', 'a.c', 'a.b.c', 'b', 'x.y.z', 'run.enter', 'run.', 'a.b'];
const PATTERNS = ['a.*', 'a.#', '#', 'a.b', '*.b.*', 'b', 'x.#', 'run.#', '*.c', 'a.*.c'];

export function generateScript(seed: number, length = 50): Step[] {
  const random = rng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const chance = (p: number) => random() < p;
  let handlers = 0;
  const names: string[] = [];

  const publishProps = (): Record<string, unknown> | undefined => {
    if (chance(0.5)) return undefined;
    const props: Record<string, unknown> = { type: pick(['x', 'y', 'error']) };
    if (chance(0.3)) props.mandatory = true;
    if (chance(0.15)) props.persistent = false;
    if (chance(0.1)) props.messageId = `given-${Math.floor(random() * 5)}`;
    return props;
  };

  const reaction = (): Reaction => {
    const then = chance(0.3) ? 'hold' : 'ack';
    switch (pick(['ack', 'ack', 'ack', 'hold', 'nack', 'reject', 'publish', 'publish', 'queueMessage', 'cancelSelf', 'cancel', 'snapshot', 'ackAllUpTo', 'nackAllUpTo'] as const)) {
      case 'ack':
        return { do: 'ack' };
      case 'ackAllUpTo':
        return { do: 'ack', allUpTo: true };
      case 'nackAllUpTo':
        return { do: 'nack', allUpTo: true, requeue: chance(0.5) };
      case 'hold':
        return { do: 'hold' };
      case 'nack':
        return { do: 'nack', requeue: chance(0.4) };
      case 'reject':
        return { do: 'reject', requeue: chance(0.4) };
      case 'publish':
        return { do: 'publish', exchange: pick(EXCHANGES), routingKey: pick(KEYS), content: { n: Math.floor(random() * 100) }, properties: publishProps(), then };
      case 'queueMessage':
        return { do: 'queueMessage', queue: pick(QUEUES), routingKey: pick(KEYS), then };
      case 'cancelSelf':
        return { do: 'cancelSelf', then };
      case 'cancel':
        return { do: 'cancel', handler: names.length ? pick(names) : 'h0', then };
      case 'snapshot':
        return { do: 'snapshot', then };
    }
  };

  const handler = (): HandlerSpec => {
    const name = `h${handlers++}`;
    names.push(name);
    const reactions: Reaction[] = [];
    const n = 1 + Math.floor(random() * 3);
    for (let i = 0; i < n; i++) reactions.push(reaction());
    // a handler that only ever requeues would loop until the delivery budget: let it ack in turn
    if (reactions.every((r) => (r.do === 'nack' || r.do === 'reject') && r.requeue !== false)) reactions.push({ do: 'ack' });
    return { name, reactions };
  };

  const consumeOptions = (): Record<string, unknown> | undefined => {
    if (chance(0.3)) return undefined;
    const options: Record<string, unknown> = {};
    if (chance(0.4)) options.prefetch = 1 + Math.floor(random() * 3);
    if (chance(0.3)) options.priority = pick([-1, 1, 2, 5]);
    if (chance(0.3)) options.noAck = true;
    if (chance(0.1)) options.exclusive = true;
    if (chance(0.1)) options.consumerTag = `tag-${Math.floor(random() * 4)}`;
    return options;
  };

  const steps: Step[] = [
    { op: 'assertExchange', name: 'topic', type: 'topic', options: { autoDelete: false } },
    { op: 'assertExchange', name: 'direct', type: 'direct', options: { autoDelete: false } },
    { op: 'assertExchange', name: 'auto', type: 'topic' },
    { op: 'assertExchange', name: 'event', type: 'topic', options: { durable: false, autoDelete: false } },
    { op: 'assertQueue', name: 'q-durable', options: { autoDelete: false } },
    { op: 'assertQueue', name: 'q-tmp', options: { durable: false } },
    { op: 'assertQueue', name: 'q-auto', options: { durable: true } },
    { op: 'assertQueue', name: 'q-keep', options: { durable: true, autoDelete: false } },
  ];
  if (chance(0.5)) steps.push({ op: 'onReturn', name: 'r0' });
  // a populated start: bound queues with consumers, listeners on the event exchange
  steps.push(
    { op: 'bindQueue', queue: 'q-durable', exchange: 'topic', pattern: pick(PATTERNS) },
    { op: 'bindQueue', queue: 'q-keep', exchange: 'direct', pattern: pick(KEYS) },
    { op: 'bindQueue', queue: 'q-auto', exchange: pick(EXCHANGES), pattern: pick(PATTERNS) },
    { op: 'bindQueue', queue: 'q-tmp', exchange: 'event', pattern: '#' },
    { op: 'consume', queue: 'q-durable', handler: handler(), options: consumeOptions() },
    { op: 'consume', queue: 'q-keep', handler: handler(), options: consumeOptions() },
    { op: 'subscribeTmp', exchange: 'event', pattern: pick(PATTERNS), handler: handler(), options: { noAck: true } },
    { op: 'subscribeTmp', exchange: 'topic', pattern: pick(PATTERNS), handler: handler(), options: consumeOptions() },
  );

  for (let i = 0; i < length; i++) {
    const r = random();
    if (r < 0.2 || chance(0.15)) {
      steps.push({ op: 'publish', exchange: pick(EXCHANGES), routingKey: pick(KEYS), content: { i }, properties: publishProps() });
    } else if (r < 0.28) {
      steps.push({ op: 'bindQueue', queue: pick(QUEUES), exchange: pick(EXCHANGES), pattern: pick(PATTERNS), options: chance(0.3) ? { priority: pick([-1, 1, 3]) } : undefined });
    } else if (r < 0.31) {
      steps.push({ op: 'unbindQueue', queue: pick(QUEUES), exchange: pick(EXCHANGES), pattern: pick(PATTERNS) });
    } else if (r < 0.38) {
      steps.push({ op: 'subscribeTmp', exchange: pick(EXCHANGES), pattern: pick(PATTERNS), handler: handler(), options: consumeOptions() });
    } else if (r < 0.42) {
      steps.push({ op: 'subscribe', exchange: pick(EXCHANGES), pattern: pick(PATTERNS), queue: chance(0.7) ? pick(['q-durable', 'q-keep', 'sub-q']) : null, handler: handler(), options: consumeOptions() });
    } else if (r < 0.45) {
      steps.push({ op: 'subscribeOnce', exchange: pick(EXCHANGES), pattern: pick(PATTERNS), handler: handler(), options: chance(0.3) ? { priority: 2 } : undefined });
    } else if (r < 0.52) {
      steps.push({ op: chance(0.5) ? 'consume' : 'assertConsumer', queue: pick(QUEUES), handler: handler(), options: consumeOptions() });
    } else if (r < 0.57) {
      steps.push({ op: 'cancel', handler: names.length ? pick(names) : 'h0', requeue: chance(0.7) ? undefined : chance(0.5) });
    } else if (r < 0.67) {
      steps.push({ op: 'settle', index: Math.floor(random() * 5), how: pick(['ack', 'ack', 'nack', 'reject'] as const), allUpTo: chance(0.2), requeue: chance(0.5) ? undefined : chance(0.5) });
    } else if (r < 0.7) {
      steps.push({ op: 'sendToQueue', queue: pick(QUEUES), content: { i }, properties: publishProps() });
    } else if (r < 0.73) {
      steps.push({ op: 'queueMessage', queue: pick(QUEUES), fields: { routingKey: pick(KEYS), consumerTag: 'stale', redelivered: chance(0.2) || undefined }, content: { i } });
    } else if (r < 0.76) {
      steps.push({ op: 'get', queue: pick(QUEUES), noAck: chance(0.5) });
    } else if (r < 0.78) {
      steps.push({ op: 'purgeQueue', queue: pick(QUEUES) });
    } else if (r < 0.8) {
      steps.push({ op: 'deleteQueue', queue: pick([...QUEUES, 'sub-q']), options: chance(0.3) ? { ifUnused: true } : undefined });
    } else if (r < 0.82) {
      steps.push({ op: chance(0.5) ? 'ackAll' : 'nackAll' });
    } else if (r < 0.86) {
      steps.push({ op: 'stop' });
      if (chance(0.5)) steps.push({ op: 'settle', index: Math.floor(random() * 5), how: 'ack' });
      if (chance(0.5)) steps.push({ op: 'publish', exchange: pick(EXCHANGES), routingKey: pick(KEYS), content: { stopped: i } });
      steps.push(chance(0.6) ? { op: 'recover' } : { op: 'restart', onlyWithContent: chance(0.5) });
    } else if (r < 0.89) {
      steps.push({ op: 'restart', onlyWithContent: chance(0.5) });
    } else if (r < 0.92) {
      const name = `shovel-${Math.floor(random() * 2)}`;
      // shovels only run one way (event -> topic, or to the other broker), so they never loop
      const toOther = chance(0.4);
      steps.push({ op: 'createShovel', name, source: { exchange: toOther ? pick(EXCHANGES) : 'event', pattern: chance(0.5) ? pick(PATTERNS) : undefined, priority: chance(0.3) ? 3 : undefined }, destination: { exchange: 'topic' }, other: toOther, clone: chance(0.3) });
    } else if (r < 0.94) {
      steps.push({ op: 'closeShovel', name: `shovel-${Math.floor(random() * 2)}` });
    } else if (r < 0.945) {
      // exchange to exchange only downstream (event -> topic/auto, topic -> direct): no loops
      const [source, destination] = pick([['event', 'topic'], ['event', 'auto'], ['topic', 'direct']] as const);
      if (chance(0.7)) steps.push({ op: 'bindExchange', source, destination, pattern: chance(0.5) ? pick(PATTERNS) : undefined, priority: chance(0.3) ? 2 : undefined });
      else steps.push({ op: 'unbindExchange', source, destination });
    } else if (r < 0.95) {
      steps.push(chance(0.8) ? { op: 'close' } : { op: 'reset' });
    } else if (r < 0.955) {
      steps.push({ op: 'deleteExchange', exchange: pick(EXCHANGES), options: chance(0.5) ? { ifUnused: true } : undefined });
    } else if (r < 0.97) {
      steps.push({ op: 'onReturn', name: `r${Math.floor(random() * 2)}` });
    } else if (r < 0.98) {
      steps.push({ op: 'offReturn', name: `r${Math.floor(random() * 2)}` });
    } else {
      steps.push({ op: 'assertExchange', name: pick(EXCHANGES), type: pick(['topic', 'direct'] as const) });
    }
  }
  return steps;
}
