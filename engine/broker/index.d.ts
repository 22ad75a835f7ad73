/* eslint-disable @typescript-eslint/no-explicit-any -- message content, options and owners are open-ended (as in smqp 11's own types): bpmn-elements' types and our code read them without casts */
/**
 * Types of the lean smqp 11 replacement (engine/broker): the members bpmn-elements, bpmn-engine and
 * this project use, with smqp 11's names and shapes.
 */

export interface MessageFields extends Record<string, any> {
  /** the exchange the message was published to */
  exchange?: string;
  routingKey?: string;
  /** the consumer the message was delivered to */
  consumerTag?: string;
  /** set on a message requeued by nack/reject or restored by recover */
  redelivered?: boolean;
}

export interface MessageProperties extends Record<string, any> {
  messageId?: string;
  /** milliseconds the message may wait in a queue */
  expiration?: number;
  /** timestamp + expiration, set by the queue */
  ttl?: number;
  timestamp?: number;
  /** returned through the broker's `return` event when no queue takes it */
  mandatory?: boolean;
  /** false: dropped when the queue is recovered from a state */
  persistent?: boolean;
  confirm?: boolean;
  'source-exchange'?: string;
  'shovel-name'?: string;
}

export abstract class MessageMessage {
  fields: MessageFields;
  content?: any;
  properties: MessageProperties;
}

export class Message extends MessageMessage {
  constructor(fields: MessageFields, content?: any, properties?: MessageProperties);
  /** @param allUpTo also ack the pending messages before this one */
  ack(allUpTo?: boolean): void;
  /** @param requeue default true: put back in place, flagged redelivered */
  nack(allUpTo?: boolean, requeue?: boolean): void;
  reject(requeue?: boolean): void;
  get pending(): boolean;
}

export type onMessage = (routingKey: string, message: Message, owner?: any) => void;

export interface ConsumeOptions {
  consumerTag?: string;
  /** default 1 */
  prefetch?: number;
  /** default 0, higher first */
  priority?: number;
  noAck?: boolean;
  exclusive?: boolean;
  [x: string]: any;
}

export interface QueueOptions {
  /** default true: deleted when its last consumer goes */
  autoDelete?: boolean;
  /** part of the broker state */
  durable?: boolean;
  maxLength?: number;
  messageTtl?: number;
  deadLetterExchange?: string;
  deadLetterRoutingKey?: string;
  [x: string]: any;
}
export type queueOptions = QueueOptions;

export interface MessageState {
  fields: MessageFields;
  content?: any;
  properties: MessageProperties;
}

export interface QueueState {
  name: string;
  options: QueueOptions;
  messages?: MessageState[];
}

export class Consumer {
  readonly options: ConsumeOptions & { consumerTag: string; prefetch: number; priority: number; noAck: boolean };
  readonly queue: Queue;
  readonly onMessage: onMessage;
  readonly owner?: any;
  get consumerTag(): string;
  get ready(): boolean;
  get stopped(): boolean;
  get capacity(): number;
  get messageCount(): number;
  get queueName(): string;
  cancel(requeue?: boolean): void;
  nackAll(requeue?: boolean): void;
  ackAll(): void;
  prefetch(value: number): void;
  on(eventName: 'cancel', handler: (consumer: Consumer) => void): { cancel(): void };
  recover(): void;
  stop(): void;
}

export class Queue {
  constructor(name?: string | null, options?: QueueOptions, broker?: Broker);
  options: QueueOptions;
  messages: Message[];
  get name(): string;
  get consumerCount(): number;
  get consumers(): Consumer[];
  get exclusive(): boolean;
  get messageCount(): number;
  get stopped(): boolean;
  /** every message entering the queue passes here */
  queueMessage(fields?: MessageFields, content?: any, properties?: MessageProperties): number | undefined;
  consume(onMessage: onMessage, options?: ConsumeOptions, owner?: any): Consumer;
  assertConsumer(onMessage: onMessage, options?: ConsumeOptions, owner?: any): Consumer;
  get(options?: { noAck?: boolean; consumerTag?: string }): Message | false;
  ack(message: Message, allUpTo?: boolean): void;
  nack(message: Message, allUpTo?: boolean, requeue?: boolean): void;
  reject(message: Message, requeue?: boolean): void;
  ackAll(): void;
  nackAll(requeue?: boolean): void;
  peek(ignoreDelivered?: boolean): Message | undefined;
  cancel(consumerTag: string, requeue?: boolean): boolean;
  dismiss(onMessage: onMessage, requeue?: boolean): void;
  unbindConsumer(consumer: Consumer, requeue?: boolean): void;
  purge(): number;
  getState(): QueueState;
  recover(state?: QueueState): Queue;
  delete(options?: { ifUnused?: boolean; ifEmpty?: boolean }): { messageCount: number } | undefined;
  close(): void;
  stop(): void;
}

