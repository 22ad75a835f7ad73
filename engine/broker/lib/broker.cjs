'use strict';

/**
 * The broker: named exchanges, queues, consumers and shovels, and the `return` (and confirm) events.
 * Its book-keeping (a consumer created or cancelled, a queue or exchange deleted, a shovel closed) is
 * done by direct calls from the queue, exchange or shovel, where smqp 11 routes an event message
 * through an event exchange per entity.
 * @module smqp/lib/broker
 */

const { generateId, compiledPattern, SmqpError, codes } = require('./shared.cjs');
const { Queue } = require('./queue.cjs');
const { Exchange } = require('./exchange.cjs');
const { Shovel } = require('./shovel.cjs');

/**
 * @param {unknown} [owner] passed to every handler as its third argument
 */
function Broker(owner) {
  if (!(this instanceof Broker)) return new Broker(owner);
  this.owner = owner;
  /** @type {Map<string, Exchange>} */
  this._exchanges = new Map();
  /** @type {Map<string, Queue>} */
  this._queues = new Map();
  /** @type {Map<string, import('./queue.cjs').Consumer>} */
  this._consumers = new Map();
  /** @type {Map<string, Shovel>} */
  this._shovels = new Map();
  /** Listeners of broker events (`return`...), in registration order. */
  this._listeners = [];
  /** Events raised while listeners are being called wait here, oldest first. */
  this._pendingEvents = [];
  this._emitting = false;
}

Object.defineProperties(Broker.prototype, {
  exchangeCount: {
    get() {
      return this._exchanges.size;
    },
  },
  queueCount: {
    get() {
      return this._queues.size;
    },
  },
  consumerCount: {
    get() {
      return this._consumers.size;
    },
  },
});

/** Asserts the exchange and the queue (durable unless told), binds them and consumes the queue. */
Broker.prototype.subscribe = function subscribe(exchangeName, pattern, queueName, onMessage, options) {
  if (!exchangeName || !pattern || typeof onMessage !== 'function') throw new TypeError('exchange name, pattern, and message callback are required');
  if (options?.consumerTag) this.validateConsumerTag(options.consumerTag);
  const exchange = this.assertExchange(exchangeName);
  const queueOptions = { durable: true, ...options };
  const queue = this.assertQueue(queueName, queueOptions);
  exchange.bindQueue(queue, pattern, queueOptions);
  return queue.assertConsumer(onMessage, queueOptions, this.owner);
};

/** {@link Broker#subscribe} on a new temporary (non-durable, auto-delete) queue. */
Broker.prototype.subscribeTmp = function subscribeTmp(exchangeName, pattern, onMessage, options) {
  return this.subscribe(exchangeName, pattern, null, onMessage, { ...options, durable: false });
};

/** A no-ack consumer on a temporary queue deleted before the handler gets its first message. */
Broker.prototype.subscribeOnce = function subscribeOnce(exchangeName, pattern, onMessage, options) {
  if (typeof onMessage !== 'function') throw new TypeError('message callback is required');
  if (options?.consumerTag) this.validateConsumerTag(options.consumerTag);
  const exchange = this.assertExchange(exchangeName);
  const onceOptions = { autoDelete: true, durable: false, priority: options?.priority ?? 0 };
  const onceQueue = this.createQueue(null, onceOptions);
  exchange.bindQueue(onceQueue, pattern, onceOptions);
  return this.consume(onceQueue.name, wrappedOnMessage, { noAck: true, consumerTag: options?.consumerTag });

  function wrappedOnMessage(...args) {
    onceQueue.delete();
    onMessage(...args);
  }
};

Broker.prototype.unsubscribe = function unsubscribe(queueName, onMessage) {
  const queue = this.getQueue(queueName);
  if (!queue) return;
  queue.dismiss(onMessage);
};

Broker.prototype.assertExchange = function assertExchange(exchangeName, type, options) {
  let exchange = this.getExchange(exchangeName);
  if (exchange) {
    if (type && exchange.type !== type) throw new SmqpError("Type doesn't match", codes.ERR_EXCHANGE_TYPE_MISMATCH);
    return exchange;
  }
  exchange = new Exchange(exchangeName, type || 'topic', options, this);
  this._exchanges.set(exchangeName, exchange);
  return exchange;
};

