import type { QueryRunner } from 'typeorm';
import type {
  BufferedMessageRecord,
  EventKind,
  MessagingStore,
  NewOutboxRecord,
  OutboxRecord,
  SubscriptionRecord,
  WantedSubscription,
} from '../../engine';
import { TypeormTimerStore } from './typeorm-timer-store';

type Row = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- raw pg rows

export const SUBSCRIPTION_COLUMNS = 'id, kind, name, correlation_key, instance_id, definition_id, definition_key, element_id, element_type, execution_id, created_at';
const OUTBOX_COLUMNS =
  'id, kind, name, correlation_key, variables, source_instance_id, source_element_id, target_instance_id, target_definition_id, target_subscriptions, ' +
  'created_at, run_at, status, attempts, last_error, locked_by';
const prefixed = (columns: string, alias: string) => columns.replace(/(^|, )([a-z_]+)/g, `$1${alias}.$2`);

/** Message subscriptions, buffered messages and the outbox on one transaction's QueryRunner (part of the command store). */
export class TypeormMessagingStore extends TypeormTimerStore implements MessagingStore {
  constructor(q: QueryRunner) {
    super(q);
  }

  async syncInstanceSubscriptions(
    instance: { id: string; definitionId: string; definitionKey: string },
    wanted: WantedSubscription[],
    createdAt: string,
  ): Promise<{ added: SubscriptionRecord[]; removed: SubscriptionRecord[] }> {
    const rows: Row[] = await this.q.query(
      `WITH wanted AS (
              SELECT * FROM jsonb_to_recordset($2::jsonb) AS w(id uuid, kind text, name text, correlation_key text, element_id text, element_type text, execution_id text)),
            removed AS (
              DELETE FROM event_subscription s WHERE s.instance_id = $1 AND NOT EXISTS (SELECT 1 FROM wanted w WHERE w.execution_id = s.execution_id)
              RETURNING ${prefixed(SUBSCRIPTION_COLUMNS, 's')}),
            added AS (
              INSERT INTO event_subscription (id, kind, name, correlation_key, instance_id, definition_id, definition_key, element_id, element_type, execution_id, created_at)
              SELECT w.id, w.kind, w.name, w.correlation_key, $1, $3, $4, w.element_id, w.element_type, w.execution_id, $5 FROM wanted w
              ON CONFLICT (instance_id, execution_id) WHERE instance_id IS NOT NULL DO NOTHING
              RETURNING ${SUBSCRIPTION_COLUMNS})
       SELECT 'removed' AS change, * FROM removed UNION ALL SELECT 'added' AS change, * FROM added`,
      [
        instance.id,
        JSON.stringify(wanted.map((w) => ({ id: w.id, kind: w.kind, name: w.name, correlation_key: w.correlationKey, element_id: w.elementId, element_type: w.elementType, execution_id: w.executionId }))),
        instance.definitionId,
        instance.definitionKey,
        createdAt,
      ],
    );
    return { added: rows.filter((r) => r.change === 'added').map(toSubscription), removed: rows.filter((r) => r.change === 'removed').map(toSubscription) };
  }

  async deleteInstanceSubscriptions(instanceId: string): Promise<SubscriptionRecord[]> {
    const { records } = await this.q.query(`DELETE FROM event_subscription WHERE instance_id = $1 RETURNING ${SUBSCRIPTION_COLUMNS}`, [instanceId], true);
    return records.map(toSubscription);
  }

  async replaceStartSubscriptions(definitionKey: string, rows: SubscriptionRecord[]): Promise<void> {
    await this.q.query(`DELETE FROM event_subscription WHERE instance_id IS NULL AND definition_key = $1`, [definitionKey]);
    if (!rows.length) return;
    await this.q.query(
      `INSERT INTO event_subscription (id, kind, name, correlation_key, definition_id, definition_key, element_id, element_type, created_at)
       SELECT r.id, r.kind, r.name, NULL, r.definition_id, r.definition_key, r.element_id, r.element_type, r.created_at
         FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, kind text, name text, definition_id uuid, definition_key text, element_id text, element_type text, created_at timestamptz)`,
      [
        JSON.stringify(
          rows.map((r) => ({
            id: r.id, kind: r.kind, name: r.name, definition_id: r.definitionId, definition_key: r.definitionKey, element_id: r.elementId,
            element_type: r.elementType, created_at: r.createdAt,
          })),
        ),
      ],
    );
  }

