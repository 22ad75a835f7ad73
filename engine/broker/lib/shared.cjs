'use strict';

/**
 * Identifiers, routing key patterns and errors shared by the broker's parts.
 * @module smqp/lib/shared
 */

/**
 * A per-process random prefix and a counter: names and ids are unique within the process and,
 * through the prefix, practically unique against names recovered from another process's state
 * (a durable queue without a name keeps its generated name in the state).
 */
const PREFIX = Math.random().toString(16).substring(2, 8);
let counter = 0;

/** @returns {string} a new identifier: 6 random hex digits and a base-36 counter */
function generateId() {
  return PREFIX + (++counter).toString(36);
}

/** Patterns are compiled once per distinct string; the cache is cleared when it grows large. */
const patternCache = new Map();
const PATTERN_CACHE_LIMIT = 2000;

/** Matches one routing key exactly. */
class DirectRoutingKeyPattern {
  /** @param {string} pattern */
  constructor(pattern) {
    this._match = pattern;
  }

  /** @param {string} routingKey */
  test(routingKey) {
    return this._match === routingKey;
  }
}

/** Matches routing keys starting with the pattern before its single trailing `#`. */
class PrefixRoutingKeyPattern {
  /** @param {string} pattern a pattern ending with its only `#` and without `*` */
  constructor(pattern) {
    this._prefix = pattern.slice(0, -1);
  }

  /** @param {string} routingKey */
  test(routingKey) {
    return routingKey.startsWith(this._prefix);
  }
}

/**
 * Compiles a topic pattern: `*` matches one or more characters up to the next dot (at least one),
 * `#` matches any characters (none included), everything else literally, whole key anchored.
 * A pattern without wildcards compares strings, a pattern whose only wildcard is a trailing `#`
 * compares the prefix (so `run.#` matches `run.` and `run.x`, but not `run`), like smqp 11.
 * @param {string} pattern
 * @returns {{ test(routingKey: string): boolean }}
 */
function getRoutingKeyPattern(pattern) {
  const hash = pattern.indexOf('#');
  const star = pattern.indexOf('*');
  if (hash === -1 && star === -1) return new DirectRoutingKeyPattern(pattern);
  if (hash === pattern.length - 1 && star === -1) return new PrefixRoutingKeyPattern(pattern);
  let source = '^';
  for (const ch of pattern) {
    if (ch === '*') source += '[^.]+?';
    else if (ch === '#') source += '.*?';
    else if (ch === '.') source += '\\.';
    else source += ch;
  }
  return new RegExp(source + '$');
}

/**
 * {@link getRoutingKeyPattern}, shared between bindings with the same pattern (a compiled pattern
 * holds no state).
 * @param {string} pattern
 */
function compiledPattern(pattern) {
  let compiled = patternCache.get(pattern);
  if (!compiled) {
    if (patternCache.size >= PATTERN_CACHE_LIMIT) patternCache.clear();
    patternCache.set(pattern, (compiled = getRoutingKeyPattern(pattern)));
  }
  return compiled;
}

/**
 * Inserts `item` into `list` kept in the order smqp keeps bindings and consumers: appended, and the
 * whole list stably re-sorted by descending priority only when the new item has a priority (so an
 * item without priority goes last even after items with a negative one, as in smqp).
 * @template {{ options: { priority?: number } }} T
 * @param {T[]} list
 * @param {T} item
 */
function insertByPriority(list, item) {
  if (list.push(item) > 1 && item.options.priority) list.sort(byPriority);
}

/** @param {{ options: { priority?: number } }} a @param {{ options: { priority?: number } }} b */
function byPriority(a, b) {
  return (b.options.priority || 0) - (a.options.priority || 0);
}

/** An error with a machine-readable code, as smqp throws them. */
class SmqpError extends Error {
  /** @param {string} message @param {string} code */
  constructor(message, code) {
    super(message);
    this.type = this.name = this.constructor.name;
    this.code = code;
  }
}

const codes = {
  ERR_CONSUMER_TAG_CONFLICT: 'ERR_SMQP_CONSUMER_TAG_CONFLICT',
  ERR_EXCHANGE_TYPE_MISMATCH: 'ERR_SMQP_EXCHANGE_TYPE_MISMATCH',
  ERR_EXCLUSIVE_CONFLICT: 'ERR_SMQP_EXCLUSIVE_CONFLICT',
  ERR_EXCLUSIVE_NOT_ALLOWED: 'ERR_SMQP_EXCLUSIVE_NOT_ALLOWED',
  ERR_QUEUE_DURABLE_MISMATCH: 'ERR_SMQP_QUEUE_DURABLE_MISMATCH',
  ERR_QUEUE_NAME_CONFLICT: 'ERR_SMQP_QUEUE_NAME_CONFLICT',
  ERR_QUEUE_NOT_FOUND: 'ERR_SMQP_QUEUE_NOT_FOUND',
  ERR_SHOVEL_DESTINATION_EXCHANGE_NOT_FOUND: 'ERR_SMQP_SHOVEL_DESTINATION_EXCHANGE_NOT_FOUND',
  ERR_SHOVEL_NAME_CONFLICT: 'ERR_SMQP_SHOVEL_NAME_CONFLICT',
  ERR_SHOVEL_SOURCE_EXCHANGE_NOT_FOUND: 'ERR_SMQP_SHOVEL_SOURCE_EXCHANGE_NOT_FOUND',
};

/**
 * A small list of listeners for the few internal events that have them (an exchange's deletion, a
 * consumer's cancellation: what shovels watch). Each registration returns a handle to cancel it.
 */
class Listeners {
  constructor() {
    /** @type {Array<(arg: unknown) => void>} */
    this.list = [];
  }

  /** @param {(arg: unknown) => void} fn */
  add(fn) {
    this.list.push(fn);
    const list = this.list;
    return {
      cancel() {
        const idx = list.indexOf(fn);
        if (idx !== -1) list.splice(idx, 1);
      },
    };
  }

  /** Calls every listener registered before the call, in registration order. @param {unknown} arg */
  emit(arg) {
    if (!this.list.length) return;
    for (const fn of this.list.slice()) fn(arg);
  }
}

module.exports = { generateId, getRoutingKeyPattern, compiledPattern, insertByPriority, byPriority, SmqpError, codes, Listeners };
