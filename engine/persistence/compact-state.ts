/**
 * The compact encoding of bpmn-engine's state (`getState()`) in the instance snapshot.
 *
 * bpmn-elements' state repeats itself: every queued broker message carries a copy of its element's
 * content with the whole parent chain, each activity's queues hold the same content several times,
 * the inbound sequence flow messages are copied into every message that follows them, and each
 * message names the element's id, type and name, which the deployed definition already holds. The
 * encoding drops what can be rebuilt exactly, and nothing else (it is lossless: the decoded state
 * deep-equals the encoded one, checked on the reference flows and conformance cases by
 * compact-state.spec.ts):
 *
 * - A value (object or array) equal to one met before, or to one the definition gives (see
 *   {@link dictionaryOf}), becomes a reference to it: `{"#": n}`.
 * - An object that shares fields with an earlier object of the same element id, or with the
 *   previous object under the same property name, or with the definition's entry of its element,
 *   becomes that object plus what differs: `{"#": n, "-": [fields it lacks], field: value...}`.
 * - An object that has a `#` field of its own is escaped: `{"#": [the object, encoded]}`.
 *
 * Every object and array the decoder builds (the definition's entries first) gets the next number,
 * in an order both sides agree on whatever a store does to key order (jsonb sorts keys): fields
 * are visited in {@link keyOrder}, a reference's own copy is not numbered, an object is numbered
 * after its fields. A reference is decoded as a fresh copy, so no two places of the state share
 * an object. Key order inside an object is not kept (jsonb does not keep it either).
 *
 * The definition's entries are fingerprinted in the snapshot, so a state is never decoded against
 * entries other than those it was encoded with (a changed dictionary must change the fingerprint).
 */
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
type JsonObject = { [key: string]: JsonValue };

/** Values shorter than this (as JSON) are written out rather than referenced. */
const MIN_REFERENCED = 16;
/** A partial reference must save at least this many bytes. */
const MIN_SAVING = 12;
const REF = '#';
const REMOVED = '-';

/** The entries the definition gives, numbered from 0, and their fingerprint. */
export interface Dictionary {
  readonly entries: readonly JsonObject[];
  readonly fingerprint: string;
}

const dictionaries = new WeakMap<object, Dictionary>();

/**
 * What the definition knows of its elements, as bpmn-elements copies it into messages: for each
 * element (processes, activities, sequence and message flows, associations, data objects) its
 * `{id, type, name}`, and its parent's `{id, type}`. Derived from the cached source context, once
 * per definition version. Changing what goes in here changes the fingerprint.
 */
export function dictionaryOf(sourceContext: unknown): Dictionary {
  const key = (sourceContext && typeof sourceContext === 'object' ? sourceContext : EMPTY) as object;
  let dictionary = dictionaries.get(key);
  if (!dictionary) dictionaries.set(key, (dictionary = buildDictionary(sourceContext)));
  return dictionary;
}

const EMPTY = {};
const ELEMENT_KINDS = ['processes', 'activities', 'sequenceFlows', 'messageFlows', 'associations', 'dataObjects', 'dataStores', 'participants'];

function buildDictionary(sourceContext: unknown): Dictionary {
  const entries: JsonObject[] = [];
  const seen = new Set<string>();
  const add = (entry: JsonObject) => {
    const text = JSON.stringify(entry);
    if (seen.has(text)) return;
    seen.add(text);
    entries.push(entry);
  };
  const context = sourceContext as { id?: unknown; type?: unknown; elements?: Record<string, unknown> } | undefined;
  if (typeof context?.id === 'string' && typeof context.type === 'string') add({ id: context.id, type: context.type });
  for (const kind of ELEMENT_KINDS) {
    const list = context?.elements?.[kind];
    if (!Array.isArray(list)) continue;
    for (const element of list as { id?: unknown; type?: unknown; name?: unknown; parent?: { id?: unknown; type?: unknown } }[]) {
      if (typeof element?.id !== 'string' || typeof element.type !== 'string') continue;
      add(typeof element.name === 'string' ? { id: element.id, type: element.type, name: element.name } : { id: element.id, type: element.type });
      const parent = element.parent;
      if (typeof parent?.id === 'string' && typeof parent.type === 'string') add({ id: parent.id, type: parent.type });
    }
  }
  const fingerprint = createHash('sha256').update(JSON.stringify(entries)).digest('base64url').slice(0, 12);
  return { entries, fingerprint };
}

