/**
 * The part of a FEEL context an expression can read.
 *
 * feelin parses an expression against its context (FEEL names may contain spaces and operators:
 * the parser needs the context's names to tell `a + b` from a variable named "a + b"), so every
 * evaluation indexes every top-level name of the context (each name with all of its character
 * prefixes), and a name the context lacks is looked up by comparing it with every key. The cost
 * of one evaluation grows with the number and length of the variables, used or not: a decision
 * table's cells and a gateway's conditions each paid for all of the process variables.
 *
 * A top-level entry whose name starts with an identifier that does not occur in the expression's
 * text cannot change how it parses nor what it reads: the parser only matches names made of
 * the expression's own tokens, feelin's lookups only compare such names, and every name begins
 * with the identifier written first. Those entries are left out; anything else (names that start
 * otherwise, such as `?`, the input of unary tests) is kept.
 */

const LEADING_IDENTIFIER = /^\s*([A-Za-z_][A-Za-z0-9_]*)/;

/** `context` without the top-level entries `source` cannot reference (the same object when it keeps them all). */
export function feelContextFor(source: string, context: Record<string, unknown>): Record<string, unknown> {
  let narrowed: Record<string, unknown> | null = null;
  const keys = Object.keys(context);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const leading = LEADING_IDENTIFIER.exec(key)?.[1];
    const readable = leading === undefined || source.includes(leading);
    if (readable) {
      if (narrowed) put(narrowed, key, context[key]);
    } else if (!narrowed) {
      narrowed = {};
      for (let j = 0; j < i; j++) put(narrowed, keys[j]!, context[keys[j]!]);
    }
  }
  return narrowed ?? context;
}

/** An own data property, whatever its name (a key named `__proto__` never reaches the prototype). */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