export type exchangeType = 'topic' | 'direct';

export interface ExchangeOptions {
  /** default true */
  durable?: boolean;
  /** default true: deleted when its last binding goes */
  autoDelete?: boolean;
  [x: string]: any;
}

export interface BindingState {
  id: string;
  options: { priority: number; [x: string]: any };
  queueName: string;
  pattern: string;
}

export interface ExchangeState {
  name: string;
  type: exchangeType;
  options: ExchangeOptions;
  /** messages published during a routing and not routed yet, as smqp 11's delivery queue */
  deliveryQueue?: QueueState;
  bindings?: BindingState[];
}

export class Binding {
  readonly id: string;
  readonly options: { priority: number; [x: string]: any };
  readonly pattern: string;
  readonly exchange: Exchange;
  readonly queue: Queue;
  testPattern(routingKey: string): boolean;
  close(): void;
  getState(): BindingState;
}

export class Exchange {
  constructor(name: string, type?: exchangeType, options?: ExchangeOptions);
  options: ExchangeOptions;
  get name(): string;
  get type(): exchangeType;
  get bindingCount(): number;
  get bindings(): Binding[];
  get stopped(): boolean;
  get undeliveredCount(): number;
  publish(routingKey: string, content?: any, properties?: MessageProperties): number | undefined;
  bindQueue(queue: Queue, pattern: string, bindOptions?: { priority?: number; [x: string]: any }): Binding;
  unbindQueue(queue: Queue, pattern: string): void;
  unbindQueueByName(queueName: string): void;
  closeBinding(binding: Binding): void;
  getBinding(queueName: string, pattern: string): Binding | undefined;
  getState(): ExchangeState;
  recover(state?: ExchangeState, getQueue?: (name: string) => Queue | undefined): Exchange;
  stop(): void;
  close(): void;
  on(eventName: 'delete', handler: (exchange: Exchange) => void): { cancel(): void };
}

export interface BrokerState {
  exchanges?: ExchangeState[];
  queues?: QueueState[];
}

export interface ShovelSource {
  broker?: Broker;
  exchange: string;
  pattern?: string;
  queue?: string;
  priority?: number;
  consumerTag?: string;
}

export interface ShovelDestination {
  broker: Broker;
  exchange: string;
  exchangeKey?: string;
  publishProperties?: MessageProperties;
}

export interface ShovelOptions {
  cloneMessage?: (message: MessageState) => { content?: any; properties?: MessageProperties };
  [x: string]: any;
}

export class Shovel {
  constructor(name: string, source: ShovelSource & { broker: Broker }, destination: ShovelDestination, options?: ShovelOptions);
  readonly source: ShovelSource & { pattern: string };
  readonly destination: ShovelDestination;
  get name(): string;
  get closed(): boolean;
  get consumerTag(): string;
  close(): void;
}

export interface Exchange2Exchange {
  readonly name: string;
  readonly source: string;
  readonly destination: string;
  readonly pattern: string;
  readonly queue: string | undefined;
  readonly consumerTag: string;
  close(): void;
}

export interface ConsumerInfo {
  queue: string;
  consumerTag: string;
  ready: boolean;
  options: ConsumeOptions;
}

/** What a `broker.on` callback receives: the event name and, for message events, the message. */
export interface BrokerEvent extends Partial<MessageMessage> {
  name: string;
}

export interface BrokerListener {
  readonly consumerTag: string;
  cancel(): void;
}

