import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ChainHead } from './hash-chain';

/** What checking one seal found. */
export type SealCheck = 'valid' | 'missing' | 'unknown-key' | 'invalid';

/** Smallest history key, in bytes (HMAC-SHA-256 keys shorter than the hash weaken it). */
export const MIN_HISTORY_KEY_BYTES = 32;

/**
 * The server's history keys: the current one seals new events, chain heads and the anchor
 * (HMAC-SHA-256); previous ones (after a rotation) still verify what they sealed. A seal is
 * `<keyId>:<hex mac>`, the key id being a MAC of a fixed text (it names the key without revealing
 * it). The keys live outside the database (HISTORY_KEY, or a key file in DATA_DIR), so whoever can
 * write to the database can neither forge a seal nor recompute one after a rewrite.
 */
export class HistoryKeyring {
  readonly keyId: string;
  private readonly current: Buffer;
  private readonly keys = new Map<string, Buffer>();

  constructor(current: Buffer | string, previous: (Buffer | string)[] = []) {
    this.current = toKey(current);
    this.keyId = HistoryKeyring.idOf(this.current);
    for (const key of [this.current, ...previous.map(toKey)]) this.keys.set(HistoryKeyring.idOf(key), key);
  }

  static idOf(key: Buffer): string {
    return createHmac('sha256', key).update('itsm-history/v1/key-id').digest('hex').slice(0, 16);
  }

  /** Whether a key with this id is in the ring. */
  knows(keyId: string): boolean {
    return this.keys.has(keyId);
  }

  sign(purpose: SealPurpose, message: string): string {
    return `${this.keyId}:${mac(this.current, purpose, message)}`;
  }

  check(purpose: SealPurpose, message: string, seal: string | null | undefined): SealCheck {
    if (!seal) return 'missing';
    const colon = seal.indexOf(':');
    const key = colon > 0 ? this.keys.get(seal.slice(0, colon)) : undefined;
    if (!key) return 'unknown-key';
    const expected = Buffer.from(mac(key, purpose, message), 'hex');
    const given = Buffer.from(seal.slice(colon + 1), 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected) ? 'valid' : 'invalid';
  }

  /** The key id of a seal (for messages), or null. */
  static keyIdOfSeal(seal: string | null | undefined): string | null {
    const colon = seal ? seal.indexOf(':') : -1;
    return colon > 0 ? seal!.slice(0, colon) : null;
  }
}

export type SealPurpose = 'event' | 'head' | 'anchor';

function mac(key: Buffer, purpose: SealPurpose, message: string): string {
  return createHmac('sha256', key).update(`itsm-history/v1/${purpose}\n${message}`).digest('hex');
}

function toKey(key: Buffer | string): Buffer {
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  if (bytes.length < MIN_HISTORY_KEY_BYTES) throw new Error(`a history key must be at least ${MIN_HISTORY_KEY_BYTES} bytes`);
  return bytes;
}

/** The seal of one event: a MAC over its chain hash (which covers its content and the hash before it). */
export function sealEvent(ring: HistoryKeyring, hash: string): string {
  return ring.sign('event', hash);
}

/** The text a chain head's seal covers. */
export function headMessage(instanceId: string, head: ChainHead): string {
  return `${instanceId}\n${head.seq}\n${head.hash ?? ''}`;
}

/** The seal of an instance's chain head (kept on the instance row): moving the head back needs the key. */
export function sealHead(ring: HistoryKeyring, instanceId: string, head: ChainHead): string {
  return ring.sign('head', headMessage(instanceId, head));
}

/** The text the anchor's seal covers: how many instances (chains) exist. */
export function anchorMessage(instances: number): string {
  return `instances=${instances}`;
}
