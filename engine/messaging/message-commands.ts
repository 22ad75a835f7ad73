import { randomUUID } from 'node:crypto';
import type { CommandKernel, HistoryDraft, InstanceResult, OutcomeHook } from '../commands/kernel';
import { EngineError, EngineErrorCode } from '../errors';
import type { CommandStore, DefinitionRecord, InstanceRecord } from '../persistence/ports';
import type { InstanceRunner, RunOutcome, RunnableDefinition } from '../runtime/instance-runner';
import { assertVariables } from '../variables';
import { messagingCatalog, type EventKind } from './catalog';
import type { NewOutboxRecord, OutboxRecord, SubscriptionRecord } from './ports';
import type { EventPayload } from './runtime';

/** `POST /api/messages`. */
export interface MessageInput {
  name: string;
  correlationKey?: string | null;
  businessKey?: string | null;
  variables?: unknown;
  /** Delivered once: a repeated id answers the first delivery's answer. */
  messageId?: string | null;
  /** Buffer the message this long when nothing matches now. */
  timeToLiveMs?: number | null;
  actor: string | null;
}

export interface MessageAnswer {
  /** `delivered`: instances received it or were started; `buffered`: kept until `expiresAt`. */
  status: 'delivered' | 'buffered';
  name: string;
  correlationKey: string | null;
  messageId: string | null;
  delivered: { instanceId: string; elementId: string }[];
  started: { instanceId: string; definitionId: string; definitionKey: string; elementId: string }[];
  expiresAt?: string;
}

/** `POST /api/signals`. */
export interface SignalInput {
  name: string;
  variables?: unknown;
  actor: string | null;
}

export interface SignalAnswer {
  name: string;
  /** Instances it reached and instances its signal start events started, each in its own command. */
  delivered: { instanceId: string }[];
  started: { instanceId: string; definitionKey: string }[];
  /** Deliveries that failed now and stay in the outbox for retries. */
  pending: number;
}

export interface OutboxSummary {
  claimed: number;
  delivered: { instanceId: string }[];
  started: { instanceId: string; definitionKey: string }[];
  failed: number;
}

/** Starts an instance inside an open command at a message or signal start event. */
export type StartAt = (
  store: CommandStore,
  definition: DefinitionRecord,
  input: { businessKey: string | null; variables: Record<string, unknown>; actor: string | null },
  start: { elementId: string; payload: EventPayload },
) => Promise<InstanceResult>;

interface Message {
  name: string;
  correlationKey: string | null;
  businessKey: string | null;
  variables: Record<string, unknown>;
  messageId: string | null;
  actor: string | null;
}

/** Attempts of an outbox delivery before it is left `failed`. */
export const MAX_OUTBOX_ATTEMPTS = 5;
const outboxRetryMs = (attempt: number) => 5_000 * 4 ** (attempt - 1);
const OUTBOX_ACTOR = 'system:outbox';

/**
 * Messages and signals across instances.
 *
 * - Subscriptions: after every run the instance's `event_subscription` rows are made to match the
 *   catches the runner reports waiting (as timer rows are), in the command's transaction; the
 *   start events of the latest version of each key hold definition-level rows, replaced at deploy.
 * - `correlate` (POST /api/messages) delivers a message to every instance with a matching
 *   subscription (one catch per instance; instances locked in id order), else starts the latest
 *   active version of each key whose message start event names it, else buffers it (time to
 *   live) or answers MESSAGE_NOT_CORRELATED. A subscription that opens later takes a buffered
 *   message in the transaction that opens it (an advisory lock on (name, key) orders the two).
 * - Throw events and send tasks write `message_outbox` rows in their command; `drain` delivers
 *   each row in its own command and deletes it in that command's transaction, so a command
 *   never locks another instance. Signals (POST /api/signals and throw events) become one
 *   `signal-delivery` row per target (an instance, or a definition to start).
 */
export class MessageCommands implements OutcomeHook {
  /** Message subscriptions opened by the command of a store, per instance (for buffered messages). */
  private readonly opened = new WeakMap<CommandStore, Map<string, SubscriptionRecord[]>>();

  constructor(
    private readonly kernel: CommandKernel,
    private readonly runner: InstanceRunner,
    private readonly startAt: StartAt,
  ) {}

  // ---------------------------------------------------------------------------------------------
  // Commands