export function Broker(owner?: any): Broker;
export class Broker {
  constructor(owner?: any);
  owner?: any;
  get exchangeCount(): number;
  get queueCount(): number;
  get consumerCount(): number;
  subscribe(exchangeName: string, pattern: string, queueName: string | null, onMessage: onMessage, options?: ConsumeOptions & QueueOptions): Consumer;
  subscribeTmp(exchangeName: string, pattern: string, onMessage: onMessage, options?: ConsumeOptions & QueueOptions): Consumer;
  subscribeOnce(exchangeName: string, pattern: string, onMessage: onMessage, options?: { consumerTag?: string; priority?: number }): Consumer;
  unsubscribe(queueName: string, onMessage: onMessage): void;
  assertExchange(exchangeName: string, type?: exchangeType, options?: ExchangeOptions): Exchange;
  assertQueue(queueName: string | null | undefined, options?: QueueOptions): Queue;
  bindQueue(queueName: string, exchangeName: string, pattern: string, bindOptions?: { priority?: number; [x: string]: any }): Binding;
  unbindQueue(queueName: string, exchangeName: string, pattern: string): void;
  consume(queueName: string, onMessage: onMessage, options?: ConsumeOptions): Consumer;
  cancel(consumerTag: string, requeue?: boolean): boolean;
  getExchange(exchangeName: string): Exchange | undefined;
  getQueue(queueName: string): Queue | undefined;
  createQueue(queueName?: string | null, options?: QueueOptions): Queue;
  deleteExchange(exchangeName: string, options?: { ifUnused?: boolean }): boolean;
  purgeQueue(queueName: string): number | undefined;
  sendToQueue(queueName: string, content: any, options?: MessageProperties): number | undefined;
  deleteQueue(queueName: string, options?: { ifUnused?: boolean; ifEmpty?: boolean }): { messageCount: number } | undefined;
  bindExchange(source: string, destination: string, pattern?: string, options?: ShovelOptions & { priority?: number }): Exchange2Exchange;
  unbindExchange(source: string, destination: string, pattern?: string): boolean;
  createShovel(name: string, source: ShovelSource, destination: ShovelDestination, options?: ShovelOptions): Shovel;
  closeShovel(name: string): boolean;
  getShovel(name: string): Shovel | undefined;
  getShovels(): Shovel[];
  getConsumers(): ConsumerInfo[];
  getConsumer(consumerTag: string): Consumer | undefined;
  stop(): void;
  close(): void;
  reset(): void;
  getState(): BrokerState;
  getState(onlyWithContent: boolean): BrokerState | undefined;
  recover(state?: BrokerState): Broker;
  publish(exchangeName: string, routingKey: string, content?: any, properties?: MessageProperties): number | undefined;
  get(queueName: string, options?: { noAck?: boolean }): Message | false | undefined;
  ack(message: Message, allUpTo?: boolean): void;
  ackAll(): void;
  nack(message: Message, allUpTo?: boolean, requeue?: boolean): void;
  nackAll(requeue?: boolean): void;
  reject(message: Message, requeue?: boolean): void;
  validateConsumerTag(consumerTag: string): boolean;
  on(eventName: string, callback: (event: BrokerEvent) => void, options?: { consumerTag?: string }): BrokerListener;
  off(eventName: string, callbackOrObject: CallableFunction | { consumerTag?: string }): void;
  prefetch(value?: number): void;
}

export class SmqpError extends Error {
  constructor(message: string, code: string);
  readonly type: string;
  readonly code: string;
}

export const ERR_CONSUMER_TAG_CONFLICT: 'ERR_SMQP_CONSUMER_TAG_CONFLICT';
export const ERR_EXCHANGE_TYPE_MISMATCH: 'ERR_SMQP_EXCHANGE_TYPE_MISMATCH';
export const ERR_EXCLUSIVE_CONFLICT: 'ERR_SMQP_EXCLUSIVE_CONFLICT';
export const ERR_EXCLUSIVE_NOT_ALLOWED: 'ERR_SMQP_EXCLUSIVE_NOT_ALLOWED';
export const ERR_QUEUE_DURABLE_MISMATCH: 'ERR_SMQP_QUEUE_DURABLE_MISMATCH';
export const ERR_QUEUE_NAME_CONFLICT: 'ERR_SMQP_QUEUE_NAME_CONFLICT';
export const ERR_QUEUE_NOT_FOUND: 'ERR_SMQP_QUEUE_NOT_FOUND';
export const ERR_SHOVEL_DESTINATION_EXCHANGE_NOT_FOUND: 'ERR_SMQP_SHOVEL_DESTINATION_EXCHANGE_NOT_FOUND';
export const ERR_SHOVEL_NAME_CONFLICT: 'ERR_SMQP_SHOVEL_NAME_CONFLICT';
export const ERR_SHOVEL_SOURCE_EXCHANGE_NOT_FOUND: 'ERR_SMQP_SHOVEL_SOURCE_EXCHANGE_NOT_FOUND';

/** A compiled topic pattern (`*` one word, `#` anything). */
export function getRoutingKeyPattern(pattern: string): { test(routingKey: string): boolean };

export default Broker;
