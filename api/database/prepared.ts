import { createHash } from 'node:crypto';

/** Distinct statement texts given a name; beyond this, statements are sent unnamed (parsed and planned each time). */
const MAX_NAMED = 128;
const names = new Map<string, string>();

/**
 * `text` as a statement the PostgreSQL session prepares once under a name derived from the text,
 * then only binds and executes: the per-command statements (the lock-and-read of an instance, the
 * batched write) are large, and parsing and planning them cost PostgreSQL about as much CPU as
 * running them (measured: the task lock 1.8 → 0.8 ms, the batched write 1.3-2.4 ms of parse and
 * plan per command). node-pg keeps one prepared statement per name and connection
 * (`parsedStatements`); a failed parse is retried on the next use.
 *
 * The value is an object carrying `{ name, text }` (see statement()), which node-pg reads as a query config
 * (a plain string is `{ text }`) and every string operation of the query wrappers reads as `text`
 * (TypeORM passes it through). Each connection must have its own namespace of statement names:
 * PostgreSQL's sessions do, and so do the connections of the embedded PGlite's one session
 * (PgliteProtocolServer prefixes their names and closes them when the connection goes).
 */
export function prepared(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    if (names.size >= MAX_NAMED) return text;
    name = `p_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    names.set(text, name);
  }
  return statement(name, text);
}

/**
 * `{ name, text }` that string operations read as `text`: String.prototype's methods are generic
 * (they read `this` through toString). Not a String object: node-pg copies a query config's own
 * properties on every query (utils.cloneQueryConfig), and a String object has one per character
 * (measured: 11 % of a worker's CPU on the incident flow's 5-10 KB statements).
 */
function statement(name: string, text: string): string {
  const value = Object.create(String.prototype, {
    name: { value: name, enumerable: true },
    text: { value: text, enumerable: true },
    length: { value: text.length },
    toString: { value: () => text },
    valueOf: { value: () => text },
    [Symbol.toPrimitive]: { value: () => text },
  });
  return value as string;
}
