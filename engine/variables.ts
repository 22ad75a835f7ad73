import { EngineError, EngineErrorCode } from './errors';

/** Largest accepted variables payload (serialized), per command. */
export const MAX_VARIABLES_BYTES = 256 * 1024;
const MAX_DEPTH = 16;
const NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);
/** Written by bpmn-elements into every process's variables: a user value would be overwritten. */
const RESERVED = new Set(['fields', 'content', 'properties', 'environment', 'variables']);

/**
 * Checks that process variables are a plain JSON object a diagram can use: names are identifiers,
 * values are JSON (string, finite number, boolean, null, array, object), strings hold no NUL
 * character (PostgreSQL jsonb refuses it), nesting and size are bounded.
 * Returns a detached copy. @throws EngineError INVALID_REQUEST naming the offending variable.
 */
export function assertVariables(value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid('variables must be a JSON object of name → value', null);
  }
  for (const name of Object.keys(value)) {
    if (!NAME.test(name) || FORBIDDEN.has(name)) {
      throw invalid(`variable name "${name}" is not allowed: use letters, digits, "_", "-" or ".", starting with a letter or "_"`, name);
    }
    if (RESERVED.has(name)) throw invalid(`variable name "${name}" is reserved by the engine`, name);
    checkValue((value as Record<string, unknown>)[name], name, 1);
  }
  const serialized = JSON.stringify(value);
  if (Buffer.byteLength(serialized) > MAX_VARIABLES_BYTES) {
    throw invalid(`variables are larger than ${MAX_VARIABLES_BYTES} bytes`, null);
  }
  return JSON.parse(serialized) as Record<string, unknown>;
}

function checkValue(value: unknown, path: string, depth: number): void {
  if (depth > MAX_DEPTH) throw invalid(`variable "${path}" is nested deeper than ${MAX_DEPTH} levels`, path);
  if (value === null || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalid(`variable "${path}" must be a finite number`, path);
    return;
  }
  if (typeof value === 'string') {
    if (value.includes('\u0000')) throw invalid(`variable "${path}" contains a NUL character`, path);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => checkValue(item, `${path}[${i}]`, depth + 1));
    return;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [k, v] of Object.entries(value)) {
      if (FORBIDDEN.has(k) || k.includes('\u0000')) throw invalid(`variable "${path}" has a forbidden key "${k}"`, path);
      checkValue(v, `${path}.${k}`, depth + 1);
    }
    return;
  }
  throw invalid(`variable "${path}" has an unsupported type (${typeof value})`, path);
}

function invalid(message: string, variable: string | null): EngineError {
  return new EngineError(EngineErrorCode.InvalidRequest, message, { details: { variable } });
}