Broker.prototype.bindQueue = function bindQueue(queueName, exchangeName, pattern, bindOptions) {
  const exchange = this.getExchange(exchangeName);
  const queue = this.getQueue(queueName);
  return exchange.bindQueue(queue, pattern, bindOptions);
};

Broker.prototype.unbindQueue = function unbindQueue(queueName, exchangeName, pattern) {
  const exchange = this.getExchange(exchangeName);
  if (!exchange) return;
  const queue = this.getQueue(queueName);
  if (!queue) return;
  exchange.unbindQueue(queue, pattern);
};

Broker.prototype.consume = function consume(queueName, onMessage, options) {
  const queue = this.getQueue(queueName);
  if (!queue) throw new SmqpError(`Queue with name <${queueName}> was not found`, codes.ERR_QUEUE_NOT_FOUND);
  return queue.consume(onMessage, options, this.owner);
};

/** Cancels a consumer; its unacked messages are requeued unless `requeue` is false. */
Broker.prototype.cancel = function cancel(consumerTag, requeue = true) {
  const consumer = this.getConsumer(consumerTag);
  if (!consumer) return false;
  consumer.cancel(requeue);
  return true;
};

Broker.prototype.getConsumers = function getConsumers() {
  const result = [];
  for (const consumer of this._consumers.values()) {
    result.push({ queue: consumer.queue.name, consumerTag: consumer.options.consumerTag, ready: consumer.ready, options: { ...consumer.options } });
  }
  return result;
};

Broker.prototype.getConsumer = function getConsumer(consumerTag) {
  if (typeof consumerTag !== 'string') throw new TypeError('consumer tag must be a string');
  return this._consumers.get(consumerTag);
};

Broker.prototype.getExchange = function getExchange(exchangeName) {
  if (typeof exchangeName !== 'string') throw new TypeError('exchange name must be a string');
  return this._exchanges.get(exchangeName);
};

Broker.prototype.deleteExchange = function deleteExchange(exchangeName, options) {
  const exchange = this.getExchange(exchangeName);
  if (!exchange || (options?.ifUnused && exchange.bindingCount)) return false;
  this._exchanges.delete(exchangeName);
  exchange.close();
  return true;
};

Broker.prototype.stop = function stop() {
  for (const exchange of this._exchanges.values()) exchange.stop();
  for (const queue of this._queues.values()) queue.stop();
};

Broker.prototype.close = function close() {
  for (const shovel of this._shovels.values()) shovel.close();
  for (const exchange of this._exchanges.values()) exchange.close();
  for (const queue of this._queues.values()) queue.close();
};

Broker.prototype.reset = function reset() {
  this.stop();
  this.close();
  this._exchanges.clear();
  this._queues.clear();
  this._consumers.clear();
  this._shovels.clear();
};

/**
 * `{ exchanges, queues }` of durable exchanges and queues; with `onlyWithContent` only those holding
 * messages, and undefined when none does (smqp 11's shape).
 */
Broker.prototype.getState = function getState(onlyWithContent) {
  let exchanges;
  for (const exchange of this._exchanges.values()) {
    if (!exchange.options.durable) continue;
    if (onlyWithContent && !exchange.undeliveredCount) continue;
    (exchanges ||= []).push(exchange.getState());
  }
  let queues;
  for (const queue of this._queues.values()) {
    if (!queue.options.durable) continue;
    if (onlyWithContent && !queue.messageCount) continue;
    (queues ||= []).push(queue.getState());
  }
  if (onlyWithContent && !exchanges && !queues) return;
  return { exchanges, queues };
};

/** Restores queues (then exchanges and bindings) from a state, or resumes a stopped broker. */
Broker.prototype.recover = function recover(state) {
  const getQueue = (name) => this.getQueue(name);
  if (state) {
    if (state.queues) for (const qState of state.queues) this.assertQueue(qState.name, qState.options).recover(qState);
    if (state.exchanges) for (const eState of state.exchanges) this.assertExchange(eState.name, eState.type, eState.options).recover(eState, getQueue);
  } else {
    for (const queue of this._queues.values()) if (queue.stopped) queue.recover();
    for (const exchange of this._exchanges.values()) if (exchange.stopped) exchange.recover(null, getQueue);
  }
  return this;
};