  async findSubscriptions(kind: EventKind, name: string, correlationKey: string | null, businessKey?: string | null): Promise<SubscriptionRecord[]> {
    const filterKey = kind === 'message';
    const rows: Row[] = await this.q.query(
      `SELECT ${prefixed(SUBSCRIPTION_COLUMNS, 's')} FROM event_subscription s
         LEFT JOIN process_instance i ON i.id = s.instance_id
        WHERE s.kind = $1 AND s.name = $2 AND (s.instance_id IS NULL OR i.status = 'running')
          AND (NOT $3::boolean OR s.instance_id IS NULL OR s.correlation_key IS NOT DISTINCT FROM $4)
          AND ($5::text IS NULL OR s.instance_id IS NULL OR i.business_key = $5)
        ORDER BY s.instance_id NULLS LAST, s.created_at, s.id`,
      [kind, name, filterKey, correlationKey, businessKey ?? null],
    );
    return rows.map(toSubscription);
  }

  async instanceSubscriptions(instanceId: string, kind: EventKind, name: string): Promise<SubscriptionRecord[]> {
    const rows: Row[] = await this.q.query(
      `SELECT ${SUBSCRIPTION_COLUMNS} FROM event_subscription WHERE instance_id = $1 AND kind = $2 AND name = $3 ORDER BY created_at, id`,
      [instanceId, kind, name],
    );
    return rows.map(toSubscription);
  }

  async lockMessageKey(name: string, correlationKey: string | null): Promise<void> {
    await this.q.query(`SELECT pg_advisory_xact_lock(hashtext('message:' || $1), hashtext(COALESCE($2, '')))`, [name, correlationKey]);
  }

