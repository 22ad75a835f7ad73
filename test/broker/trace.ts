import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Normalizing and comparing what two engine runs produced (test/broker/broker-differential.spec.ts):
 * random ids become their order of first appearance, so two runs that did the same thing compare
 * equal although smqp and bpmn-elements drew different random ids.
 */

/**
 * Random tokens, by namespace: smqp's message ids, smqp's other generated names (consumer tags,
 * temporary queues and exchanges), bpmn-elements' `getUniqueId` suffixes (`<prefix>_<10 hex>`, fewer
 * digits when Math.random ends in zeros) and UUIDs. An element id that happens to look like one is
 * renamed too, identically in both runs.
 */
const TOKEN = /smq\.(mid|ctag|qname|ename)-([0-9a-z]+)|(?<=_)([0-9a-f]{5,10})(?![0-9A-Za-z])|\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g;

/**
 * smqp gives every queue's copy of a published message its own `smq.mid-` id; bpmn-elements never
 * reads message ids, and a replacement may draw them differently (ENGINE.md: only new snapshots'
 * bytes change), e.g. one per publish. They are therefore all the same name, `smq.mid-#mid`, unless
 * ITSM_BROKER_DIFF_MESSAGE_IDS=strict numbers them like the other ids.
 */
const STRICT_MESSAGE_IDS = process.env.ITSM_BROKER_DIFF_MESSAGE_IDS === 'strict';

/** Maps each distinct random token to `#<namespace><n>`, n its order of first appearance in its namespace. */
export class IdNormalizer {
  private readonly names: Map<string, string>;
  private readonly counts: Map<string, number>;
  /** Epoch milliseconds (numbers past 1e12: timestamps, expiries) become `#time`: for runs on the real clock. */
  private readonly times: boolean;

  constructor(from?: IdNormalizer, options: { times?: boolean } = {}) {
    this.names = new Map(from?.names);
    this.counts = new Map(from?.counts);
    this.times = from?.times ?? options.times ?? false;
  }

  /** A copy that goes on numbering from here (for a second run from the same snapshot). */
  clone(): IdNormalizer {
    return new IdNormalizer(this);
  }

  private name(namespace: string, token: string): string {
    const key = `${namespace}:${token}`;
    let name = this.names.get(key);
    if (name === undefined) {
      const n = (this.counts.get(namespace) ?? 0) + 1;
      this.counts.set(namespace, n);
      name = `#${namespace}${n}`;
      this.names.set(key, name);
    }
    return name;
  }

  text(value: string): string {
    return value.replace(TOKEN, (whole: string, kind: string | undefined, smqpId: string | undefined, suffix: string | undefined) => {
      if (kind === 'mid' && !STRICT_MESSAGE_IDS) return 'smq.mid-#mid';
      if (kind && smqpId) return `smq.${kind}-${this.name(kind === 'mid' ? 'mid' : 'smq', smqpId)}`;
      if (suffix) return this.name('id', suffix);
      return this.name('uuid', whole);
    });
  }

  /** A plain-data copy of `value` with every random token renamed (object keys included), dates as ISO text. */
  normalize(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value);
    if (this.times && typeof value === 'number' && value > 1e12) return '#time';
    if (value === null || typeof value !== 'object') return typeof value === 'function' ? '[function]' : value;
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
    if (value instanceof Error) return { error: value.name, message: this.text(value.message), code: this.normalize((value as { code?: unknown }).code) };
    if (Array.isArray(value)) return value.map((item) => this.normalize(item));
    // Keys in sorted order: ids are numbered the same whatever order a broker wrote an object's keys in (key order is not behaviour).
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const item = (value as Record<string, unknown>)[key];
      if (item !== undefined) out[this.text(key)] = this.normalize(item);
    }
    return out;
  }
}

export interface Difference {
  path: string;
  expected: unknown;
  actual: unknown;
}

/** The first place (depth first, in key order) where `actual` differs from `expected`, or null. */
export function firstDifference(expected: unknown, actual: unknown, path = ''): Difference | null {
  if (Object.is(expected, actual)) return null;
  if (typeof expected !== 'object' || typeof actual !== 'object' || expected === null || actual === null || Array.isArray(expected) !== Array.isArray(actual)) {
    return { path: path || '(root)', expected, actual };
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
      if (i >= expected.length) return { path: `${path}[${i}]`, expected: '(nothing)', actual: actual[i] };
      if (i >= actual.length) return { path: `${path}[${i}]`, expected: expected[i], actual: '(nothing)' };
      const found = firstDifference(expected[i], actual[i], `${path}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  const e = expected as Record<string, unknown>;
  const a = actual as Record<string, unknown>;
  const keys = [...Object.keys(e), ...Object.keys(a).filter((k) => !(k in e))];
  for (const key of keys) {
    const here = path ? `${path}.${key}` : key;
    if (!(key in a)) return { path: here, expected: e[key], actual: '(missing)' };
    if (!(key in e)) return { path: here, expected: '(missing)', actual: a[key] };
    const found = firstDifference(e[key], a[key], here);
    if (found) return found;
  }
  // Key order is not compared: it is not behaviour (the JSON bytes of a snapshot may differ).
  return null;
}

const show = (value: unknown, max = 600): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
};

/**
 * One comparison point of a scenario: `events` (the ordered engine events of the run) are reported
 * by index with their neighbours, anything else by path.
 */
export interface Observation {
  events: unknown[];
  [key: string]: unknown;
}

/** A readable report of the first divergence between two observations, or null when they are equal. */
export function divergence(where: string, expected: Observation, actual: Observation): string | null {
  const found = describeDivergence(where, expected, actual);
  // ITSM_BROKER_DIFF_DUMP=<dir>: both normalized observations of a divergence, as JSON files to diff.
  const dump = process.env.ITSM_BROKER_DIFF_DUMP;
  if (found && dump) {
    mkdirSync(dump, { recursive: true });
    writeFileSync(join(dump, 'expected.json'), `${JSON.stringify(expected, null, 1)}\n`);
    writeFileSync(join(dump, 'actual.json'), `${JSON.stringify(actual, null, 1)}\n`);
    return `${found}\n   (both observations written to ${dump}/expected.json and actual.json)`;
  }
  return found;
}

function describeDivergence(where: string, expected: Observation, actual: Observation): string | null {
  const events = firstDifference(expected.events, actual.events, 'events');
  if (events) {
    const index = Number(/^events\[(\d+)\]/.exec(events.path)?.[1] ?? 0);
    const lines = [`${where}: first divergence at engine event #${index} (${events.path})`];
    for (let i = Math.max(0, index - 3); i < index; i++) lines.push(`   #${i} both:     ${show(expected.events[i])}`);
    lines.push(`   #${index} expected: ${show(expected.events[index] ?? '(no more events)')}`);
    lines.push(`   #${index} actual:   ${show(actual.events[index] ?? '(no more events)')}`);
    if (events.path !== `events[${index}]`) lines.push(`   (at ${events.path}: expected ${show(events.expected, 200)}, actual ${show(events.actual, 200)})`);
    return lines.join('\n');
  }
  const rest = firstDifference({ ...expected, events: [] }, { ...actual, events: [] });
  if (!rest) return null;
  return `${where}: same ${expected.events.length} engine events, first difference at ${rest.path}\n   expected: ${show(rest.expected)}\n   actual:   ${show(rest.actual)}`;
}
