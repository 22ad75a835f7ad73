'use strict';

/**
 * Micro-benchmark (a script, not a test): pushes the message pattern of a bpmn-elements activity
 * run through smqp 11 and through engine/broker and prints, per activity run, the messages queued
 * (every `Queue.prototype.queueMessage` call, what test/bench counts), the bytes allocated, the time,
 * and the heap an idle activity's brokers keep.
 *
 *   node --expose-gc --min-semi-space-size=512 --max-semi-space-size=512 engine/broker/bench.cjs [runs]
 *
 * The pattern (per activity run, three brokers like an activity, its process and its definition):
 * run.enter -> run.start -> execute.start (the execution subscribes to the api exchange while it
 * runs) -> execute.completed -> run.end -> run.leave, each run step acked after publishing the next
 * and an `activity.*` event on the activity's event exchange, which the process re-publishes on its
 * own and the definition on its own, to a listener (bpmn-elements' event hops); a format round on
 * run.start through format-run-q; a subscribeOnce per run on the event exchange.
 *
 * The reference is node_modules/smqp (SMQP_REFERENCE=<path> to compare another build).
 */

const { performance } = require('node:perf_hooks');
const path = require('node:path');

// not require('smqp'): from inside engine/broker (package name smqp, with exports) that is engine/broker itself
const reference = require(process.env.SMQP_REFERENCE || path.join(__dirname, '..', '..', 'node_modules', 'smqp'));
const lean = require(path.join(__dirname, 'index.cjs'));

function executionBroker(mod, owner) {
  const broker = mod.Broker(owner);
  broker.assertExchange('event', 'topic', { autoDelete: false, durable: false });
  broker.assertExchange('api', 'topic', { autoDelete: false, durable: false });
  broker.assertExchange('run', 'topic', { autoDelete: false });
  broker.assertExchange('format', 'topic', { autoDelete: false });
  broker.assertExchange('execution', 'topic', { autoDelete: false });
  broker.assertQueue('run-q', { durable: true, autoDelete: false });
  broker.assertQueue('format-run-q', { durable: true, autoDelete: false });
  broker.assertQueue('execution-q', { durable: true, autoDelete: false });
  broker.assertQueue('inbound-q', { durable: true, autoDelete: false });
  broker.bindQueue('run-q', 'run', 'run.#');
  broker.bindQueue('format-run-q', 'format', 'run.#');
  broker.bindQueue('execution-q', 'execution', 'execution.#');
  broker.on('return', () => undefined);
  return broker;
}

/** One activity with its process and definition brokers; `run()` runs it once to the end. */
function activity(mod) {
  const definition = executionBroker(mod, { id: 'definition' });
  const processBroker = executionBroker(mod, { id: 'process' });
  const broker = executionBroker(mod, { id: 'task' });
  const execQ = broker.assertQueue('execute-q', { durable: true, autoDelete: false });
  broker.bindQueue('execute-q', 'execution', 'execute.#');
  let events = 0;

  definition.subscribeTmp('event', 'activity.#', () => events++, { noAck: true });
  processBroker.subscribeTmp('event', 'activity.#', (routingKey, message) => {
    definition.publish('event', routingKey, { ...message.content }, { ...message.properties });
  }, { noAck: true });
  broker.subscribeTmp('event', 'activity.#', (routingKey, message) => {
    processBroker.publish('event', routingKey, { ...message.content }, { ...message.properties, mandatory: false });
  }, { noAck: true, priority: 100 });

  const content = { id: 'task', type: 'bpmn:UserTask', parent: { id: 'process', type: 'bpmn:Process' } };
  const emit = (name) => broker.publish('event', `activity.${name}`, { ...content }, { type: name });

  broker.consume('format-run-q', (routingKey, message) => message.ack(), { consumerTag: '_format' });
  broker.getQueue('run-q').assertConsumer((routingKey, message) => {
    switch (routingKey) {
      case 'run.enter':
        emit('enter');
        broker.publish('run', 'run.start', { ...message.content });
        break;
      case 'run.start':
        broker.getQueue('format-run-q').queueMessage({ routingKey: 'run.start.format' }, { ...message.content });
        emit('start');
        broker.publish('execution', 'execute.start', { ...message.content, executionId: 'x' });
        break;
      case 'run.end':
        emit('end');
        broker.publish('run', 'run.leave', { ...message.content });
        break;
      case 'run.leave':
        emit('leave');
        break;
    }
    message.ack();
  }, { exclusive: true, consumerTag: '_activity-run' });

  let apiTag = 0;
  execQ.assertConsumer((routingKey, message) => {
    if (routingKey === 'execute.start') {
      const consumer = broker.subscribeTmp('api', `activity.*.x`, () => undefined, { noAck: true, consumerTag: `_api-${++apiTag}` });
      emit('wait');
      broker.publish('execution', 'execute.completed', { ...message.content });
      consumer.cancel();
    } else {
      broker.publish('run', 'run.end', { ...message.content });
    }
    message.ack();
  }, { exclusive: true, consumerTag: '_activity-execution' });

  return {
    run() {
      broker.subscribeOnce('event', 'activity.leave', () => undefined);
      broker.publish('run', 'run.enter', { ...content });
    },
    get events() {
      return events;
    },
  };
}

