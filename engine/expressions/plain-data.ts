/** Property names that never appear in expression scopes and can never be read by an expression. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

const MAX_DEPTH = 64;

/** A JSON-like value: what expressions see and what they return. */
export type PlainValue = null | boolean | number | string | PlainValue[] | { [key: string]: PlainValue };

/** True for `{}`-style objects (prototype `Object.prototype` or `null`), false for class instances. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null || isForeignObjectPrototype(proto);
}

/**
 * `Object.prototype` of another realm: `structuredClone` in a jest sandbox (or a `node:worker`
 * message) yields objects whose prototype is the outer realm's. Recognised by shape, reading no
 * getters: it has no prototype itself and its own `constructor` is a native `Object`.
 */
function isForeignObjectPrototype(proto: unknown): boolean {
  if (typeof proto !== 'object' || proto === null || Object.getPrototypeOf(proto) !== null) return false;
  const ctor: unknown = Object.getOwnPropertyDescriptor(proto, 'constructor')?.value;
  return typeof ctor === 'function' && ctor.name === 'Object' && /^function Object\(\) \{\s*\[native code\]\s*\}$/.test(Function.prototype.toString.call(ctor));
}

/**
 * Reads an own, enumerable data property without invoking getters; `undefined` otherwise.
 * Accessors are skipped rather than called, so a getter planted in a variable never runs.
 */
export function readOwnData(target: object, key: string): unknown {
  if (FORBIDDEN_KEYS.has(key)) return undefined;
  const descriptor = Object.getOwnPropertyDescriptor(target, key);
  return descriptor?.enumerable && 'value' in descriptor ? descriptor.value : undefined;
}

/**
 * Deep-copies a value into JSON-like data: plain objects (own enumerable data properties,
 * minus {@link FORBIDDEN_KEYS}), arrays, strings, finite numbers, booleans and null. Dates become
 * ISO strings. Functions, class instances, symbols, accessors, cycles and anything deeper than
 * 64 levels are dropped (`undefined` at the top, omitted in objects, `null` in arrays).
 */
export function toPlainData(value: unknown): PlainValue | undefined {
  return copy(value, new Set(), 0);
}

function copy(value: unknown, ancestors: Set<object>, depth: number): PlainValue | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (value instanceof Date) return dateToIso(value);
  if (typeof value !== 'object' || ancestors.has(value) || depth >= MAX_DEPTH) return undefined;
  if (!Array.isArray(value) && !isPlainObject(value)) return undefined;
  ancestors.add(value);
  const result = Array.isArray(value) ? copyArray(value, ancestors, depth) : copyObject(value, ancestors, depth);
  ancestors.delete(value);
  return result;
}

/** Reads the time through the intrinsic, never through methods the object itself may carry. */
function dateToIso(value: Date): string | null {
  try {
    const time = Date.prototype.getTime.call(value);
    return Number.isNaN(time) ? null : new Date(time).toISOString();
  } catch {
    return null; // an object that merely inherits from Date.prototype
  }
}

function copyArray(source: unknown[], ancestors: Set<object>, depth: number): PlainValue[] {
  const result: PlainValue[] = [];
  for (let index = 0; index < source.length; index++) {
    result.push(copy(readOwnData(source, String(index)), ancestors, depth + 1) ?? null);
  }
  return result;
}

function copyObject(source: object, ancestors: Set<object>, depth: number): { [key: string]: PlainValue } {
  const result: { [key: string]: PlainValue } = {};
  for (const key of Object.keys(source)) {
    const item = copy(readOwnData(source, key), ancestors, depth + 1);
    // Assignment is safe: readOwnData answers nothing for `__proto__` (the one setter Object.prototype
    // has) and the other FORBIDDEN_KEYS, so no key reaches a prototype; defineProperty costs more.
    if (item !== undefined) result[key] = item;
  }
  return result;
}
