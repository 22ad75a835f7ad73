'use strict';

/**
 * Queues and their consumers.
 *
 * A queue keeps its messages in arrival order, delivered ones (pending) in place until settled, and
 * hands the undelivered ones to the first ready consumer in priority order. A consumer takes up to
 * `prefetch` messages; it calls its handler for each in turn and, while a handler runs, messages
 * handed to it wait in its `held` list until the handler returns (a re-entrant delivery never
 * overtakes the message being handled). That is smqp 11's observable behaviour; what smqp does with
 * a queue per consumer and an event exchange per queue is done here with a list, a counter and
 * direct calls to the broker.
 * @module smqp/lib/queue
 */

const { generateId, insertByPriority, SmqpError, codes, Listeners } = require('./shared.cjs');
const { Message, messageFields, kPending, kHolder } = require('./message.cjs');

class Queue {
  /**
   * @param {string | null | undefined} name a generated `smq.qname-…` when empty
   * @param {object} [options] `autoDelete` (default true), `durable`, `exclusive`, `maxLength`,
   *   `messageTtl`, `deadLetterExchange`, `deadLetterRoutingKey`, anything else kept as given
   * @param {import('./broker.cjs').Broker} [broker] the broker keeping the queue's books
   */
  constructor(name, options, broker) {
    if (name && typeof name !== 'string') throw new TypeError('Queue name must be a string');
    else if (!name) name = `smq.qname-${generateId()}`;
    this._name = name;
    this.options = { autoDelete: true, ...options };
    /** @type {Message[]} */
    this.messages = [];
    /** @type {Consumer[]} */
    this._consumers = [];
    this._stopped = false;
    /** Undelivered messages as smqp counts them (it does not count a message acked while the queue is stopped). */
    this._available = 0;
    this._exclusive = false;
    this._broker = broker || null;
    /** Bindings to this queue, closed when it is deleted (only for a queue of a broker, as in smqp). */
    this._bindings = [];
  }

  get name() {
    return this._name;
  }

  get consumerCount() {
    return this._consumers.length;
  }

  get consumers() {
    return this._consumers.slice();
  }

  get exclusive() {
    return this._exclusive;
  }

  get messageCount() {
    return this.messages.length;
  }

  get stopped() {
    return this._stopped;
  }

  /**
   * Queues a message and delivers what can be delivered. Every message that enters any queue, from
   * an exchange or directly, passes here (a requeued or recovered message does not: it re-enters).
   * @param {object} [fields] copied without `consumerTag`
   * @param {unknown} [content]
   * @param {object} [properties] copied, with `messageId`/`timestamp` added when missing
   * @returns {number | undefined} messages handed to consumers (undefined when the queue is stopped)
   */
  queueMessage(fields, content, properties) {
    if (fields && typeof fields !== 'object') throw new TypeError('fields must be an object');
    if (properties && typeof properties !== 'object') throw new TypeError('properties must be an object');
    if (this._stopped) return;

    const messageTtl = this.options.messageTtl;
    if (messageTtl && !(properties && 'expiration' in properties)) properties = { ...properties, expiration: messageTtl };
    const message = new Message(fields, content, properties, this);

    const capacity = 'maxLength' in this.options ? this.options.maxLength - this.messages.length : Infinity;
    this.messages.push(message);
    this._available++;

    if (capacity === 0 && this._evictFirst(message)) return 0;
    return this._consumeNext();
  }

  /** A full queue drops its oldest undelivered message (dead-lettered if configured). */
  _evictFirst(compareMessage) {
    const evict = this.get();
    if (!evict) return;
    evict.nack(false, false);
    return evict === compareMessage;
  }

  /** Hands waiting messages to ready consumers, in consumer order, until one finds none. */
  _consumeNext() {
    if (this._stopped || !this._available) return;
    const consumers = this._consumers;
    let consumed = 0;
    if (!consumers.length) return consumed;
    // index loop over the live list, as an array iterator would: a handler may cancel consumers
    for (let i = 0; i < consumers.length; i++) {
      const consumer = consumers[i];
      if (!consumer.ready) continue;
      const msgs = this._consumeMessages(consumer.capacity, consumer.options.consumerTag);
      if (!msgs.length) return consumed;
      consumer._push(msgs);
      consumed += msgs.length;
    }
    return consumed;
  }

