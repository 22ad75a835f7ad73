/**
 * Differential tests: each script of broker calls runs against real smqp 11 (testing/reference.ts)
 * and against engine/broker, and the two traces must be equal: every delivery in order with its
 * fields, content and properties, every return event, every call's result or error, and after every
 * step the queues, consumers, bindings and getState()/getState(true). Generated ids, tags, queue
 * names and timestamps are normalised (testing/driver.ts).
 */
import { candidate } from './testing/candidate';
import { reference } from './testing/reference';
import { runScript, type BrokerModule, type HandlerSpec, type RunOptions, type Step } from './testing/driver';
import { EXCHANGES, QUEUES, generateScript } from './testing/generator';

const ref = reference as unknown as BrokerModule;
const lean = candidate as unknown as BrokerModule;

const world: RunOptions = { queues: [...QUEUES, 'sub-q', 'run-q', 'execute-q', 'inbound-q'], exchanges: [...EXCHANGES, 'run', 'execution'] };

function same(steps: Step[], options: RunOptions = world) {
  const expected = runScript(ref, steps, options);
  const actual = runScript(lean, steps, options);
  expect(actual).toEqual(expected);
  return expected;
}

const h = (name: string, ...reactions: HandlerSpec['reactions']): HandlerSpec => ({ name, reactions });

const activity: Step[] = [
  { op: 'assertExchange', name: 'event', type: 'topic', options: { durable: false, autoDelete: false } },
  { op: 'assertExchange', name: 'run', type: 'topic', options: { autoDelete: false } },
  { op: 'assertExchange', name: 'execution', type: 'topic', options: { autoDelete: false } },
  { op: 'assertQueue', name: 'run-q', options: { durable: true, autoDelete: false } },
  { op: 'assertQueue', name: 'execute-q', options: { durable: true, autoDelete: false } },
  { op: 'assertQueue', name: 'inbound-q', options: { durable: true, autoDelete: false } },
  { op: 'bindQueue', queue: 'run-q', exchange: 'run', pattern: 'run.#' },
  { op: 'bindQueue', queue: 'execute-q', exchange: 'execution', pattern: 'execute.#' },
  { op: 'onReturn', name: 'r' },
];

