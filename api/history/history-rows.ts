import type { SealedEvent } from '../../engine';

export const EVENT_COLUMNS = 'instance_id, seq, type, element_id, element_type, execution_id, actor, payload, occurred_at, prev_hash, hash, mac';

export function toEvent(r: Record<string, any>): SealedEvent { // eslint-disable-line @typescript-eslint/no-explicit-any -- raw pg row
  return {
    instanceId: r.instance_id,
    seq: r.seq,
    type: r.type,
    elementId: r.element_id,
    elementType: r.element_type,
    executionId: r.execution_id,
    actor: r.actor,
    payload: r.payload,
    occurredAt: new Date(r.occurred_at).toISOString(),
    prevHash: r.prev_hash,
    hash: r.hash,
    mac: r.mac,
  };
}

/** The event as the API shows it (the seal is the server's business). */
export function withoutSeal({ mac: _mac, ...event }: SealedEvent) {
  return event;
}