  /**
   * @param {(routingKey: string, message: Message, owner: unknown) => void} onMessage
   * @param {object} [consumeOptions] `consumerTag`, `prefetch` (1), `priority` (0), `noAck`, `exclusive`
   * @param {unknown} [owner] passed to the handler
   */
  consume(onMessage, consumeOptions, owner) {
    const consumers = this._consumers;
    if (consumers.length) {
      if (this._exclusive) throw new SmqpError(`Queue ${this.name} is exclusively consumed by ${consumers[0].consumerTag}`, codes.ERR_EXCLUSIVE_CONFLICT);
      if (consumeOptions?.exclusive) throw new SmqpError(`Queue ${this.name} already has consumers and cannot be exclusively consumed`, codes.ERR_EXCLUSIVE_NOT_ALLOWED);
    }

    const consumer = new Consumer(this, onMessage, consumeOptions, owner);
    if (this._broker) this._broker._onConsume(consumer);

    insertByPriority(consumers, consumer);
    if (consumer.options.exclusive) this._exclusive = true;

    const pendingMessages = this._consumeMessages(consumer.capacity, consumer.options.consumerTag);
    if (pendingMessages.length) consumer._push(pendingMessages);
    return consumer;
  }

  /** The consumer with this handler (and tag/exclusivity when given), or a new one. */
  assertConsumer(onMessage, consumeOptions, owner) {
    const consumers = this._consumers;
    if (!consumers.length) return this.consume(onMessage, consumeOptions, owner);
    for (const consumer of consumers) {
      if (consumer.onMessage !== onMessage) continue;
      if (consumeOptions) {
        if (consumeOptions.consumerTag && consumeOptions.consumerTag !== consumer.consumerTag) continue;
        else if ('exclusive' in consumeOptions && consumeOptions.exclusive !== consumer.options.exclusive) continue;
      }
      return consumer;
    }
    return this.consume(onMessage, consumeOptions, owner);
  }

  /** The first undelivered message, now pending (or removed with `noAck`); false when none. */
  get(options) {
    const message = this._consumeMessages(1, options?.consumerTag)[0];
    if (!message) return false;
    if (options?.noAck) {
      this._dequeueMessage(message);
      message[kPending] = false;
    }
    return message;
  }

  /**
   * Marks up to `n` undelivered messages delivered to `consumerTag`, in queue order; expired ones
   * met on the way are dropped (dead-lettered if configured) afterwards.
   * @param {number} n @param {string | undefined} consumerTag
   * @returns {Message[]}
   */
  _consumeMessages(n, consumerTag) {
    const msgs = [];
    if (this._stopped || !this._available || !n) return msgs;
    const messages = this.messages;
    if (!messages.length) return msgs;

    let evict;
    for (const message of messages) {
      if (message[kPending]) continue;
      if (message.properties.expiration && message.properties.ttl < Date.now()) {
        (evict ||= []).push(message);
        continue;
      }
      message[kPending] = true;
      message.fields.consumerTag = consumerTag;
      message[kHolder] = null;
      this._available--;
      msgs.push(message);
      if (!--n) break;
    }

    if (evict) for (const expired of evict) this.nack(expired, false, false);
    return msgs;
  }

  /** Settles a message on the queue only (the consumer holding it is not told, as in smqp). */
  ack(message, allUpTo) {
    if (this._onMessageConsumed(message, 'ack', allUpTo, false)) message[kPending] = false;
  }

  nack(message, allUpTo, requeue = true) {
    if (this._onMessageConsumed(message, 'nack', allUpTo, requeue)) message[kPending] = false;
  }

  reject(message, requeue = true) {
    if (this._onMessageConsumed(message, 'nack', false, requeue)) message[kPending] = false;
  }

  /**
   * A message was acked or nacked: remove it (or put a redelivered copy in its place), deliver what
   * waits, then settle the pending messages before it when `allUpTo`.
   * @returns {boolean | undefined} false when the message is not in the queue, undefined when stopped
   */
  _onMessageConsumed(message, operation, allUpTo, requeue) {
    if (this._stopped) return;
    const msgIdx = this._dequeueMessage(message);
    if (msgIdx === -1) return false;

    const messages = this.messages;
    const pending = allUpTo && this._getPendingMessages(msgIdx);

    let deadLetterExchange;
    if (operation === 'nack') {
      if (requeue) {
        this._available++;
        messages.splice(msgIdx, 0, new Message({ ...message.fields, redelivered: true }, message.content, message.properties, this));
      } else {
        deadLetterExchange = this.options.deadLetterExchange;
      }
    }

    const pendingLength = pending && pending.length;
    if (!pendingLength) this._consumeNext();

    if (!requeue && message.properties.confirm && this._broker) {
      this._broker._emitEvent(`message.${operation}`, { ...message });
    }

    if (deadLetterExchange && this._broker) {
      const { expiration: _expiration, ...properties } = message.properties;
      const deadMessage = new Message(message.fields, message.content, properties);
      if (this.options.deadLetterRoutingKey) deadMessage.fields.routingKey = this.options.deadLetterRoutingKey;
      this._broker._deadLetter(deadLetterExchange, deadMessage);
    }

    if (pendingLength) {
      for (const msg of pending) msg[operation](false, requeue);
    }
    return true;
  }

