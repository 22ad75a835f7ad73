'use strict';

/**
 * A message in a queue, as handlers see it: `fields`, `content`, `properties` (the only enumerable
 * string-keyed members, so JSON and the queue state write exactly those three) and ack/nack/reject.
 * @module smqp/lib/message
 */

const { generateId } = require('./shared.cjs');

const kPending = Symbol.for('pending');
/** The queue the message is in (settling it calls back there); absent for a message outside queues. */
const kQueue = Symbol('queue');
/** The consumer the message was handed to, released first when the message is settled. */
const kHolder = Symbol('holder');

/**
 * Fresh message properties: a copy of `properties` with a `messageId` and a `timestamp` (kept when
 * given) and, when it has an `expiration`, its `ttl` (timestamp + expiration, in ms).
 * @param {Record<string, unknown> | undefined} properties
 */
function messageProperties(properties) {
  const props = { ...properties };
  if (!props.messageId) props.messageId = `smq.mid-${generateId()}`;
  const timestamp = (props.timestamp = props.timestamp || Date.now());
  if (props.expiration) props.ttl = timestamp + parseInt(props.expiration);
  return props;
}

/**
 * A copy of message fields without `consumerTag` (a queue sets its own when it delivers).
 * @param {Record<string, unknown> | undefined | null} fields
 */
function messageFields(fields) {
  if (!fields) return {};
  if (!('consumerTag' in fields)) return { ...fields };
  const copy = {};
  for (const key of Object.keys(fields)) if (key !== 'consumerTag') copy[key] = fields[key];
  return copy;
}

class Message {
  /**
   * @param {object} fields copied without `consumerTag`
   * @param {unknown} content
   * @param {object} [properties] copied, with `messageId` and `timestamp` added when missing
   * @param {import('./queue.cjs').Queue} [queue] the queue the message is in
   */
  constructor(fields, content, properties, queue) {
    this.fields = messageFields(fields);
    this.content = content;
    this.properties = messageProperties(properties);
    this[kPending] = false;
    this[kQueue] = queue;
    this[kHolder] = null;
  }

  /** Delivered (to a consumer or by `get`) and not yet acked, nacked or rejected. */
  get pending() {
    return this[kPending];
  }

  /** @param {boolean} [allUpTo] also ack every pending message before this one in its queue */
  ack(allUpTo) {
    if (!this[kPending]) return;
    settle(this, 'ack', allUpTo, undefined);
    this[kPending] = false;
  }

  /**
   * @param {boolean} [allUpTo] also nack every pending message before this one in its queue
   * @param {boolean} [requeue] put the message back where it was, flagged `redelivered` (default true)
   */
  nack(allUpTo, requeue = true) {
    if (!this[kPending]) return;
    settle(this, 'nack', allUpTo, requeue);
    this[kPending] = false;
  }

  /** @param {boolean} [requeue] default true */
  reject(requeue = true) {
    this.nack(false, requeue);
  }
}

/**
 * The consumer holding the message lets it go first (so it may take the next one), then the queue
 * removes, requeues or dead-letters it and delivers what is waiting.
 * @param {Message} message @param {'ack' | 'nack'} operation @param {boolean | undefined} allUpTo @param {boolean | undefined} requeue
 */
function settle(message, operation, allUpTo, requeue) {
  const holder = message[kHolder];
  if (holder) {
    message[kHolder] = null;
    holder._release(message);
  }
  const queue = message[kQueue];
  if (queue) queue._onMessageConsumed(message, operation, allUpTo, requeue);
}

module.exports = { Message, messageProperties, messageFields, kPending, kQueue, kHolder };
