import { createHash } from 'node:crypto';

/** One history event as stored: append-only, chained to its predecessor in the same instance. */
export interface HistoryEventRecord {
  instanceId: string;
  /** 1, 2, 3, ... per instance, without gaps. */
  seq: number;
  type: string;
  elementId: string | null;
  elementType: string | null;
  executionId: string | null;
  actor: string | null;
  payload: Record<string, unknown> | null;
  /** ISO 8601 with milliseconds. */
  occurredAt: string;
  /** Hash of the previous event of this instance, null for the first. */
  prevHash: string | null;
  /** sha256 over every field above (canonical JSON). */
  hash: string;
}

export type UnhashedEvent = Omit<HistoryEventRecord, 'hash'>;

/**
 * JSON with object keys sorted at every level, so the hash does not depend on key order
 * (PostgreSQL jsonb does not keep it).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  // Built by concatenation (every command hashes its history events through here): the same text
  // as joining mapped entries, holes of a sparse array included (an empty item).
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      // join() writes an item JSON.stringify gives nothing for (a function) as empty, like a hole
      const item = i in value ? (canonicalJson(value[i]) as string | undefined) : undefined;
      if (item !== undefined) out += item;
    }
    return out + ']';
  }
  const object = value as Record<string, unknown>;
  // Default sort: by UTF-16 code units, as the comparison of two strings.
  const keys = Object.keys(object).sort();
  let out = '{';
  for (const key of keys) {
    const field = object[key];
    if (field === undefined) continue;
    if (out.length > 1) out += ',';
    out += JSON.stringify(key) + ':' + canonicalJson(field);
  }
  return out + '}';
}

export function hashEvent(event: UnhashedEvent): string {
  const content = {
    instanceId: event.instanceId,
    seq: event.seq,
    type: event.type,
    elementId: event.elementId,
    elementType: event.elementType,
    executionId: event.executionId,
    actor: event.actor,
    payload: event.payload,
    occurredAt: event.occurredAt,
    prevHash: event.prevHash,
  };
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

/** Where the chain currently ends for one instance (kept on the instance row). */
export interface ChainHead {
  seq: number;
  hash: string | null;
}

/** Stamps seq, prevHash and hash on new events, continuing from `head`. Returns the new head too. */
export function chainEvents(
  head: ChainHead,
  events: Omit<UnhashedEvent, 'seq' | 'prevHash'>[],
): { records: HistoryEventRecord[]; head: ChainHead } {
  let { seq, hash } = head;
  const records = events.map((event) => {
    const unhashed: UnhashedEvent = { ...event, seq: ++seq, prevHash: hash };
    hash = hashEvent(unhashed);
    return { ...unhashed, hash };
  });
  return { records, head: { seq, hash } };
}

export interface ChainVerdict {
  valid: boolean;
  checked: number;
  /** The first event that does not match, or the position where one is missing. */
  firstInvalid: { seq: number; reason: string } | null;
}

/**
 * Recomputes the chain of one instance's events (ordered by seq). Detects a changed row (its
 * hash no longer matches its content), a removed row (a gap in seq or a broken prevHash link)
 * and a removed tail (the instance's recorded head is further than the last row).
 */
export function verifyChain(events: HistoryEventRecord[], head?: ChainHead): ChainVerdict {
  let prevHash: string | null = null;
  let expectedSeq = 1;
  for (const [index, event] of events.entries()) {
    const fail = (reason: string): ChainVerdict => ({ valid: false, checked: index, firstInvalid: { seq: event.seq, reason } });
    if (event.seq !== expectedSeq) return fail(`expected event #${expectedSeq} here, found #${event.seq}: event(s) missing`);
    if (event.prevHash !== prevHash) return fail('its previous-hash link does not match the event before it');
    if (hashEvent(event) !== event.hash) return fail('its content does not match its hash (the row was changed)');
    prevHash = event.hash;
    expectedSeq++;
  }
  if (head && head.seq !== events.length) {
    return {
      valid: false,
      checked: events.length,
      firstInvalid: { seq: events.length + 1, reason: `the instance records ${head.seq} events but only ${events.length} remain (tail removed)` },
    };
  }
  if (head && head.seq > 0 && head.hash !== prevHash) {
    return { valid: false, checked: events.length, firstInvalid: { seq: head.seq, reason: 'the last event does not match the hash recorded on the instance' } };
  }
  return { valid: true, checked: events.length, firstInvalid: null };
}