  async insertBufferedMessage(m: BufferedMessageRecord): Promise<void> {
    await this.q.query(
      `INSERT INTO buffered_message (id, name, correlation_key, message_id, variables, sent_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [m.id, m.name, m.correlationKey, m.messageId, JSON.stringify(m.variables), m.sentBy, m.createdAt, m.expiresAt],
    );
  }

  async takeBufferedMessage(name: string, correlationKey: string | null, now: string): Promise<BufferedMessageRecord | null> {
    const { records } = await this.q.query(
      `DELETE FROM buffered_message WHERE id = (
         SELECT id FROM buffered_message
          WHERE name = $1 AND correlation_key IS NOT DISTINCT FROM $2 AND expires_at > $3
          ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING id, name, correlation_key, message_id, variables, sent_by, created_at, expires_at`,
      [name, correlationKey, now],
      true,
    );
    const r: Row | undefined = records[0];
    return r
      ? {
          id: r.id, name: r.name, correlationKey: r.correlation_key, messageId: r.message_id, variables: r.variables ?? {}, sentBy: r.sent_by,
          createdAt: iso(r.created_at), expiresAt: iso(r.expires_at),
        }
      : null;
  }

  async purgeExpiredMessages(now: string): Promise<number> {
    const { affected } = await this.q.query(`DELETE FROM buffered_message WHERE expires_at <= $1`, [now], true);
    return affected ?? 0;
  }

  async insertOutbox(rows: NewOutboxRecord[]): Promise<void> {
    if (!rows.length) return;
    await this.q.query(
      `INSERT INTO message_outbox (id, kind, name, correlation_key, variables, source_instance_id, source_element_id, target_instance_id, target_definition_id,
                                   target_subscriptions, created_at, run_at)
       SELECT o.id, o.kind, o.name, o.correlation_key, o.variables, o.source_instance_id, o.source_element_id, o.target_instance_id, o.target_definition_id,
              CASE WHEN o.target_subscriptions IS NULL THEN NULL ELSE ARRAY(SELECT jsonb_array_elements_text(o.target_subscriptions))::uuid[] END,
              o.created_at, o.run_at
         FROM jsonb_to_recordset($1::jsonb) AS o(id uuid, kind text, name text, correlation_key text, variables jsonb, source_instance_id uuid, source_element_id text,
              target_instance_id uuid, target_definition_id uuid, target_subscriptions jsonb, created_at timestamptz, run_at timestamptz)`,
      [
        JSON.stringify(
          rows.map((o) => ({
            id: o.id, kind: o.kind, name: o.name, correlation_key: o.correlationKey, variables: o.variables, source_instance_id: o.sourceInstanceId,
            source_element_id: o.sourceElementId, target_instance_id: o.targetInstanceId, target_definition_id: o.targetDefinitionId,
            target_subscriptions: o.targetSubscriptions, created_at: o.createdAt, run_at: o.runAt,
          })),
        ),
      ],
    );
  }

  async claimOutbox(owner: string, limit: number, lockMs: number, offsetMs: number, ids?: string[]): Promise<string[]> {
    const { records } = await this.q.query(
      `WITH claimed AS (
         UPDATE message_outbox AS o SET locked_by = $1, lock_expires_at = clock_timestamp() + make_interval(secs => $3::double precision / 1000)
          WHERE o.id IN (
            SELECT id FROM message_outbox
             WHERE status = 'pending' AND ($4::uuid[] IS NULL OR id = ANY($4::uuid[]))
               AND ($4::uuid[] IS NOT NULL OR run_at <= clock_timestamp() + make_interval(secs => $5::double precision / 1000))
               AND (locked_by IS NULL OR lock_expires_at < clock_timestamp())
             ORDER BY run_at, id
             LIMIT $2
             FOR UPDATE SKIP LOCKED)
         RETURNING o.id, o.run_at)
       SELECT id FROM claimed ORDER BY run_at, id`,
      [owner, limit, lockMs, ids ?? null, offsetMs],
      true,
    );
    return records.map((r: Row) => r.id as string);
  }

  async lockOutbox(id: string): Promise<OutboxRecord | null> {
    const rows: Row[] = await this.q.query(`SELECT ${OUTBOX_COLUMNS} FROM message_outbox WHERE id = $1 FOR UPDATE`, [id]);
    const r = rows[0];
    return r
      ? {
          id: r.id, kind: r.kind, name: r.name, correlationKey: r.correlation_key, variables: r.variables ?? {}, sourceInstanceId: r.source_instance_id,
          sourceElementId: r.source_element_id, targetInstanceId: r.target_instance_id, targetDefinitionId: r.target_definition_id,
          targetSubscriptions: r.target_subscriptions, createdAt: iso(r.created_at), runAt: iso(r.run_at), status: r.status, attempts: r.attempts,
          lastError: r.last_error, lockedBy: r.locked_by,
        }
      : null;
  }

  async deleteOutbox(id: string): Promise<void> {
    await this.q.query(`DELETE FROM message_outbox WHERE id = $1`, [id]);
  }

  async recordOutboxFailure(id: string, owner: string, patch: { attempts: number; runAt: string; status: 'pending' | 'failed'; lastError: string }): Promise<void> {
    await this.q.query(
      `UPDATE message_outbox SET attempts = $3, run_at = $4, status = $5, last_error = $6, locked_by = NULL, lock_expires_at = NULL WHERE id = $1 AND locked_by = $2`,
      [id, owner, patch.attempts, patch.runAt, patch.status, patch.lastError.slice(0, 4000)],
    );
  }
}

function iso(v: Date | string): string {
  return new Date(v).toISOString();
}

export function toSubscription(r: Row): SubscriptionRecord {
  return {
    id: r.id, kind: r.kind, name: r.name, correlationKey: r.correlation_key, instanceId: r.instance_id, definitionId: r.definition_id,
    definitionKey: r.definition_key, elementId: r.element_id, elementType: r.element_type, executionId: r.execution_id, createdAt: iso(r.created_at),
  };
}