  correlate(input: MessageInput): Promise<MessageAnswer> {
    const message: Message = {
      name: input.name,
      correlationKey: input.correlationKey ?? null,
      businessKey: input.businessKey ?? null,
      variables: assertVariables(input.variables ?? {}),
      messageId: input.messageId ?? null,
      actor: input.actor,
    };
    const idempotency = message.messageId ? { scope: 'message', key: message.messageId, request: { name: message.name, correlationKey: message.correlationKey } } : undefined;
    return this.kernel.execute((store) => this.correlateIn(store, message, { timeToLiveMs: input.timeToLiveMs ?? null, exclude: null }), idempotency);
  }

  async broadcast(input: SignalInput, worker: string): Promise<SignalAnswer> {
    const variables = assertVariables(input.variables ?? {});
    const ids = await this.kernel.execute(async (store) => {
      // Delivered right below; due for the poller only later, should this process die before.
      const runAt = new Date(this.kernel.clock.now().getTime() + 60_000).toISOString();
      const rows = await this.signalDeliveries(store, { name: input.name, variables, sourceInstanceId: null, sourceElementId: null }, runAt);
      await store.insertOutbox(rows);
      return rows.map((r) => r.id);
    });
    const summary = ids.length ? await this.drain(worker, { ids }) : { claimed: 0, delivered: [], started: [], failed: 0 };
    return { name: input.name, delivered: summary.delivered, started: summary.started, pending: summary.failed };
  }

  /** Delivers due outbox rows (or only `ids`), each in its own command; failures are retried later. */
  async drain(worker: string, options: { batchSize?: number; lockMs?: number; ids?: string[] } = {}): Promise<OutboxSummary> {
    const summary: OutboxSummary = { claimed: 0, delivered: [], started: [], failed: 0 };
    const batchSize = options.batchSize ?? 50;
    if (!options.ids) await this.kernel.execute((store) => store.purgeExpiredMessages(this.kernel.now()));
    for (let round = 0; round < 100; round++) {
      const limit = options.ids ? options.ids.length : batchSize;
      const claimed = await this.kernel.execute((store) => store.claimOutbox(worker, limit, options.lockMs ?? 60_000, this.kernel.clock.offsetMs(), options.ids));
      summary.claimed += claimed.length;
      const expanded: string[] = [];
      for (const id of claimed) {
        try {
          const result = await this.kernel.execute((store) => this.deliverOutbox(store, id, worker));
          summary.delivered.push(...result.delivered.map((d) => ({ instanceId: d.instanceId })));
          summary.started.push(...result.started.map((s) => ({ instanceId: s.instanceId, definitionKey: s.definitionKey })));
          expanded.push(...result.expanded);
        } catch (error) {
          summary.failed++;
          await this.recordFailure(id, worker, error);
        }
      }
      // A thrown signal was expanded into one delivery row per target: deliver those too.
      if (options.ids) {
        if (!expanded.length) break;
        options = { ...options, ids: expanded };
      } else if (claimed.length < batchSize && !expanded.length) break;
    }
    return summary;
  }

  /** Definition-level rows of the message and signal start events of a freshly deployed version. */
  async replaceStartSubscriptions(store: CommandStore, definition: DefinitionRecord, runnable: RunnableDefinition): Promise<void> {
    const now = this.kernel.now();
    const rows: SubscriptionRecord[] = messagingCatalog(runnable.sourceContext).processStarts.map((s) => ({
      id: randomUUID(),
      kind: s.kind,
      name: s.name,
      correlationKey: null,
      instanceId: null,
      definitionId: definition.id,
      definitionKey: definition.key,
      elementId: s.elementId,
      elementType: s.elementType,
      executionId: null,
      createdAt: now,
    }));
    await store.replaceStartSubscriptions(definition.key, rows);
  }

  // ---------------------------------------------------------------------------------------------
  // OutcomeHook: subscription rows, outbox rows, buffered messages