  ackAll() {
    for (const msg of this._getPendingMessages()) msg.ack(false);
  }

  nackAll(requeue = true) {
    for (const msg of this._getPendingMessages()) msg.nack(false, requeue);
  }

  /** Pending messages before `untilIndex` (all when omitted), in queue order. */
  _getPendingMessages(untilIndex) {
    const messages = this.messages;
    const result = [];
    const until = untilIndex ?? messages.length;
    for (let i = 0; i < until; ++i) {
      if (messages[i][kPending]) result.push(messages[i]);
    }
    return result;
  }

  /** The first message, or with `ignoreDelivered` the first undelivered one. */
  peek(ignoreDelivered) {
    const message = this.messages[0];
    if (!message) return;
    if (!ignoreDelivered || !message[kPending]) return message;
    for (const msg of this.messages) {
      if (!msg[kPending]) return msg;
    }
  }

  /** Cancels the consumer with this tag (its messages requeued unless `requeue` is false). */
  cancel(consumerTag, requeue) {
    const consumer = this._consumers.find((c) => c.consumerTag === consumerTag);
    if (!consumer) return false;
    this.unbindConsumer(consumer, requeue);
    return true;
  }

  /** Cancels the first consumer with this handler. */
  dismiss(onMessage, requeue) {
    const consumer = this._consumers.find((c) => c.onMessage === onMessage);
    if (!consumer) return;
    this.unbindConsumer(consumer, requeue);
  }

  /** Removes a consumer, nacks what it holds, and deletes an auto-delete queue left without consumers. */
  unbindConsumer(consumer, requeue = true) {
    const consumers = this._consumers;
    const idx = consumers.indexOf(consumer);
    if (idx === -1) return;
    consumers.splice(idx, 1);
    this._exclusive = false;

    consumer.stop();
    consumer.nackAll(requeue);
    this._consumerGone(consumer);

    if (!consumers.length && this.options.autoDelete) this._deleted();
  }

  /** Book-keeping after a consumer left: the broker forgets it, then its cancel listeners run. */
  _consumerGone(consumer) {
    if (this._broker) this._broker._onConsumerCancel(consumer);
    if (consumer._cancelListeners) consumer._cancelListeners.emit(consumer);
  }

  /** Book-keeping after deletion: the broker forgets the queue, then its bindings close. */
  _deleted() {
    if (!this._broker) return;
    this._broker._onQueueDelete(this);
    for (const binding of this._bindings.slice()) binding.exchange.unbindQueue(this, binding.pattern);
  }

  /** Removes the undelivered messages; returns how many. */
  purge() {
    const messages = this.messages;
    let kept = 0;
    for (let i = 0; i < messages.length; i++) {
      if (messages[i][kPending]) messages[kept++] = messages[i];
    }
    const removed = messages.length - kept;
    messages.length = kept;
    this._available = 0;
    return removed;
  }

  _dequeueMessage(message) {
    const messages = this.messages;
    const msgIdx = messages.indexOf(message);
    if (msgIdx === -1) return msgIdx;
    messages.splice(msgIdx, 1);
    return msgIdx;
  }

  /** `{ name, options, messages? }`, messages as JSON would write them (smqp 11's shape). */
  getState() {
    const msgs = this.messages;
    const state = { name: this.name, options: { ...this.options } };
    if (msgs.length) {
      try {
        state.messages = JSON.parse(JSON.stringify(msgs));
      } catch (err) {
        err.code = 'EQUEUE_STATE';
        err.queue = this.name;
        throw err;
      }
    }
    return state;
  }

  /**
   * Without state: resumes a stopped queue and its consumers. With state: replaces the messages by
   * the state's (except `persistent: false` ones), each flagged `redelivered`, and delivers them when
   * the queue has consumers.
   */
  recover(state) {
    this._stopped = false;
    const consumers = this._consumers;
    if (!state) {
      for (const c of consumers.slice()) c.recover();
      this._consumeNext();
      return this;
    }

    this.messages.splice(0);
    let continueConsume;
    if (consumers.length) {
      for (const c of consumers) c.nackAll(false);
      continueConsume = true;
    }
    if (!state.messages) return this;

    for (const { fields, content, properties } of state.messages) {
      if (properties?.persistent === false) continue;
      this.messages.push(new Message({ ...fields, redelivered: true }, content, properties, this));
    }
    this._available = this.messages.length;
    for (const c of consumers) c.recover();
    if (continueConsume) this._consumeNext();
    return this;
  }

