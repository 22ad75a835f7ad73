'use strict';

/**
 * Exchanges and bindings.
 *
 * An exchange routes a message in the publishing call. A message published while the exchange is
 * already routing one (a handler publishing again) waits in `_undelivered` and is routed when the
 * current one has reached every bound queue: the order smqp 11 gets from its delivery queue and
 * consumer, without them. A topic exchange copies the message to every binding whose pattern
 * matches (bindings as they were when routing started), a direct exchange to the first matching
 * binding, which then moves to the end of the list (round robin). A message no binding takes is
 * returned through the broker's `return` event when published `mandatory`.
 * @module smqp/lib/exchange
 */

const { compiledPattern, generateId, insertByPriority, Listeners } = require('./shared.cjs');
const { Message } = require('./message.cjs');

/** The name and consumer tag smqp 11 gives an exchange's delivery queue, as its state shows them. */
const DELIVERY_QUEUE = 'delivery-q';
const DELIVERY_TAG = '_exchange-tag';

class Exchange {
  /**
   * @param {string} name
   * @param {'topic' | 'direct'} [type] default topic
   * @param {object} [options] `durable` (default true), `autoDelete` (default true: deleted when its last binding goes)
   * @param {import('./broker.cjs').Broker} [broker]
   */
  constructor(name, type = 'topic', options, broker) {
    if (!name || typeof name !== 'string') throw new TypeError('Exchange name is required and must be a string');
    if (type !== 'topic' && type !== 'direct') throw new TypeError('Exchange type must be one of topic or direct');
    this._name = name;
    this._type = type;
    this.options = { durable: true, autoDelete: true, ...options };
    /** @type {Binding[]} replaced by a copy (never changed in place) while a topic routing walks it */
    this._bindings = [];
    this._walking = 0;
    this._stopped = false;
    this._closed = false;
    /** Messages published while routing, `{ routingKey, content, properties, timestamp }`, oldest first. */
    this._undelivered = [];
    this._routing = false;
    this._broker = broker || null;
    /** @type {Listeners | null} */
    this._deleteListeners = null;
  }

  get name() {
    return this._name;
  }

  get type() {
    return this._type;
  }

  get bindingCount() {
    return this._bindings.length;
  }

  get bindings() {
    return this._bindings.slice();
  }

  get stopped() {
    return this._stopped;
  }

  /** Messages published during a routing and not routed yet. */
  get undeliveredCount() {
    return this._undelivered.length;
  }

  /**
   * @param {string} routingKey
   * @param {unknown} [content]
   * @param {object} [properties] `mandatory`: return the message when no binding takes it
   */
  publish(routingKey, content, properties) {
    if (this._stopped) return;
    if (!this._bindings.length) return this._emitReturn(routingKey, content, properties);
    if (this._closed) {
      // a closed (deleted) exchange still reachable, e.g. by a shovel, keeps what it gets until recovered
      this._undelivered.push({ routingKey, content, properties, timestamp: Date.now() });
      return 0;
    }
    if (this._routing || this._undelivered.length) {
      this._undelivered.push({ routingKey, content, properties, timestamp: Date.now() });
      if (this._routing) return 0;
      return this._drain();
    }
    this._routing = true;
    try {
      this._route(routingKey, content, properties);
      if (this._undelivered.length) this._drainQueued();
    } finally {
      this._routing = false;
    }
    return 1;
  }

  _drain() {
    this._routing = true;
    try {
      this._drainQueued();
    } finally {
      this._routing = false;
    }
    return 1;
  }

  _drainQueued() {
    const undelivered = this._undelivered;
    while (undelivered.length && !this._closed) {
      const next = undelivered.shift();
      this._route(next.routingKey, next.content, next.properties);
    }
  }

  _route(routingKey, content, properties) {
    // one id and timestamp per publish: every queue's copy gets its own fields and properties objects
    const publishProperties = { ...properties };
    if (!publishProperties.messageId) publishProperties.messageId = `smq.mid-${generateId()}`;
    if (!publishProperties.timestamp) publishProperties.timestamp = Date.now();
    const fields = { routingKey, exchange: this._name };

    if (this._type === 'topic') {
      const bindings = this._bindings;
      let delivered = 0;
      this._walking++;
      try {
        for (let i = 0; i < bindings.length; i++) {
          const binding = bindings[i];
          if (!binding._pattern.test(routingKey)) continue;
          binding.queue.queueMessage(fields, content, publishProperties);
          ++delivered;
        }
      } finally {
        this._walking--;
      }
      if (!delivered) this._emitReturn(routingKey, content, properties);
      return;
    }

    const bindings = this._bindings;
    let target;
    for (const binding of bindings) {
      if (binding._pattern.test(routingKey)) {
        target = binding;
        break;
      }
    }
    if (!target) return this._emitReturn(routingKey, content, properties);
    if (bindings.length > 1) {
      const list = this._writableBindings();
      list.splice(list.indexOf(target), 1);
      list.push(target);
    }
    target.queue.queueMessage(fields, content, publishProperties);
  }

  /** The bindings list, copied first when a topic routing is walking the current one. */
  _writableBindings() {
    if (this._walking) this._bindings = this._bindings.slice();
    return this._bindings;
  }

  _emitReturn(routingKey, content, properties) {
    if (!properties || !this._broker) return;
    if (properties.confirm) {
      this._broker._emitEvent('message.undelivered', new Message({ routingKey, exchange: this._name }, content, properties));
    }
    if (properties.mandatory) {
      this._broker._emitEvent('return', new Message({ routingKey, exchange: this._name }, content, properties));
    }
  }