/** The order in which both sides visit an object's fields: jsonb's (shorter keys first, then by code unit). */
function keyOrder(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** A numbered object the encoder may use as a base. */
interface Numbered {
  index: number;
  value: JsonObject;
}

/** A step of the structure trie: the structure ending here, and the next steps by field key / structure number. */
interface Step {
  id: number;
  next?: Map<string | number, Step>;
}

/** Encodes a JSON-serialisable state (as JSON.stringify sees it) against the definition's dictionary. */
export function encodeState(state: unknown, dictionary: Dictionary): JsonValue {
  const encoded = new Encoder(dictionary).encode(state);
  if (verifying) verify(state, encoded, dictionary);
  return encoded;
}

let verifying = false;

/**
 * Tests: every encoding is at once stored as JSON, read back with its keys in another order (as
 * jsonb may give them), decoded and compared with the state, throwing on any difference. The
 * jest setup turns it on, so every state any suite produces is checked.
 */
export function verifyEncodings(on: boolean): void {
  verifying = on;
}

function verify(state: unknown, encoded: JsonValue, dictionary: Dictionary): void {
  const expected: unknown = state === undefined ? null : JSON.parse(JSON.stringify(state));
  const stored = JSON.parse(JSON.stringify(encoded), (_key, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).reverse()) : value,
  ) as JsonValue;
  const decoded = decodeState(stored, dictionary);
  if (!isDeepStrictEqual(decoded, expected)) throw new Error(`compact state: the decoded state differs from the encoded one: ${JSON.stringify(expected)}`);
}

/** Decodes what {@link encodeState} produced with the same dictionary. */
export function decodeState(encoded: JsonValue, dictionary: Dictionary): unknown {
  return new Decoder(dictionary).decode(encoded);
}

/**
 * Equal values are found by structure: each value gets a structure number, equal for equal
 * values (fields compared in their own order), built bottom-up from its fields' numbers, so no
 * value is ever written out or hashed whole.
 */
/**
 * Structure numbers, kept from one encoding to the next (most of a state's shapes and strings
 * recur in every command's state): strings and numbers by value, objects and arrays through a trie
 * over (key, field structure)... / (item structure)... Dropped and started afresh when it grows
 * past {@link MAX_STRUCTURES}, between two encodings (numbers only need to agree within one).
 */
class Structures {
  static current = new Structures();
  readonly strings = new Map<string, number>();
  readonly numbers = new Map<number, number>();
  readonly objects: Step = { id: -1 };
  readonly arrays: Step = { id: -1 };
  /** Structure number → its JSON length (about: only weighs choices); null, false and true are 0, 1, 2. */
  readonly sizes: number[] = [4, 5, 4];

  static take(): Structures {
    if (Structures.current.sizes.length > MAX_STRUCTURES) Structures.current = new Structures();
    return Structures.current;
  }

  fresh(size: number): number {
    this.sizes.push(size);
    return this.sizes.length - 1;
  }
}

/**
 * Small on purpose: at 100,000 the table held 150-250 MB more RSS per server process once the
 * incident flow had run (bench, small flow after incident: 630 MB against 476 MB at 2,000), for
 * no measurable CPU (encode 0.21-0.30 ms per incident snapshot either way). A few thousand keeps
 * the shapes and strings one state shares with the next.
 */
const MAX_STRUCTURES = 5_000;
const MAX_KEPT_STRING = 200;

class Encoder {
  private readonly table = Structures.take();
  private readonly sizes = this.table.sizes;
  private readonly longStrings = new Map<string, number>();
  /** Structure number of each object/array of this state. */
  private readonly structures = new Map<object, number>();
  /** Structure number → number of the first object/array of that structure. */
  private readonly seen = new Map<number, number>();
  private readonly byId = new Map<string, Numbered>();
  private readonly dictionaryById = new Map<string, Numbered>();
  private readonly byProperty = new Map<string, Numbered>();
  private next = 0;