  /** Deletes the queue (not when `ifUnused` and consumed, or `ifEmpty` and holding messages). */
  delete(options) {
    const consumers = this._consumers;
    if (options?.ifUnused && consumers.length) return;
    const messages = this.messages;
    if (options?.ifEmpty && messages.length) return;

    this._stopped = true;
    const messageCount = messages.length;
    for (const consumer of consumers.splice(0)) this._consumerGone(consumer);
    messages.splice(0);
    this._deleted();
    return { messageCount };
  }

  /** Cancels every consumer (their messages requeued). */
  close() {
    for (const consumer of this._consumers.slice()) this.unbindConsumer(consumer);
  }

  stop() {
    this._stopped = true;
    for (const consumer of this._consumers.slice()) consumer.stop();
  }
}

class Consumer {
  /**
   * @param {Queue} queue
   * @param {(routingKey: string, message: Message, owner: unknown) => void} onMessage
   * @param {object} [options]
   * @param {unknown} [owner]
   */
  constructor(queue, onMessage, options, owner) {
    if (typeof onMessage !== 'function') throw new TypeError('message callback is required and must be a function');
    this.options = { prefetch: 1, priority: 0, noAck: false, ...options };
    const consumerTag = this.options.consumerTag;
    if (!consumerTag) this.options.consumerTag = `smq.ctag-${generateId()}`;
    else if (typeof consumerTag !== 'string') throw new TypeError('consumerTag must be a string');

    this.queue = queue;
    this.onMessage = onMessage;
    this.owner = owner;
    this._tag = this.options.consumerTag;
    /**
     * Messages taken from the queue and not yet settled, in the order taken: the first `_handed`
     * went to the handler, the rest wait for the running handler to return.
     * @type {Message[]}
     */
    this._held = [];
    this._handed = 0;
    /** smqp's readiness flag: cleared when the consumer fills up, set when it empties or has room for exactly one. */
    this._isReady = true;
    this._stopped = false;
    this._consuming = false;
    /** @type {Listeners | null} */
    this._cancelListeners = null;
  }

  get consumerTag() {
    return this._tag;
  }

  get ready() {
    return this._isReady && !this._stopped;
  }

  get stopped() {
    return this._stopped;
  }

  get capacity() {
    return this.options.prefetch - this._held.length;
  }

  get messageCount() {
    return this._held.length;
  }

  get queueName() {
    return this.queue.name;
  }

  /** Takes messages and, unless a handler of this consumer is running, hands them over in turn. */
  _push(messages) {
    const held = this._held;
    for (const message of messages) {
      if (this.options.prefetch - held.length === 1) this._isReady = false;
      held.push(message);
    }
    if (this._consuming) return;
    this._consuming = true;
    try {
      this._consume();
    } finally {
      this._consuming = false;
    }
  }

  _consume() {
    const held = this._held;
    while (this._handed < held.length) {
      const message = held[this._handed++];
      message[kPending] = true;
      message.fields.consumerTag = this._tag;
      message[kHolder] = this;
      if (this.options.noAck) message.ack();
      this.onMessage(message.fields.routingKey, message, this.owner);
      if (this._stopped) break;
    }
  }

  /** The message was settled: it leaves the held list, which may make the consumer ready again. */
  _release(message) {
    const held = this._held;
    const idx = held.indexOf(message);
    if (idx === -1) return;
    held.splice(idx, 1);
    if (idx < this._handed) this._handed--;
    if (!held.length || this.options.prefetch - held.length === 1) this._isReady = true;
  }

  nackAll(requeue) {
    for (const message of this._held.slice()) message.nack(false, requeue);
  }

  ackAll() {
    for (const message of this._held.slice()) message.ack(false);
  }

  /** Stops and removes the consumer; with `requeue` false its messages are dropped first. */
  cancel(requeue = true) {
    this.stop();
    if (!requeue) this.nackAll(requeue);
    this.queue.unbindConsumer(this);
  }

  prefetch(value) {
    this.options.prefetch = value;
  }

  /**
   * Only `cancel` is raised on a consumer (the shovel uses it); returns a handle with `cancel()`.
   * @param {'cancel'} eventName @param {(consumer: Consumer) => void} handler
   */
  on(eventName, handler) {
    if (eventName !== 'cancel') throw new TypeError(`consumer event ${eventName} is not supported`);
    return (this._cancelListeners ||= new Listeners()).add(handler);
  }

  recover() {
    this._stopped = false;
  }

  stop() {
    this._stopped = true;
  }
}

module.exports = { Queue, Consumer, messageFields };
