'use strict';

/**
 * A lean synchronous in-process message broker with smqp 11's public API and observable delivery
 * semantics (see README.md): what bpmn-elements, bpmn-engine and this project use of smqp.
 * @module smqp
 */

const { Broker } = require('./lib/broker.cjs');
const { Queue, Consumer } = require('./lib/queue.cjs');
const { Exchange } = require('./lib/exchange.cjs');
const { Message } = require('./lib/message.cjs');
const { Shovel } = require('./lib/shovel.cjs');
const { getRoutingKeyPattern, SmqpError, codes } = require('./lib/shared.cjs');

module.exports = {
  Broker,
  default: Broker,
  Queue,
  Consumer,
  Exchange,
  Message,
  Shovel,
  SmqpError,
  getRoutingKeyPattern,
  ...codes,
};
Object.defineProperty(module.exports, '__esModule', { value: true });
