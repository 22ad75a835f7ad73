import type { EventKind } from './catalog';

/** A waiting message or signal catch: of an instance, or (instanceId null) a start event of a definition. */
export interface SubscriptionRecord {
  id: string;
  kind: EventKind;
  name: string;
  correlationKey: string | null;
  instanceId: string | null;
  definitionId: string;
  definitionKey: string;
  elementId: string;
  elementType: string;
  /** Engine execution id of the waiting activity (instance subscriptions only). */
  executionId: string | null;
  createdAt: string;
}

/** A subscription the engine reports after a run, as the store receives it. */
export type WantedSubscription = Pick<SubscriptionRecord, 'id' | 'kind' | 'name' | 'correlationKey' | 'elementId' | 'elementType' | 'executionId'>;

export interface BufferedMessageRecord {
  id: string;
  name: string;
  correlationKey: string | null;
  messageId: string | null;
  variables: Record<string, unknown>;
  sentBy: string | null;
  createdAt: string;
  expiresAt: string;
}

export type OutboxKind = 'message' | 'signal' | 'signal-delivery';

/** A message or signal to deliver after the command that wrote it committed. */
export interface OutboxRecord {
  id: string;
  kind: OutboxKind;
  name: string;
  correlationKey: string | null;
  variables: Record<string, unknown>;
  sourceInstanceId: string | null;
  sourceElementId: string | null;
  /** signal-delivery: the instance (with the subscriptions it reaches) or the definition to start. */
  targetInstanceId: string | null;
  targetDefinitionId: string | null;
  targetSubscriptions: string[] | null;
  createdAt: string;
  runAt: string;
  status: 'pending' | 'failed';
  attempts: number;
  lastError: string | null;
  lockedBy: string | null;
}

export type NewOutboxRecord = Omit<OutboxRecord, 'status' | 'attempts' | 'lastError' | 'lockedBy'>;

/** Subscription, buffer and outbox storage inside a command's transaction (part of the command store). */
export interface MessagingStore {
  /**
   * Makes the instance's subscription rows match the waiting catches: rows no longer waiting are
   * deleted, new ones inserted; an existing row (same execution id) keeps its correlation key.
   */
  syncInstanceSubscriptions(
    instance: { id: string; definitionId: string; definitionKey: string },
    wanted: WantedSubscription[],
    createdAt: string,
  ): Promise<{ added: SubscriptionRecord[]; removed: SubscriptionRecord[] }>;
  deleteInstanceSubscriptions(instanceId: string): Promise<SubscriptionRecord[]>;
  /** Replaces the start-event subscriptions of a process key. */
  replaceStartSubscriptions(definitionKey: string, rows: SubscriptionRecord[]): Promise<void>;
  /**
   * Subscriptions of `kind` named `name`: for messages, those whose correlation key equals
   * `correlationKey` (null matches null) and, given `businessKey`, of instances with that
   * business key (start subscriptions always match); for signals, all. Instance rows first, by
   * instance id.
   */
  findSubscriptions(kind: EventKind, name: string, correlationKey: string | null, businessKey?: string | null): Promise<SubscriptionRecord[]>;
  /** The instance's subscriptions of `kind` named `name` (call with the instance row locked). */
  instanceSubscriptions(instanceId: string, kind: EventKind, name: string): Promise<SubscriptionRecord[]>;
  /** Serialises buffering a message with opening a subscription for it (transaction-scoped). */
  lockMessageKey(name: string, correlationKey: string | null): Promise<void>;
  insertBufferedMessage(message: BufferedMessageRecord): Promise<void>;
  /** Removes and answers the oldest unexpired buffered message for (name, key), skipping locked ones. */
  takeBufferedMessage(name: string, correlationKey: string | null, now: string): Promise<BufferedMessageRecord | null>;
  purgeExpiredMessages(now: string): Promise<number>;
  insertOutbox(rows: NewOutboxRecord[]): Promise<void>;
  /**
   * Claims up to `limit` due outbox rows (`run_at <= database now + offsetMs`, or only `ids`) for
   * `owner` until `lockMs` from now, `FOR UPDATE SKIP LOCKED`; a claim whose lock expired is
   * claimable again.
   */
  claimOutbox(owner: string, limit: number, lockMs: number, offsetMs: number, ids?: string[]): Promise<string[]>;
  lockOutbox(id: string): Promise<OutboxRecord | null>;
  deleteOutbox(id: string): Promise<void>;
  recordOutboxFailure(id: string, owner: string, patch: { attempts: number; runAt: string; status: 'pending' | 'failed'; lastError: string }): Promise<void>;
}