describe('engine/broker against smqp 11', () => {
  it('compares two different implementations', () => {
    expect(reference.Broker).not.toBe(candidate.Broker);
    expect(Object.keys(reference.Broker({}))).not.toEqual(Object.keys(candidate.Broker({})));
  });

  it('runs the activity pattern: run queue, nested publishes, event listeners, a held execute message', () => {
    const trace = same([
      ...activity,
      { op: 'subscribeTmp', exchange: 'event', pattern: 'activity.#', handler: h('listener'), options: { noAck: true } },
      {
        op: 'assertConsumer',
        queue: 'run-q',
        handler: h(
          'run',
          { do: 'publish', exchange: 'event', routingKey: 'activity.enter', content: { e: 1 }, then: 'ack' },
          { do: 'publish', exchange: 'run', routingKey: 'run.start', then: 'ack' },
          { do: 'publish', exchange: 'execution', routingKey: 'execute.start', then: 'hold' },
        ),
        options: { exclusive: true, consumerTag: '_activity-run' },
      },
      { op: 'consume', queue: 'execute-q', handler: h('execute', { do: 'publish', exchange: 'event', routingKey: 'activity.wait', then: 'hold' }), options: { consumerTag: '_execute' } },
      { op: 'publish', exchange: 'run', routingKey: 'run.enter', content: { id: 'task' } },
      { op: 'publish', exchange: 'run', routingKey: 'run.next', content: { id: 'task' } },
      { op: 'publish', exchange: 'event', routingKey: 'activity.error', content: {}, properties: { mandatory: true, type: 'error' } },
      { op: 'publish', exchange: 'event', routingKey: 'nobody.listens', content: {}, properties: { mandatory: true, type: 'error' } },
      { op: 'settle', index: 0, how: 'ack' },
      { op: 'settle', index: 1, how: 'ack' },
      { op: 'restart' },
    ]);
    // the script did deliver: the trace is not trivially equal
    expect(trace.filter((e) => Array.isArray(e) && e[0] === 'deliver').length).toBeGreaterThan(5);
    expect(trace.some((e) => Array.isArray(e) && e[0] === 'return')).toBe(true);
  });

  it('orders a re-entrant publish after the current message, per consumer and per exchange', () => {
    same([
      { op: 'assertExchange', name: 'topic', type: 'topic' },
      { op: 'subscribeTmp', exchange: 'topic', pattern: 'a.#', handler: h('first', { do: 'publish', exchange: 'topic', routingKey: 'a.c', then: 'ack' }, { do: 'ack' }), options: { priority: 1 } },
      { op: 'subscribeTmp', exchange: 'topic', pattern: '#', handler: h('second', { do: 'publish', exchange: 'topic', routingKey: 'a.b.c', then: 'ack' }, { do: 'ack' }) },
      { op: 'subscribeTmp', exchange: 'topic', pattern: 'a.*', handler: h('third'), options: { noAck: true, priority: 5 } },
      { op: 'publish', exchange: 'topic', routingKey: 'a.b' },
      { op: 'publish', exchange: 'topic', routingKey: 'a.b' },
    ]);
  });

  it('round-robins a direct exchange and fans out a topic exchange in binding priority order', () => {
    same([
      { op: 'assertExchange', name: 'direct', type: 'direct' },
      { op: 'assertQueue', name: 'q-durable' },
      { op: 'assertQueue', name: 'q-keep' },
      { op: 'assertQueue', name: 'q-auto' },
      { op: 'bindQueue', queue: 'q-durable', exchange: 'direct', pattern: 'b' },
      { op: 'bindQueue', queue: 'q-keep', exchange: 'direct', pattern: 'b', options: { priority: 2 } },
      { op: 'bindQueue', queue: 'q-auto', exchange: 'direct', pattern: 'b', options: { priority: -1 } },
      ...[1, 2, 3, 4, 5].map((n): Step => ({ op: 'publish', exchange: 'direct', routingKey: 'b', content: { n } })),
      { op: 'assertExchange', name: 'topic', type: 'topic' },
      { op: 'bindQueue', queue: 'q-durable', exchange: 'topic', pattern: '*.b.*', options: { priority: -2 } },
      { op: 'bindQueue', queue: 'q-keep', exchange: 'topic', pattern: 'a.#' },
      { op: 'bindQueue', queue: 'q-auto', exchange: 'topic', pattern: 'a.*.c', options: { priority: 3 } },
      { op: 'publish', exchange: 'topic', routingKey: 'a.b.c' },
      { op: 'consume', queue: 'q-durable', handler: h('d', { do: 'ack' }) },
      { op: 'consume', queue: 'q-keep', handler: h('k', { do: 'hold' }), options: { prefetch: 2 } },
      { op: 'consume', queue: 'q-auto', handler: h('a', { do: 'nack', requeue: false }) },
    ]);
  });

  it('keeps prefetch: a busy consumer gets the next message only after an ack; priorities pick the consumer', () => {
    same([
      { op: 'assertQueue', name: 'q-keep', options: { autoDelete: false } },
      { op: 'consume', queue: 'q-keep', handler: h('low', { do: 'hold' }), options: { prefetch: 2 } },
      { op: 'consume', queue: 'q-keep', handler: h('high', { do: 'hold' }), options: { priority: 3 } },
      ...[1, 2, 3, 4, 5].map((n): Step => ({ op: 'sendToQueue', queue: 'q-keep', content: { n } })),
      { op: 'settle', index: 1, how: 'ack' },
      { op: 'settle', index: 0, how: 'nack' },
      { op: 'settle', index: 2, how: 'ack', allUpTo: true },
      { op: 'cancel', handler: 'high' },
      { op: 'settle', index: 3, how: 'reject', requeue: false },
      { op: 'ackAll' },
    ]);
  });

  it('requeues on cancel, deletes auto-delete queues with their last consumer, refuses exclusive conflicts', () => {
    same([
      { op: 'assertExchange', name: 'topic', type: 'topic' },
      { op: 'subscribe', exchange: 'topic', pattern: 'a.#', queue: 'q-auto', handler: h('one', { do: 'hold' }), options: { durable: true } },
      { op: 'subscribe', exchange: 'topic', pattern: 'a.#', queue: 'q-auto', handler: h('two', { do: 'ack' }), options: { durable: true, exclusive: true } },
      { op: 'consume', queue: 'q-auto', handler: h('three', { do: 'ack' }), options: { consumerTag: 'three' } },
      { op: 'consume', queue: 'q-auto', handler: h('again'), options: { consumerTag: 'three' } },
      { op: 'publish', exchange: 'topic', routingKey: 'a.b' },
      { op: 'publish', exchange: 'topic', routingKey: 'a.c' },
      { op: 'cancel', handler: 'one' },
      { op: 'cancel', handler: 'three' },
      { op: 'publish', exchange: 'topic', routingKey: 'a.b', properties: { mandatory: true } },
    ]);
  });

  it('subscribeOnce: delivered once, its queue gone; shovels to the same and another broker', () => {
    same([
      { op: 'assertExchange', name: 'event', type: 'topic', options: { durable: false, autoDelete: false } },
      { op: 'assertExchange', name: 'topic', type: 'topic', options: { autoDelete: false } },
      { op: 'subscribeOnce', exchange: 'event', pattern: 'x.#', handler: h('once', { do: 'publish', exchange: 'event', routingKey: 'x.y.z' }) },
      { op: 'subscribeTmp', exchange: 'topic', pattern: '#', handler: h('sink', { do: 'ack' }) },
      { op: 'createShovel', name: 'shovel-0', source: { exchange: 'event', pattern: 'x.#' }, destination: { exchange: 'topic' }, clone: true },
      { op: 'createShovel', name: 'shovel-1', source: { exchange: 'event' }, destination: { exchange: 'topic' }, other: true },
      { op: 'publish', exchange: 'event', routingKey: 'x.y.z', content: { n: 1 } },
      { op: 'closeShovel', name: 'shovel-0' },
      { op: 'publish', exchange: 'event', routingKey: 'x.y.z', content: { n: 2 } },
      { op: 'createShovel', name: 'shovel-1', source: { exchange: 'event' }, destination: { exchange: 'topic' } },
      { op: 'cancel', handler: 'sink' },
    ]);
  });

  it('getState from inside a handler writes the undelivered messages as smqp 11 delivery queues', () => {
    const trace = same([
      ...activity,
      {
        op: 'subscribeTmp',
        exchange: 'run',
        pattern: 'run.#',
        handler: h('tap', { do: 'publish', exchange: 'run', routingKey: 'run.start', then: 'ack' }, { do: 'publish', exchange: 'run', routingKey: 'run.end', then: 'ack' }, { do: 'ack' }),
        options: { priority: 9 },
      },
      { op: 'consume', queue: 'run-q', handler: h('run', { do: 'snapshot' }) },
      { op: 'publish', exchange: 'run', routingKey: 'run.enter' },
    ]);
    expect(JSON.stringify(trace)).toContain('delivery-q');
  });

  it('stop, ack while stopped, recover; recover from state written by smqp 11', () => {
    const steps: Step[] = [
      ...activity,
      { op: 'consume', queue: 'run-q', handler: h('run', { do: 'hold' }), options: { consumerTag: '_run' } },
      { op: 'publish', exchange: 'run', routingKey: 'run.enter', content: { a: 1 } },
      { op: 'publish', exchange: 'run', routingKey: 'run.start', content: { a: 2 }, properties: { persistent: false } },
      { op: 'sendToQueue', queue: 'inbound-q', content: { in: 1 } },
      { op: 'stop' },
      { op: 'settle', index: 0, how: 'ack' },
      { op: 'publish', exchange: 'run', routingKey: 'run.lost' },
      { op: 'recover' },
      { op: 'sendToQueue', queue: 'run-q', content: { after: 1 } },
      { op: 'restart', onlyWithContent: true },
      { op: 'consume', queue: 'run-q', handler: h('again', { do: 'ack' }) },
    ];
    same(steps);

    // the candidate recovers state written by smqp 11 (what production snapshots hold) exactly as smqp does
    const source = reference.Broker({});
    source.assertExchange('run', 'topic', { autoDelete: false });
    source.assertQueue('run-q', { durable: true, autoDelete: false });
    source.bindQueue('run-q', 'run', 'run.#');
    source.consume('run-q', () => undefined, { consumerTag: '_run' });
    source.publish('run', 'run.enter', { a: 1 });
    source.publish('run', 'run.next', { a: 2 }, { persistent: false });
    source.publish('run', 'run.end', { a: 3 }, { correlationId: 'c' });
    const state = JSON.parse(JSON.stringify(source.getState()));
    const continuation: Step[] = [
      { op: 'consume', queue: 'run-q', handler: h('recovered', { do: 'ack' }, { do: 'nack' }, { do: 'hold' }) },
      { op: 'publish', exchange: 'run', routingKey: 'run.more' },
    ];
    const expected = runScript(ref, continuation, { ...world, initialState: state });
    expect(runScript(lean, continuation, { ...world, initialState: state })).toEqual(expected);
    expect(JSON.stringify(expected)).toContain('"redelivered":true');
  });

  it('recovers an exchange delivery queue written by smqp 11 mid-delivery', () => {
    const source = reference.Broker({});
    source.assertExchange('run', 'topic', { autoDelete: false });
    source.assertQueue('run-q', { durable: true, autoDelete: false });
    source.bindQueue('run-q', 'run', 'run.#');
    let state: unknown;
    source.subscribeTmp('run', 'run.enter', () => {
      source.publish('run', 'run.start', { nested: 1 });
      source.publish('run', 'run.end', { nested: 2 }, { type: 'x' });
      state = JSON.parse(JSON.stringify(source.getState(true)));
    });
    source.publish('run', 'run.enter', {});
    expect(JSON.stringify(state)).toContain('delivery-q');
    const continuation: Step[] = [{ op: 'consume', queue: 'run-q', handler: h('recovered', { do: 'ack' }) }];
    const expected = runScript(ref, continuation, { ...world, initialState: state });
    expect(runScript(lean, continuation, { ...world, initialState: state })).toEqual(expected);
  });

  it('dead-letters, caps queue length, expires messages and raises confirm events like smqp', () => {
    const old = 1_000_000;
    same([
      { op: 'assertExchange', name: 'topic', type: 'topic', options: { autoDelete: false } },
      { op: 'assertExchange', name: 'direct', type: 'direct', options: { autoDelete: false } },
      { op: 'onReturn', name: 'events', pattern: 'message.#' },
      { op: 'assertQueue', name: 'q-keep', options: { autoDelete: false, deadLetterExchange: 'direct', deadLetterRoutingKey: 'b', maxLength: 2 } },
      { op: 'assertQueue', name: 'q-durable', options: { autoDelete: false } },
      { op: 'bindQueue', queue: 'q-keep', exchange: 'topic', pattern: 'a.#' },
      { op: 'bindQueue', queue: 'q-durable', exchange: 'direct', pattern: 'b' },
      ...[1, 2, 3].map((n): Step => ({ op: 'publish', exchange: 'topic', routingKey: 'a.b', content: { n }, properties: { confirm: true } })),
      { op: 'publish', exchange: 'topic', routingKey: 'a.b', content: { old: 1 }, properties: { timestamp: old, expiration: 5 } },
      { op: 'assertQueue', name: 'q-auto', options: { messageTtl: 10 } },
      { op: 'sendToQueue', queue: 'q-auto', content: { stale: 1 }, properties: { timestamp: old } },
      { op: 'sendToQueue', queue: 'q-auto', content: { fresh: 1 } },
      { op: 'consume', queue: 'q-auto', handler: h('auto', { do: 'ack' }) },
      { op: 'consume', queue: 'q-keep', handler: h('keep', { do: 'reject', requeue: false }, { do: 'ack' }) },
      { op: 'publish', exchange: 'topic', routingKey: 'nowhere', content: {}, properties: { confirm: true } },
      { op: 'consume', queue: 'q-durable', handler: h('dead', { do: 'ack' }) },
    ]);
  });

  it('binds exchange to exchange, closes and resets like smqp', () => {
    same([
      { op: 'assertExchange', name: 'topic', type: 'topic', options: { autoDelete: false } },
      { op: 'assertExchange', name: 'direct', type: 'direct', options: { autoDelete: false } },
      { op: 'assertExchange', name: 'auto', type: 'topic' },
      { op: 'subscribeTmp', exchange: 'direct', pattern: 'a.b', handler: h('direct', { do: 'ack' }) },
      { op: 'subscribe', exchange: 'auto', pattern: '#', queue: 'q-durable', handler: h('auto', { do: 'hold' }) },
      { op: 'bindExchange', source: 'topic', destination: 'direct', pattern: 'a.*' },
      { op: 'bindExchange', source: 'topic', destination: 'auto', priority: 2 },
      { op: 'bindExchange', source: 'topic', destination: 'direct', pattern: 'a.*' },
      { op: 'publish', exchange: 'topic', routingKey: 'a.b', content: { n: 1 } },
      { op: 'unbindExchange', source: 'topic', destination: 'direct', pattern: 'a.*' },
      { op: 'publish', exchange: 'topic', routingKey: 'a.b', content: { n: 2 } },
      { op: 'close' },
      { op: 'publish', exchange: 'topic', routingKey: 'a.b', content: { n: 3 } },
      { op: 'recover' },
      { op: 'publish', exchange: 'auto', routingKey: 'a.b', content: { n: 4 } },
      { op: 'reset' },
      { op: 'publish', exchange: 'topic', routingKey: 'a.b', content: { n: 5 } },
    ]);
  });

  it('compiles topic patterns like smqp', () => {
    const keys = ['a', 'a.b', 'a.b.c', 'ab', 'a.', '.a', 'a..b', 'run.', 'run', 'x.y.z', 'a+b', '', 'b.a.b'];
    const patterns = ['#', '*', 'a.#', 'a.*', '*.b', '*.b.*', 'a.#.c', '#.b', 'a*', 'a.*.c', 'run.#', 'a', 'a+b', 'a.b#', '*#', '#.#'];
    for (const pattern of patterns) {
      const expected = keys.map((key) => reference.getRoutingKeyPattern(pattern).test(key));
      expect([pattern, keys.map((key) => candidate.getRoutingKeyPattern(pattern).test(key))]).toEqual([pattern, expected]);
    }
  });

  it('matches smqp on 300 random scripts (seeded)', () => {
    let deliveries = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const steps = generateScript(seed);
      const expected = runScript(ref, steps, world);
      const actual = runScript(lean, steps, world);
      try {
        expect(actual).toEqual(expected);
      } catch (e) {
        throw new Error(`random script, seed ${seed}: ${(e as Error).message}`);
      }
      deliveries += expected.filter((e) => Array.isArray(e) && e[0] === 'deliver').length;
    }
    expect(deliveries).toBeGreaterThan(1000);
  });
});