  constructor(dictionary: Dictionary) {
    for (const entry of dictionary.entries) {
      const numbered = this.number(entry, this.structure(entry))!;
      // An element's own entry comes before any entry of it as a parent.
      if (typeof entry.id === 'string' && !this.dictionaryById.has(entry.id)) this.dictionaryById.set(entry.id, numbered);
    }
  }

  encode(value: unknown): JsonValue {
    const plain = toPlain(value);
    return plain === undefined ? null : this.value(plain, '');
  }

  private structure(value: JsonValue): number {
    if (value === null) return 0;
    const table = this.table;
    switch (typeof value) {
      case 'boolean':
        return value ? 2 : 1;
      case 'string': {
        // Long strings (variables) are not kept from one encoding to the next.
        const strings = value.length > MAX_KEPT_STRING ? this.longStrings : table.strings;
        let id = strings.get(value);
        if (id === undefined) strings.set(value, (id = table.fresh(value.length + 2)));
        return id;
      }
      case 'number': {
        let id = table.numbers.get(value);
        if (id === undefined) table.numbers.set(value, (id = table.fresh(String(value).length)));
        return id;
      }
    }
    let id = this.structures.get(value);
    if (id !== undefined) return id;
    let step: Step;
    let size = 2;
    if (Array.isArray(value)) {
      step = table.arrays;
      for (const item of value) {
        const child = this.structure(item);
        step = follow(step, child);
        size += this.sizes[child]! + 1;
      }
    } else {
      step = table.objects;
      for (const key of Object.keys(value)) {
        const child = this.structure(value[key]!);
        step = follow(follow(step, key), child);
        size += key.length + 4 + this.sizes[child]!;
      }
    }
    if (step.id < 0) step.id = table.fresh(size);
    id = step.id;
    this.structures.set(value, id);
    return id;
  }

  private number(value: JsonValue, structure: number): Numbered | undefined {
    const index = this.next++;
    if (!this.seen.has(structure)) this.seen.set(structure, index);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? { index, value } : undefined;
  }

  private value(value: JsonValue, property: string): JsonValue {
    if (value === null || typeof value !== 'object') return value;
    const structure = this.structure(value);
    const known = this.sizes[structure]! >= MIN_REFERENCED ? this.seen.get(structure) : undefined;
    if (known !== undefined) return { [REF]: known };
    if (Array.isArray(value)) {
      const out = value.map((item) => this.value(item, property));
      this.number(value, structure);
      return out;
    }
    const keys = Object.keys(value).sort(keyOrder);
    const base = Object.hasOwn(value, REF) || Object.hasOwn(value, REMOVED) ? undefined : this.base(value, keys, property);
    let out: JsonObject;
    if (base) {
      out = { [REF]: base.index };
      const removed = Object.keys(base.value).filter((key) => !Object.hasOwn(value, key)).sort(keyOrder);
      if (removed.length) out[REMOVED] = removed;
      const from = base.value;
      for (const key of keys) if (!Object.hasOwn(from, key) || this.structure(from[key]!) !== this.structure(value[key]!)) put(out, key, this.value(value[key]!, key));
      // The same fields in another order: a plain reference (which is not numbered).
      if (Object.keys(out).length === 1) return out;
    } else {
      const fields: JsonObject = {};
      for (const key of keys) put(fields, key, this.value(value[key]!, key));
      out = Object.hasOwn(value, REF) ? { [REF]: [fields] } : fields;
    }
    const numbered = this.number(value, structure)!;
    if (typeof value.id === 'string') this.byId.set(value.id, numbered);
    if (property) this.byProperty.set(property, numbered);
    return out;
  }

  /** The earlier object this one is best written as a difference from, if that saves enough. */
  private base(value: JsonObject, keys: string[], property: string): Numbered | undefined {
    const id = typeof value.id === 'string' ? value.id : undefined;
    const candidates = [id === undefined ? undefined : this.byId.get(id), id === undefined ? undefined : this.dictionaryById.get(id), property ? this.byProperty.get(property) : undefined];
    let best: Numbered | undefined;
    let bestSaving = MIN_SAVING;
    for (const candidate of candidates) {
      if (!candidate || candidate === best) continue;
      let saving = -8 - String(candidate.index).length;
      const from = candidate.value;
      for (const key of keys) {
        if (!Object.hasOwn(from, key)) continue;
        const field = this.structure(from[key]!);
        if (field === this.structure(value[key]!)) saving += key.length + this.sizes[field]! + 4;
      }
      for (const key of Object.keys(from)) if (!Object.hasOwn(value, key)) saving -= key.length + 3;
      if (saving > bestSaving) {
        best = candidate;
        bestSaving = saving;
      }
    }
    return best;
  }
}

