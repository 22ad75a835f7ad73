'use strict';

/**
 * A shovel: a consumer on a source exchange (a temporary queue, or a named one) that publishes what
 * it receives to a destination exchange, possibly of another broker. Closed when it is closed, when
 * either exchange is deleted, or when its consumer is cancelled.
 * @module smqp/lib/shovel
 */

const { SmqpError, codes } = require('./shared.cjs');

/**
 * @param {string} name
 * @param {{ broker: import('./broker.cjs').Broker, exchange: string, pattern?: string, queue?: string, priority?: number, consumerTag?: string }} source
 * @param {{ broker: import('./broker.cjs').Broker, exchange: string, exchangeKey?: string, publishProperties?: object }} destination
 * @param {{ cloneMessage?: (message: { fields: object, content: unknown, properties: object }) => { content?: unknown, properties?: object } }} [options]
 */
function Shovel(name, source, destination, options) {
  if (!name || typeof name !== 'string') throw new TypeError('Shovel name is required and must be a string');

  const { broker: sourceBroker, exchange: sourceExchangeName, pattern, queue, priority } = source;
  const { broker: destinationBroker, exchange: destinationExchangeName } = destination;

  const sourceExchange = sourceBroker.getExchange(sourceExchangeName);
  if (!sourceExchange) {
    throw new SmqpError(`shovel ${name} source exchange <${sourceExchangeName}> not found`, codes.ERR_SHOVEL_SOURCE_EXCHANGE_NOT_FOUND);
  }
  const destinationExchange = destinationBroker.getExchange(destinationExchangeName);
  if (!destinationExchange) {
    throw new SmqpError(`shovel ${name} destination exchange <${destinationExchangeName}> not found`, codes.ERR_SHOVEL_DESTINATION_EXCHANGE_NOT_FOUND);
  }
  if (!(this instanceof Shovel)) return new Shovel(name, source, destination, options);

  const routingKeyPattern = pattern || '#';
  this._name = name;
  this._internal = sourceBroker === destinationBroker;
  this.source = { ...source, pattern: routingKeyPattern };
  this.destination = { ...destination };
  const consumerTag = (this._consumerTag = source.consumerTag || `smq.shoveltag-${name}`);
  this._closed = false;
  this._sourceBroker = sourceBroker;
  this._sourceExchange = sourceExchange;
  this._destinationExchange = destinationExchange;
  this._cloneMessage = options?.cloneMessage;
  /** Called by the broker that keeps the shovel when it closes. */
  this._onClose = null;

  const close = () => this.close();
  this._handles = [sourceExchange.on('delete', close), destinationExchange.on('delete', close)];

  const onMessage = (routingKey, message) => this._onShovelMessage(routingKey, message);
  let consumer;
  if (queue) {
    consumer = sourceBroker.subscribe(sourceExchangeName, routingKeyPattern, queue, onMessage, { consumerTag, priority });
  } else {
    consumer = sourceBroker.subscribeTmp(sourceExchangeName, routingKeyPattern, onMessage, { consumerTag, priority });
    this.source.queue = consumer.queue.name;
  }
  this._handles.push(consumer.on('cancel', close));
}

Object.defineProperties(Shovel.prototype, {
  name: {
    get() {
      return this._name;
    },
  },
  closed: {
    get() {
      return this._closed;
    },
  },
  consumerTag: {
    get() {
      return this._consumerTag;
    },
  },
});

Shovel.prototype.close = function close() {
  if (this._closed) return;
  this._closed = true;
  for (const handle of this._handles) handle.cancel();
  this._handles.length = 0;
  if (this._onClose) this._onClose(this);
  this._sourceBroker.cancel(this._consumerTag);
};

Shovel.prototype._messageHandler = function messageHandler(message) {
  const cloneMessage = this._cloneMessage;
  if (!cloneMessage) return message;
  const { fields, content, properties } = message;
  const { content: newContent, properties: newProperties } = cloneMessage({ fields: { ...fields }, content, properties: { ...properties } });
  return { fields, content: newContent, properties: { ...properties, ...newProperties } };
};

Shovel.prototype._onShovelMessage = function onShovelMessage(routingKey, message) {
  const destinationExchange = this._destinationExchange;
  if (!destinationExchange.bindingCount && !message.properties.mandatory) return message.ack();
  const { content, properties } = this._messageHandler(message);
  const props = { ...properties, ...this.destination.publishProperties, 'source-exchange': this._sourceExchange.name };
  if (!this._internal) props['shovel-name'] = this._name;
  destinationExchange.publish(this.destination.exchangeKey || routingKey, content, props);
  message.ack();
};

module.exports = { Shovel };