  async written(store: CommandStore, instance: InstanceRecord, outcome: RunOutcome, now: string): Promise<HistoryDraft[]> {
    const drafts: HistoryDraft[] = [];
    if (outcome.subscriptions) {
      const wanted = outcome.subscriptions.map((s) => ({ id: randomUUID(), ...s }));
      const changes = await store.syncInstanceSubscriptions(instance, wanted, now);
      for (const s of changes.removed) drafts.push(subscriptionEvent('subscription.closed', s));
      for (const s of changes.added) drafts.push(subscriptionEvent('subscription.opened', s));
      const messages = changes.added.filter((s) => s.kind === 'message');
      if (messages.length) {
        let perStore = this.opened.get(store);
        if (!perStore) this.opened.set(store, (perStore = new Map()));
        perStore.set(instance.id, messages);
      }
    }
    if (outcome.thrown?.length) {
      const rows: NewOutboxRecord[] = outcome.thrown.map((t) => ({
        id: randomUUID(),
        kind: t.kind,
        name: t.name,
        correlationKey: t.correlationKey,
        // engine/records: a message thrown by an instance with a record names it (the receiver links to it).
        variables: t.kind === 'message' && typeof outcome.variables.recordNumber === 'string' ? { sourceRecord: outcome.variables.recordNumber } : {},
        sourceInstanceId: instance.id,
        sourceElementId: t.elementId,
        targetInstanceId: null,
        targetDefinitionId: null,
        targetSubscriptions: null,
        createdAt: now,
        runAt: now,
      }));
      await store.insertOutbox(rows);
      rows.forEach((row, i) => {
        const t = outcome.thrown![i]!;
        drafts.push({
          type: t.kind === 'message' ? 'message.sent' : 'signal.thrown',
          elementId: t.elementId,
          elementType: t.elementType,
          executionId: null,
          actor: null,
          payload: { name: t.name, correlationKey: t.correlationKey, outboxId: row.id },
        });
      });
    }
    return drafts;
  }

  /** A message subscription just opened: the oldest unexpired buffered message for it is delivered now. */
  async persisted(store: CommandStore, instance: InstanceRecord, result: InstanceResult): Promise<InstanceResult> {
    // Advisory locks in one fixed order (name, key), whatever server takes them.
    const lockKey = (x: SubscriptionRecord) => `${x.name}\u0000${x.correlationKey ?? ''}`;
    const opened = this.opened.get(store)?.get(instance.id)?.sort((a, b) => (lockKey(a) < lockKey(b) ? -1 : lockKey(a) > lockKey(b) ? 1 : 0));
    if (!opened) return result;
    this.opened.get(store)!.delete(instance.id);
    if (instance.status !== 'running') return result;
    for (const subscription of opened) {
      await store.lockMessageKey(subscription.name, subscription.correlationKey);
      const buffered = await store.takeBufferedMessage(subscription.name, subscription.correlationKey, this.kernel.now());
      if (!buffered) continue;
      const message: Message = {
        name: buffered.name,
        correlationKey: buffered.correlationKey,
        businessKey: null,
        variables: buffered.variables,
        messageId: buffered.messageId,
        actor: buffered.sentBy,
      };
      const delivered = await this.deliverTo(store, instance, 'message', message, [subscription], { buffered: true, bufferedAt: buffered.createdAt });
      if (delivered) return delivered.result;
    }
    return result;
  }

  async cancelled(store: CommandStore, instance: InstanceRecord, actor: string | null): Promise<HistoryDraft[]> {
    const removed = await store.deleteInstanceSubscriptions(instance.id);
    return removed.map((s) => ({ ...subscriptionEvent('subscription.closed', s), actor, payload: { ...subscriptionEvent('subscription.closed', s).payload, reason: 'instance cancelled' } }));
  }

  // ---------------------------------------------------------------------------------------------
  // Delivery

  private async correlateIn(store: CommandStore, message: Message, options: { timeToLiveMs: number | null; exclude: string | null }): Promise<MessageAnswer> {
    const answer: MessageAnswer = { status: 'delivered', name: message.name, correlationKey: message.correlationKey, messageId: message.messageId, delivered: [], started: [] };
    const found = await store.findSubscriptions('message', message.name, message.correlationKey, message.businessKey);
    const instanceIds = [...new Set(found.filter((s) => s.instanceId && s.instanceId !== options.exclude).map((s) => s.instanceId!))].sort();
    for (const instanceId of instanceIds) {
      const delivered = await this.deliverToInstance(store, instanceId, 'message', message, null);
      if (delivered) answer.delivered.push(...delivered.subscriptions.map((s) => ({ instanceId, elementId: s.elementId })));
    }
    if (answer.delivered.length) return answer;

    for (const start of found.filter((s) => s.instanceId === null)) {
      const started = await this.startFor(store, start.definitionKey, start.definitionId, 'message', message);
      if (started) answer.started.push(started);
    }
    if (answer.started.length) return answer;

    if (options.timeToLiveMs !== null && options.timeToLiveMs > 0) {
      await store.lockMessageKey(message.name, message.correlationKey);
      const again = await store.findSubscriptions('message', message.name, message.correlationKey, message.businessKey);
      if (again.some((s) => s.instanceId && s.instanceId !== options.exclude && !instanceIds.includes(s.instanceId))) {
        // A subscription opened meanwhile: run the command again to deliver to it.
        throw new EngineError(EngineErrorCode.RevisionConflict, `a subscription for message "${message.name}" opened concurrently`, { retryable: true });
      }
      const expiresAt = new Date(this.kernel.clock.now().getTime() + options.timeToLiveMs).toISOString();
      await store.insertBufferedMessage({
        id: randomUUID(),
        name: message.name,
        correlationKey: message.correlationKey,
        messageId: message.messageId,
        variables: message.variables,
        sentBy: message.actor,
        createdAt: this.kernel.now(),
        expiresAt,
      });
      return { ...answer, status: 'buffered', expiresAt };
    }
    throw new EngineError(
      EngineErrorCode.MessageNotCorrelated,
      `no process instance waits for message "${message.name}"${message.correlationKey === null ? ' without a correlation key' : ` with correlation key "${message.correlationKey}"`} and no message start event declares it`,
      { details: { name: message.name, correlationKey: message.correlationKey } },
    );
  }