/** Forwards `source` to `destination` through a shovel named `e2e-<source>2<destination>-<pattern>`. */
Broker.prototype.bindExchange = function bindExchange(source, destination, pattern = '#', args) {
  const name = `e2e-${source}2${destination}-${pattern}`;
  const shovel = this.createShovel(
    name,
    { broker: this, exchange: source, pattern, priority: args?.priority, consumerTag: `smq.ctag-${name}` },
    { broker: this, exchange: destination },
    { ...args },
  );
  return {
    get name() {
      return shovel.name;
    },
    get source() {
      return shovel.source.exchange;
    },
    get destination() {
      return shovel.destination.exchange;
    },
    get pattern() {
      return shovel.source.pattern;
    },
    get queue() {
      return shovel.source.queue;
    },
    get consumerTag() {
      return shovel.consumerTag;
    },
    close() {
      return shovel.close();
    },
  };
};

Broker.prototype.unbindExchange = function unbindExchange(source, destination, pattern = '#') {
  return this.closeShovel(`e2e-${source}2${destination}-${pattern}`);
};

Broker.prototype.publish = function publish(exchangeName, routingKey, content, properties) {
  const exchange = this.getExchange(exchangeName);
  if (!exchange) return;
  return exchange.publish(routingKey, content, properties);
};

Broker.prototype.purgeQueue = function purgeQueue(queueName) {
  const queue = this.getQueue(queueName);
  if (!queue) return;
  return queue.purge();
};

Broker.prototype.sendToQueue = function sendToQueue(queueName, content, options) {
  const queue = this.getQueue(queueName);
  if (!queue) throw new SmqpError(`Queue with name <${queueName}> was not found`, codes.ERR_QUEUE_NOT_FOUND);
  return queue.queueMessage({}, content, options);
};

Broker.prototype.createQueue = function createQueue(queueName, options) {
  if (queueName && typeof queueName !== 'string') throw new TypeError('queue name must be a string');
  else if (!queueName) queueName = `smq.qname-${generateId()}`;
  else if (this.getQueue(queueName)) throw new SmqpError(`Queue named ${queueName} already exists`, codes.ERR_QUEUE_NAME_CONFLICT);
  const queue = new Queue(queueName, options, this);
  this._queues.set(queueName, queue);
  return queue;
};

Broker.prototype.getQueue = function getQueue(queueName) {
  if (!queueName || typeof queueName !== 'string') throw new TypeError('queue name must be a string');
  return this._queues.get(queueName);
};

Broker.prototype.assertQueue = function assertQueue(queueName, options) {
  if (queueName && typeof queueName !== 'string') throw new TypeError('queue name must be a string');
  else if (!queueName) return this.createQueue(null, options);
  const queue = this.getQueue(queueName);
  const queueOptions = { durable: true, ...options };
  if (!queue) return this.createQueue(queueName, queueOptions);
  if (queue.options.durable !== queueOptions.durable) throw new SmqpError("Durable doesn't match", codes.ERR_QUEUE_DURABLE_MISMATCH);
  return queue;
};

Broker.prototype.deleteQueue = function deleteQueue(queueName, options) {
  const queue = this.getQueue(queueName);
  if (!queue) return;
  return queue.delete(options);
};

Broker.prototype.get = function getMessageFromQueue(queueName, options) {
  const queue = this.getQueue(queueName);
  if (!queue) return;
  return queue.get({ noAck: options?.noAck });
};

Broker.prototype.ack = function ack(message, allUpTo) {
  message.ack(allUpTo);
};

Broker.prototype.ackAll = function ackAll() {
  for (const queue of this._queues.values()) queue.ackAll();
};

Broker.prototype.nack = function nack(message, allUpTo, requeue) {
  message.nack(allUpTo, requeue);
};

Broker.prototype.nackAll = function nackAll(requeue) {
  for (const queue of this._queues.values()) queue.nackAll(requeue);
};

Broker.prototype.reject = function reject(message, requeue) {
  message.reject(requeue);
};

Broker.prototype.validateConsumerTag = function validateConsumerTag(consumerTag) {
  if (this._consumers.has('' + consumerTag)) {
    throw new SmqpError(`Consumer tag must be unique, ${consumerTag} is occupied`, codes.ERR_CONSUMER_TAG_CONFLICT);
  }
  return true;
};