  /** Binds a queue (the existing binding when queue and pattern are already bound). */
  bindQueue(queue, pattern, bindOptions) {
    for (const binding of this._bindings) {
      if (binding.queue === queue && binding.pattern === pattern) return binding;
    }
    const binding = new Binding(this, queue, pattern, bindOptions);
    insertByPriority(this._writableBindings(), binding);
    if (queue._broker) queue._bindings.push(binding);
    return binding;
  }

  unbindQueue(queue, pattern) {
    for (const binding of this._bindings) {
      if (binding.queue === queue && binding.pattern === pattern) return this.closeBinding(binding);
    }
  }

  unbindQueueByName(queueName) {
    for (const binding of this._bindings) {
      if (binding.queue.name === queueName) this.closeBinding(binding);
    }
  }

  /** Removes a binding; an auto-delete exchange left without bindings is deleted. */
  closeBinding(binding) {
    const idx = this._bindings.indexOf(binding);
    if (idx === -1) return;
    this._writableBindings().splice(idx, 1);
    const queueBindings = binding.queue._bindings;
    const qidx = queueBindings.indexOf(binding);
    if (qidx !== -1) queueBindings.splice(qidx, 1);
    if (!this._bindings.length && this.options.autoDelete) this._deleted();
  }

  _deleted() {
    if (this._broker) this._broker._onExchangeDelete(this);
    if (this._deleteListeners) this._deleteListeners.emit(this);
  }

  /**
   * Closes the bindings and stops routing. Like smqp 11 it walks the live list while closing, so
   * every other binding stays (observable only on a deleted exchange).
   */
  close() {
    for (let i = 0; i < this._bindings.length; i++) this._bindings[i].close();
    this._closed = true;
  }

  /** `{ name, type, options, deliveryQueue?, bindings? }`: bindings of durable queues, undelivered messages in smqp 11's delivery queue shape. */
  getState() {
    const bindingsState = [];
    for (const binding of this._bindings) {
      if (!binding.queue.options.durable) continue;
      bindingsState.push(binding.getState());
    }
    return {
      name: this._name,
      type: this._type,
      options: { ...this.options },
      ...(this._undelivered.length && { deliveryQueue: this._deliveryQueueState() }),
      ...(bindingsState.length && { bindings: bindingsState }),
    };
  }

  _deliveryQueueState() {
    const messages = this._undelivered.map((entry, i) => ({
      // smqp's delivery consumer has taken the first waiting message while it routes the current one
      fields: i === 0 && this._routing ? { routingKey: entry.routingKey, consumerTag: DELIVERY_TAG } : { routingKey: entry.routingKey },
      content: { content: entry.content, properties: entry.properties },
      properties: { messageId: entry.messageId || (entry.messageId = `smq.mid-${generateId()}`), timestamp: entry.timestamp },
    }));
    const state = { name: DELIVERY_QUEUE, options: { autoDelete: false } };
    try {
      state.messages = JSON.parse(JSON.stringify(messages));
    } catch (err) {
      err.code = 'EQUEUE_STATE';
      err.queue = DELIVERY_QUEUE;
      throw err;
    }
    return state;
  }

  stop() {
    this._stopped = true;
  }

  /**
   * Resumes publishing; with state, also restores the bindings (stopping at a missing queue, as smqp
   * does), reopens a closed exchange and routes the messages held undelivered (the state's, if any).
   * @param {object} [state] @param {(name: string) => import('./queue.cjs').Queue | undefined} [getQueue]
   */
  recover(state, getQueue) {
    this._stopped = false;
    // without state smqp only lifts the stop: a closed exchange stays closed, its undelivered stay
    if (!state) return this;
    if (state.bindings) {
      for (const bindingState of state.bindings) {
        const queue = getQueue(bindingState.queueName);
        if (!queue) return;
        this.bindQueue(queue, bindingState.pattern, bindingState.options);
      }
    }
    this._closed = false;
    if (state.deliveryQueue) {
      this._undelivered.length = 0;
      for (const { fields, content, properties } of state.deliveryQueue.messages || []) {
        if (properties?.persistent === false) continue;
        this._undelivered.push({
          routingKey: fields?.routingKey,
          content: content?.content,
          properties: content?.properties,
          timestamp: properties?.timestamp || Date.now(),
          messageId: properties?.messageId,
        });
      }
    }
    if (this._undelivered.length && !this._routing) this._drain();
    return this;
  }

  getBinding(queueName, pattern) {
    for (const binding of this._bindings) {
      if (binding.queue.name === queueName && binding.pattern === pattern) return binding;
    }
  }

  /**
   * Only `delete` is raised on an exchange here (the shovel uses it); returns a handle with `cancel()`.
   * @param {'delete'} eventName @param {(exchange: Exchange) => void} handler
   */
  on(eventName, handler) {
    if (eventName !== 'delete') throw new TypeError(`exchange event ${eventName} is not supported`);
    return (this._deleteListeners ||= new Listeners()).add(handler);
  }
}

class Binding {
  constructor(exchange, queue, pattern, bindOptions) {
    this.id = `${queue.name}/${pattern}`;
    this.options = { priority: 0, ...bindOptions };
    this.pattern = pattern;
    this.exchange = exchange;
    this.queue = queue;
    this._pattern = compiledPattern(pattern);
  }

  testPattern(routingKey) {
    return this._pattern.test(routingKey);
  }

  close() {
    this.exchange.unbindQueue(this.queue, this.pattern);
  }

  getState() {
    return { id: this.id, options: { ...this.options }, queueName: this.queue.name, pattern: this.pattern };
  }
}

module.exports = { Exchange, Binding };
