import { EngineError, EngineErrorCode } from '../../engine';

/**
 * The value formats of the Camunda 7 REST API, translated to and from ours:
 * - dates as `yyyy-MM-dd'T'HH:mm:ss.SSSZ` (`2026-12-06T10:00:00.000+0000`);
 * - variables as `{name: {type, value, valueInfo}}`, where our variables are plain JSON.
 */

/** A timestamp in Camunda's default date format, always in UTC (`+0000`); null stays null. */
export function camundaDate(value: string | Date | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const d = value instanceof Date ? value : new Date(value);
  if (!Number.isFinite(d.getTime())) return null;
  return d.toISOString().replace(/Z$/, '+0000');
}

// yyyy-MM-ddTHH:mm:ss, optional fraction, then Z, ±HHMM or ±HH:MM (Camunda's format, and ISO 8601)
const DATE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$/;

/** Parses a date in Camunda's format (ISO 8601 with `Z` or `+01:00` accepted too) into ISO text; null when it is not one. */
export function parseCamundaDate(text: string): string | null {
  const m = DATE.exec(text);
  if (!m) return null;
  const zone = m[3] === 'Z' ? 'Z' : `${m[3]!.slice(0, 3)}:${m[3]!.slice(-2)}`;
  const fraction = m[2] ? m[2].slice(0, 4).padEnd(4, '0') : '.000';
  const t = Date.parse(`${m[1]}${fraction}${zone}`);
  if (!Number.isFinite(t) || t < Date.parse('0001-01-01T00:00:00Z') || t > Date.parse('9999-12-31T23:59:59.999Z')) return null;
  return new Date(t).toISOString();
}

/** One variable as Camunda writes it. */
export interface TypedValue {
  type: string;
  value: unknown;
  valueInfo: Record<string, unknown>;
}

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

/**
 * Our JSON value as Camunda's typed value: strings are String, booleans Boolean, whole numbers
 * Integer (32 bit) or Long, other numbers Double, null Null; objects and arrays are Json with
 * the value serialised as text (as Camunda Spin answers them).
 */
export function toTypedValue(value: unknown): TypedValue {
  if (value === null || value === undefined) return { type: 'Null', value: null, valueInfo: {} };
  if (typeof value === 'boolean') return { type: 'Boolean', value, valueInfo: {} };
  if (typeof value === 'string') return { type: 'String', value, valueInfo: {} };
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return { type: value >= INT_MIN && value <= INT_MAX ? 'Integer' : 'Long', value, valueInfo: {} };
    return { type: 'Double', value, valueInfo: {} };
  }
  return { type: 'Json', value: JSON.stringify(value), valueInfo: {} };
}

/** Every variable of a map as a typed value, in name order; `names` keeps only those. */
export function toTypedVariables(variables: Record<string, unknown>, names?: string[]): Record<string, TypedValue> {
  const out: Record<string, TypedValue> = {};
  for (const name of Object.keys(variables).sort()) {
    if (names && !names.includes(name)) continue;
    out[name] = toTypedValue(variables[name]);
  }
  return out;
}

function invalid(message: string): EngineError {
  return new EngineError(EngineErrorCode.InvalidRequest, message);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Camunda's typed variables → our JSON variables. Types are matched case-insensitively (the
 * JavaScript client sends `integer`, `json`, ...). Json and Object (serialisation format
 * application/json) values are parsed from their text; Date values become ISO text. Bytes, File
 * and Java-serialised objects are refused (400). The names and values are then checked by the
 * engine like any other variables.
 */