  /** Locks the instance and delivers to its matching subscriptions (a message: the first; a signal: those in `only`, else all). */
  private async deliverToInstance(store: CommandStore, instanceId: string, kind: EventKind, message: Message, only: string[] | null) {
    const instance = await store.lockInstance(instanceId);
    if (!instance || instance.status !== 'running') return null;
    const subscriptions = (await store.instanceSubscriptions(instanceId, kind, message.name)).filter((s) =>
      kind === 'message' ? s.correlationKey === message.correlationKey : only === null || only.includes(s.id),
    );
    if (!subscriptions.length) return null;
    return this.deliverTo(store, instance, kind, message, kind === 'message' ? subscriptions.slice(0, 1) : subscriptions, {});
  }

  private async deliverTo(store: CommandStore, instance: InstanceRecord, kind: EventKind, message: Message, targets: SubscriptionRecord[], extra: Record<string, unknown>) {
    const runnable = await this.kernel.runnable(store, instance.definitionId);
    const payload: EventPayload = { kind, name: message.name, correlationKey: message.correlationKey, variables: message.variables };
    const reached: SubscriptionRecord[] = [];
    const outcome = await this.runner.resume(
      runnable,
      { instanceId: instance.id, businessKey: instance.businessKey },
      instance.snapshot!,
      (engine) => {
        for (const target of targets) if (engine.deliver(target.executionId!, payload)) reached.push(target);
        return true; // a catch an overdue timer just took away is simply not reached
      },
      { revision: instance.revision },
    );
    const before: HistoryDraft[] = reached.map((t) => ({
      type: kind === 'message' ? 'message.received' : 'signal.received',
      elementId: t.elementId,
      elementType: t.elementType,
      executionId: t.executionId,
      actor: message.actor,
      payload: { subscriptionId: t.id, name: message.name, correlationKey: message.correlationKey, messageId: message.messageId, variables: message.variables, ...extra },
    }));
    const result = await this.kernel.persist(store, instance, outcome, { actor: message.actor, before });
    return reached.length ? { result, subscriptions: reached } : null;
  }

  /** Starts the latest active version of `key` at its message/signal start event named `message.name`. */
  private async startFor(store: CommandStore, key: string, definitionId: string, kind: EventKind, message: Message) {
    const latest = await store.latestDefinition(key);
    if (!latest || latest.id !== definitionId || latest.state !== 'active') return null;
    const runnable = await this.kernel.runnable(store, latest.id);
    const start = messagingCatalog(runnable.sourceContext).processStarts.find((s) => s.kind === kind && s.name === message.name);
    if (!start) return null;
    const result = await this.startAt(store, latest, { businessKey: message.businessKey, variables: message.variables, actor: message.actor }, {
      elementId: start.elementId,
      payload: { kind, name: message.name, correlationKey: message.correlationKey, variables: message.variables },
    });
    return { instanceId: result.instance.id, definitionId: latest.id, definitionKey: latest.key, elementId: start.elementId };
  }

