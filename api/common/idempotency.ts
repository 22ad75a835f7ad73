import { z } from 'zod';
import type { Idempotency } from '../../engine';
import { parse } from './validation';

const Key = z.string().min(1).max(200).regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

/**
 * The `Idempotency-Key` header of a command, bound to the request it came with and scoped to the
 * caller: another user's request with the same key is a request of its own (never a replay of
 * somebody else's answer).
 */
export function idempotency(header: string | undefined, request: unknown, caller: string): Idempotency | undefined {
  if (header === undefined) return undefined;
  return { key: `${caller}/${parse(Key, header, 'Idempotency-Key header')}`, request };
}