export function fromTypedVariables(input: unknown, field = 'variables'): Record<string, unknown> {
  if (input === undefined || input === null) return {};
  if (!isPlainObject(input)) throw invalid(`${field} must be an object of name → {type, value, valueInfo}`);
  const out: Record<string, unknown> = {};
  for (const [name, typed] of Object.entries(input)) {
    Object.defineProperty(out, name, { value: fromTypedValue(typed, `${field}.${name}`), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** One typed value → its JSON value. */
export function fromTypedValue(typed: unknown, field: string): unknown {
  if (!isPlainObject(typed)) throw invalid(`${field} must be an object {type, value, valueInfo}`);
  const { type, value, valueInfo } = typed;
  if (valueInfo !== undefined && valueInfo !== null && !isPlainObject(valueInfo)) throw invalid(`${field}.valueInfo must be an object`);
  if (type === undefined || type === null) return untyped(value, field);
  if (typeof type !== 'string') throw invalid(`${field}.type must be a string`);
  switch (type.toLowerCase()) {
    case 'string':
      if (value === null) return null;
      if (typeof value !== 'string') throw invalid(`${field}: a String value must be text`);
      return value;
    case 'boolean':
      if (value === null) return null;
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      throw invalid(`${field}: a Boolean value must be true or false`);
    case 'integer':
    case 'short':
      return wholeNumber(value, field, type.toLowerCase() === 'short' ? 2 ** 15 : 2 ** 31);
    case 'long':
      return wholeNumber(value, field, Number.MAX_SAFE_INTEGER + 1);
    case 'double':
      return finiteNumber(value, field);
    case 'date': {
      if (value === null) return null;
      const iso = typeof value === 'string' ? parseCamundaDate(value) : null;
      if (!iso) throw invalid(`${field}: a Date value must be text in the format yyyy-MM-dd'T'HH:mm:ss.SSSZ (e.g. 2026-12-06T10:00:00.000+0000)`);
      return iso;
    }
    case 'null':
      return null;
    case 'json':
      return parseJsonText(value, field);
    case 'object': {
      const format = isPlainObject(valueInfo) ? valueInfo.serializationDataFormat : undefined;
      if (format !== undefined && format !== 'application/json') {
        throw invalid(`${field}: Object values are accepted only with serializationDataFormat application/json (not ${String(format)})`);
      }
      return typeof value === 'string' ? parseJsonText(value, field) : untyped(value, field);
    }
    case 'bytes':
    case 'file':
      throw invalid(`${field}: ${type} variables are not supported by this server`);
    default:
      throw invalid(`${field}: unknown variable type "${type}"`);
  }
}

function untyped(value: unknown, field: string): unknown {
  if (value === undefined) throw invalid(`${field} has no value`);
  return value;
}

function wholeNumber(value: unknown, field: string, bound: number): number | null {
  if (value === null) return null;
  const n = typeof value === 'string' && /^-?\d{1,20}$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < -bound || n >= bound) throw invalid(`${field} must be a whole number between ${-bound} and ${bound - 1}`);
  return n;
}

function finiteNumber(value: unknown, field: string): number | null {
  if (value === null) return null;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw invalid(`${field} must be a finite number`);
  return n;
}

function parseJsonText(value: unknown, field: string): unknown {
  if (value === null) return null;
  if (typeof value !== 'string') throw invalid(`${field}: a Json value must be JSON text (a string)`);
  try {
    return JSON.parse(value);
  } catch {
    throw invalid(`${field}: the Json value is not valid JSON`);
  }
}

/** `firstResult` and `maxResults` (Camunda's paging): at most MAX_RESULTS rows per request. */
export const MAX_RESULTS = 1000;

export interface Paging {
  offset: number;
  limit: number;
}

/** A query-string value: a repeated parameter or a nested one (`a[b]=1`) is a 400. */
export function queryText(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid(`query parameter ${name} must be given once, as text`);
  if (value.length > 1024) throw invalid(`query parameter ${name} is longer than 1024 characters`);
  return value;
}

export function queryBoolean(query: Record<string, unknown>, name: string): boolean | undefined {
  const text = queryText(query, name);
  if (text === undefined) return undefined;
  if (text !== 'true' && text !== 'false') throw invalid(`query parameter ${name} must be true or false`);
  return text === 'true';
}

export function queryInt(query: Record<string, unknown>, name: string, min: number, max: number): number | undefined {
  const text = queryText(query, name);
  if (text === undefined) return undefined;
  if (!/^-?\d{1,10}$/.test(text) || Number(text) < min || Number(text) > max) throw invalid(`query parameter ${name} must be a whole number from ${min} to ${max}`);
  return Number(text);
}

/** A comma-separated list (`processInstanceIds=a,b`). */
export function queryList(query: Record<string, unknown>, name: string): string[] | undefined {
  const text = queryText(query, name);
  if (text === undefined) return undefined;
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length > 200) throw invalid(`query parameter ${name} lists more than 200 values`);
  return items;
}

export function queryDate(query: Record<string, unknown>, name: string): string | undefined {
  const text = queryText(query, name);
  if (text === undefined) return undefined;
  const iso = parseCamundaDate(text);
  if (!iso) throw invalid(`query parameter ${name} must be a date in the format yyyy-MM-dd'T'HH:mm:ss.SSSZ`);
  return iso;
}

export function paging(query: Record<string, unknown>): Paging {
  const offset = queryInt(query, 'firstResult', 0, 2_000_000_000) ?? 0;
  const limit = queryInt(query, 'maxResults', 0, 2_000_000_000) ?? MAX_RESULTS;
  if (limit > MAX_RESULTS) throw invalid(`maxResults must be at most ${MAX_RESULTS}`);
  return { offset, limit };
}

/**
 * `sortBy` + `sortOrder` (both or neither, as Camunda requires) → an ORDER BY clause from the
 * allowed columns; `fallback` otherwise. The id column always breaks ties.
 */
export function sorting(query: Record<string, unknown>, columns: Record<string, string>, fallback: string, tieBreak: string): string {
  const by = queryText(query, 'sortBy');
  const order = queryText(query, 'sortOrder');
  if (by === undefined && order === undefined) return `${fallback}, ${tieBreak}`;
  if (by === undefined || order === undefined) throw invalid('Only a single sorting parameter specified. sortBy and sortOrder required');
  const column = columns[by];
  if (!column) throw invalid(`sortBy parameter has invalid value: ${by} (one of ${Object.keys(columns).join(', ')})`);
  if (order !== 'asc' && order !== 'desc') throw invalid(`sortOrder parameter has invalid value: ${order} (asc or desc)`);
  return `${column} ${order.toUpperCase()}, ${tieBreak}`;
}

/** A JSON body as an object (a missing body is empty). */
export function bodyObject(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null || (Buffer.isBuffer(body) && body.length === 0)) return {};
  if (!isPlainObject(body) || Buffer.isBuffer(body)) throw invalid('the request body must be a JSON object');
  return body;
}

export function optionalString(body: Record<string, unknown>, name: string, max = 256): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > max) throw invalid(`${name} must be text of 1 to ${max} characters`);
  return value;
}

export function optionalBoolean(body: Record<string, unknown>, name: string): boolean | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalid(`${name} must be true or false`);
  return value;
}

export function optionalInt(body: Record<string, unknown>, name: string, min: number, max: number): number | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw invalid(`${name} must be a whole number from ${min} to ${max}`);
  return value;
}

/** Refuses a body field this server cannot honour (rather than silently ignoring it). */
export function refuseField(body: Record<string, unknown>, name: string, why: string): void {
  const value = body[name];
  if (value === undefined || value === null || value === false || (Array.isArray(value) && value.length === 0)) return;
  throw invalid(`${name} is not supported by this server: ${why}`);
}
