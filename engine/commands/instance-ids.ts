import { randomUUID } from 'node:crypto';

/**
 * Ids that name their instance's slot. The slot of a UUID is its last byte (0-255); the rows an
 * instance creates for a command to address (user tasks, external tasks) get ids in the slot of
 * their instance, so a server process can tell from such an id alone which process holds the
 * instance's warm engine (api/affinity) without reading the database. The last byte of a version
 * 4 UUID is random, so these are still well-formed version 4 UUIDs with 114 random bits.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The slot of a UUID (0-255), or null when `id` is not a UUID. */
export function slotOf(id: string): number | null {
  return UUID.test(id) ? parseInt(id.slice(-2), 16) : null;
}

/** A new random UUID in `slot` (0-255). */
export function idInSlot(slot: number): string {
  return randomUUID().slice(0, -2) + (slot & 0xff).toString(16).padStart(2, '0');
}

/** A new random UUID in the slot of `instanceId` (a plain random UUID when that is no UUID). */
export function idBesides(instanceId: string): string {
  const slot = slotOf(instanceId);
  return slot === null ? randomUUID() : idInSlot(slot);
}