  /** One `signal-delivery` outbox row per instance waiting for the signal and per definition whose start event catches it. */
  private async signalDeliveries(
    store: CommandStore,
    signal: { name: string; variables: Record<string, unknown>; sourceInstanceId: string | null; sourceElementId: string | null },
    runAt?: string,
  ): Promise<NewOutboxRecord[]> {
    const found = await store.findSubscriptions('signal', signal.name, null);
    const byInstance = new Map<string, string[]>();
    const definitions = new Map<string, string>();
    for (const s of found) {
      if (s.instanceId === null) definitions.set(s.definitionKey, s.definitionId);
      else if (s.instanceId !== signal.sourceInstanceId) byInstance.set(s.instanceId, [...(byInstance.get(s.instanceId) ?? []), s.id]);
    }
    const now = this.kernel.now();
    const row = (target: Partial<NewOutboxRecord>): NewOutboxRecord => ({
      id: randomUUID(),
      kind: 'signal-delivery',
      name: signal.name,
      correlationKey: null,
      variables: signal.variables,
      sourceInstanceId: signal.sourceInstanceId,
      sourceElementId: signal.sourceElementId,
      targetInstanceId: null,
      targetDefinitionId: null,
      targetSubscriptions: null,
      createdAt: now,
      runAt: runAt ?? now,
      ...target,
    });
    return [
      ...[...byInstance].map(([instanceId, ids]) => row({ targetInstanceId: instanceId, targetSubscriptions: ids })),
      ...[...definitions.values()].map((definitionId) => row({ targetDefinitionId: definitionId })),
    ];
  }

  /** One outbox row, in its own command; the row is deleted in the transaction of its delivery. */
  private async deliverOutbox(store: CommandStore, id: string, worker: string) {
    const none = { delivered: [] as { instanceId: string }[], started: [] as { instanceId: string; definitionKey: string }[], expanded: [] as string[] };
    const row = await store.lockOutbox(id);
    if (!row || row.lockedBy !== worker || row.status !== 'pending') return none;
    const message: Message = { name: row.name, correlationKey: row.correlationKey, businessKey: null, variables: row.variables, messageId: null, actor: OUTBOX_ACTOR };
    const result = { ...none };
    if (row.kind === 'message') {
      try {
        const answer = await this.correlateIn(store, message, { timeToLiveMs: null, exclude: row.sourceInstanceId });
        result.delivered = answer.delivered.map((d) => ({ instanceId: d.instanceId }));
        result.started = answer.started;
      } catch (error) {
        // Nobody waits for it: a thrown message is not kept (BPMN has no buffer for it either).
        if (!(error instanceof EngineError && error.code === EngineErrorCode.MessageNotCorrelated)) throw error;
      }
    } else if (row.kind === 'signal') {
      const rows = await this.signalDeliveries(store, { name: row.name, variables: row.variables, sourceInstanceId: row.sourceInstanceId, sourceElementId: row.sourceElementId });
      await store.insertOutbox(rows);
      result.expanded = rows.map((r) => r.id);
    } else {
      await this.deliverSignal(store, row, message, result);
    }
    await store.deleteOutbox(row.id);
    return result;
  }

  private async deliverSignal(store: CommandStore, row: OutboxRecord, message: Message, result: { delivered: { instanceId: string }[]; started: { instanceId: string; definitionKey: string }[] }) {
    if (row.targetInstanceId) {
      const delivered = await this.deliverToInstance(store, row.targetInstanceId, 'signal', message, row.targetSubscriptions ?? []);
      if (delivered) result.delivered.push({ instanceId: row.targetInstanceId });
    } else if (row.targetDefinitionId) {
      const definition = await store.getDefinition(row.targetDefinitionId);
      const started = definition && (await this.startFor(store, definition.key, definition.id, 'signal', message));
      if (started) result.started.push({ instanceId: started.instanceId, definitionKey: started.definitionKey });
    }
  }

  private async recordFailure(id: string, worker: string, error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    await this.kernel.execute(async (store) => {
      const row = await store.lockOutbox(id);
      if (!row || row.lockedBy !== worker) return;
      const attempts = row.attempts + 1;
      const exhausted = attempts >= MAX_OUTBOX_ATTEMPTS;
      await store.recordOutboxFailure(id, worker, {
        attempts,
        runAt: new Date(this.kernel.clock.now().getTime() + outboxRetryMs(attempts)).toISOString(),
        status: exhausted ? 'failed' : 'pending',
        lastError: message,
      });
    });
  }
}

function subscriptionEvent(type: string, s: SubscriptionRecord): HistoryDraft {
  return {
    type,
    elementId: s.elementId,
    elementType: s.elementType,
    executionId: s.executionId,
    actor: null,
    payload: { subscriptionId: s.id, kind: s.kind, name: s.name, correlationKey: s.correlationKey },
  };
}