function count(mod, fn) {
  const original = mod.Queue.prototype.queueMessage;
  let n = 0;
  mod.Queue.prototype.queueMessage = function counted(...args) {
    n++;
    return original.apply(this, args);
  };
  try {
    fn();
  } finally {
    mod.Queue.prototype.queueMessage = original;
  }
  return n;
}

function measure(name, mod, runs) {
  const a = activity(mod);
  for (let i = 0; i < 200; i++) a.run();
  const perRunEvents = (() => {
    const before = a.events;
    a.run();
    return a.events - before;
  })();
  const queued = count(mod, () => a.run());

  // bytes allocated: heap growth over a batch small enough for a young generation fixed at 512 MB
  // (--min-semi-space-size) to take without a scavenge; a drop of heapUsed would show one ran
  global.gc();
  const allocRuns = Math.min(runs, 2000);
  const heapBefore = process.memoryUsage().heapUsed;
  let last = heapBefore;
  let collected = false;
  for (let i = 0; i < allocRuns; i++) {
    a.run();
    if (i % 100 === 99) {
      const used = process.memoryUsage().heapUsed;
      if (used < last) collected = true;
      last = used;
    }
  }
  const allocated = (process.memoryUsage().heapUsed - heapBefore) / allocRuns;

  const t0 = performance.now();
  for (let i = 0; i < runs; i++) a.run();
  const micros = ((performance.now() - t0) * 1000) / runs;

  global.gc();
  const idleBefore = process.memoryUsage().heapUsed;
  const idle = [];
  for (let i = 0; i < 200; i++) {
    const x = activity(mod);
    x.run();
    idle.push(x);
  }
  global.gc();
  const idleBytes = (process.memoryUsage().heapUsed - idleBefore) / idle.length;

  console.log(
    `${name.padEnd(13)} events/run ${perRunEvents}  queued/run ${String(queued).padStart(4)}  ` +
      `allocated/run ${(allocated / 1024).toFixed(1).padStart(6)} KB${collected ? ' (a GC ran: undercounted)' : ''}  ` +
      `time/run ${micros.toFixed(1).padStart(6)} us  heap/idle activity (3 brokers) ${(idleBytes / 1024).toFixed(1)} KB`,
  );
  return idle.length;
}

if (typeof global.gc !== 'function') {
  console.error('run with node --expose-gc --min-semi-space-size=512 --max-semi-space-size=512');
  process.exit(1);
}
const runs = Number(process.argv[2]) || 5000;
for (let round = 0; round < 2; round++) {
  measure('smqp 11', reference, runs);
  measure('engine/broker', lean, runs);
}