Broker.prototype.createShovel = function createShovel(name, source, destination, options) {
  const shovels = this._shovels;
  if (shovels.has(name)) throw new SmqpError(`Shovel name must be unique, ${name} is occupied`, codes.ERR_SHOVEL_NAME_CONFLICT);
  const shovel = new Shovel(name, { ...source, broker: this }, destination, options);
  shovel._onClose = (closed) => {
    shovels.delete(closed.name);
  };
  shovels.set(name, shovel);
  return shovel;
};

Broker.prototype.closeShovel = function closeShovel(name) {
  const shovel = this.getShovel(name);
  if (!shovel) return false;
  shovel.close();
  return true;
};

Broker.prototype.getShovel = function getShovel(name) {
  return this._shovels.get(name);
};

Broker.prototype.getShovels = function getShovels() {
  return [...this._shovels.values()];
};

/**
 * Listens to broker events: `return` (a mandatory message no queue took), `message.undelivered`,
 * `message.ack`, `message.nack` (messages published with `confirm`); topic patterns allowed. The
 * callback gets `{ name, fields, content, properties }`. Returns a handle with `consumerTag` and `cancel()`.
 * @param {string} eventName
 * @param {(event: { name: string, fields?: object, content?: unknown, properties?: object }) => void} callback
 * @param {{ consumerTag?: string }} [options]
 */
Broker.prototype.on = function on(eventName, callback, options) {
  const listeners = this._listeners;
  const listener = {
    pattern: eventName,
    test: compiledPattern(eventName),
    callback,
    consumerTag: options?.consumerTag || `smq.ctag-${generateId()}`,
    cancelled: false,
    cancel() {
      listener.cancelled = true;
      const idx = listeners.indexOf(listener);
      if (idx !== -1) listeners.splice(idx, 1);
    },
  };
  listeners.push(listener);
  return listener;
};

/** Stops the listener given by its callback (every registration of it) or by the handle `on` returned. */
Broker.prototype.off = function off(eventName, callbackOrObject) {
  const consumerTag = callbackOrObject?.consumerTag;
  for (const listener of this._listeners.slice()) {
    if (listener.pattern !== eventName) continue;
    if (consumerTag ? listener.consumerTag === consumerTag : listener.callback === callbackOrObject) listener.cancel();
  }
};

Broker.prototype.prefetch = function prefetch() {};

/**
 * Calls the listeners of a broker event in registration order. An event raised by a listener waits
 * until the current event has reached every listener.
 */
Broker.prototype._emitEvent = function emitEvent(name, message) {
  if (!this._listeners.length) return;
  if (this._emitting) {
    this._pendingEvents.push(name, message);
    return;
  }
  this._emitting = true;
  try {
    this._callListeners(name, message);
    const pending = this._pendingEvents;
    while (pending.length) {
      const pendingName = pending.shift();
      this._callListeners(pendingName, pending.shift());
    }
  } finally {
    this._emitting = false;
  }
};

Broker.prototype._callListeners = function callListeners(name, message) {
  for (const listener of this._listeners.slice()) {
    // a listener cancelled by an earlier one during this event gets nothing more
    if (!listener.cancelled && listener.test.test(name)) listener.callback({ name, ...message });
  }
};

/** A consumer was created on one of this broker's queues: its tag must be free. */
Broker.prototype._onConsume = function onConsume(consumer) {
  this.validateConsumerTag(consumer.consumerTag);
  this._consumers.set(consumer.consumerTag, consumer);
};

Broker.prototype._onConsumerCancel = function onConsumerCancel(consumer) {
  this._consumers.delete(consumer.consumerTag);
};

Broker.prototype._onQueueDelete = function onQueueDelete(queue) {
  this._queues.delete(queue.name);
};

Broker.prototype._onExchangeDelete = function onExchangeDelete(exchange) {
  this._exchanges.delete(exchange.name);
};

Broker.prototype._deadLetter = function deadLetter(exchangeName, message) {
  const exchange = this._exchanges.get(exchangeName);
  if (!exchange) return;
  exchange.publish(message.fields.routingKey, message.content, message.properties);
};

module.exports = { Broker };