class Decoder {
  private readonly nodes: JsonValue[] = [];

  constructor(dictionary: Dictionary) {
    for (const entry of dictionary.entries) this.nodes.push(entry);
  }

  decode(encoded: JsonValue): JsonValue {
    return this.value(encoded);
  }

  private value(encoded: JsonValue): JsonValue {
    if (encoded === null || typeof encoded !== 'object') return encoded;
    if (Array.isArray(encoded)) {
      const out = encoded.map((item) => this.value(item));
      this.nodes.push(out);
      return out;
    }
    const ref = encoded[REF];
    let out: JsonObject;
    if (typeof ref === 'number') {
      const base = this.nodes[ref];
      if (base === undefined) throw new Error(`compact state: reference ${ref} to nothing`);
      const keys = Object.keys(encoded);
      if (keys.length === 1) return copy(base);
      if (base === null || typeof base !== 'object' || Array.isArray(base)) throw new Error(`compact state: reference ${ref} is not an object`);
      const removed = encoded[REMOVED];
      const dropped = new Set(Array.isArray(removed) ? (removed as string[]) : []);
      out = {};
      for (const key of Object.keys(base)) if (!dropped.has(key) && !Object.hasOwn(encoded, key)) put(out, key, copy(base[key]!));
      for (const key of keys.sort(keyOrder)) if (key !== REF && key !== REMOVED) put(out, key, this.value(encoded[key]!));
    } else {
      const fields = Array.isArray(ref) ? (ref[0] as JsonObject) : encoded;
      out = {};
      for (const key of Object.keys(fields).sort(keyOrder)) put(out, key, this.value(fields[key]!));
    }
    this.nodes.push(out);
    return out;
  }
}

function follow(step: Step, key: string | number): Step {
  step.next ??= new Map();
  let next = step.next.get(key);
  if (!next) step.next.set(key, (next = { id: -1 }));
  return next;
}

/** Sets a field, `__proto__` included (as JSON.parse does: an own field, never the prototype). */
function put(object: JsonObject, key: string, value: JsonValue): void {
  if (key === '__proto__') Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  else object[key] = value;
}

/** A fresh deep copy of a JSON value. */
function copy(value: JsonValue): JsonValue {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(copy);
  const out: JsonObject = {};
  for (const key of Object.keys(value)) put(out, key, copy(value[key]!));
  return out;
}

/**
 * The value as JSON.stringify would write it: toJSON applied, undefined/function/symbol fields
 * left out (null in arrays), non-finite numbers null. Plain JSON (what a store gives back) is
 * returned as is without copying.
 */
function toPlain(value: unknown): JsonValue | undefined {
  if (value === null) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'object':
      break;
    default:
      return undefined;
  }
  const object = value as { toJSON?: () => unknown };
  if (typeof object.toJSON === 'function') return toPlain(object.toJSON());
  if (Array.isArray(value)) {
    let out: JsonValue[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = toPlain(value[i]);
      const plain = item === undefined ? null : item;
      if (out === undefined && plain !== value[i]) out = value.slice(0, i) as JsonValue[];
      if (out !== undefined) out.push(plain);
    }
    return out ?? (value as JsonValue[]);
  }
  let out: JsonObject | undefined;
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    const field = (value as Record<string, unknown>)[keys[i]!];
    const plain = toPlain(field);
    if (out === undefined && (plain !== field || plain === undefined)) {
      out = {};
      for (let j = 0; j < i; j++) put(out, keys[j]!, (value as JsonObject)[keys[j]!]!);
    }
    if (out !== undefined && plain !== undefined) put(out, keys[i]!, plain);
  }
  return out ?? (value as JsonObject);
}
