import type { Logger } from 'pino';
import type { EventEnvelope } from './envelope.js';

/** What a handler learns about the delivery it is running for. */
export interface Delivery {
  /** The durable consumer's name: `<service>__<subject with dots as underscores>`. */
  consumer: string;
  /** 1 on the first delivery, then 2, 3, ... on redeliveries. */
  deliveryCount: number;
  /** The message's sequence in its stream, when the bus has one (JetStream does). */
  streamSequence?: number;
  /** Carries eventId, subject, correlationId, causationId, consumer and deliveryCount. */
  log: Logger;
}

export type EventHandler = (envelope: EventEnvelope, delivery: Delivery) => Promise<void>;

/** How often and how patiently a failing handler is retried before its message is dead-lettered. */
export interface RetryPolicy {
  /** Deliveries a handler gets, the first included; the last failure dead-letters the message. */
  maxDeliver: number;
  /** Delay before redelivery n+1 after failed delivery n; the last value repeats. */
  backoffMs: number[];
}

const DEFAULT_RETRY: RetryPolicy = { maxDeliver: 5, backoffMs: [1_000, 5_000, 15_000, 30_000] };

export interface SubscribeOptions {
  /** Overrides the durable name (e.g. a second, independent consumer of one subject). */
  name?: string;
  retry?: Partial<RetryPolicy>;
  /** Messages handled at once. 1 (the default) keeps the stream's order for this consumer. */
  concurrency?: number;
}

/** A message that ran out of deliveries, kept with its error so someone can look and replay it. */
export interface DeadLetter {
  consumer: string;
  subject: string;
  eventId: string | null;
  deliveryCount: number;
  error: string;
  failedAt: string;
  /** The original envelope; null when the message was not a valid envelope (then see `raw`). */
  envelope: EventEnvelope | null;
  raw: string | null;
}

export interface PublishResult {
  /** True when the bus already held an event with this id and dropped the new copy. */
  duplicate: boolean;
}

/**
 * Publish-subscribe with at-least-once delivery, which every implementation must honour (see the
 * contract suite in shared/test/events): publishing an id twice stores it once; subscriptions are
 * durable and start at the oldest event; a failing handler is redelivered with backoff, then
 * dead-lettered with its error. Handlers must therefore be idempotent (see withInbox).
 */
export interface EventBus {
  /** Resolves once the bus has durably stored the event. */
  publish(envelope: EventEnvelope): Promise<PublishResult>;
  /** Starts (or resumes) the durable consumer of one subject; one per service and subject. */
  subscribe(subject: string, handler: EventHandler, options?: SubscribeOptions): Promise<void>;
  /** False while the transport is away; publishers then leave events in the outbox. */
  isConnected(): boolean;
  /** Stops taking messages, lets in-flight handlers finish, then lets go of the transport. */
  close(): Promise<void>;
}

/** `credit-status` + `customers.customer.registered.v1` -> `credit-status__customers_customer_registered_v1`. */
export const consumerName = (service: string, subject: string): string => `${service}__${subject.replaceAll('.', '_')}`;

/** Where a consumer's dead letters go: filterable by service and by original subject. */
export const deadLetterSubject = (prefix: string, service: string, subject: string): string =>
  `${prefix}.${service}.${subject}`;

export const retryPolicy = (overrides: Partial<RetryPolicy> = {}): RetryPolicy => ({ ...DEFAULT_RETRY, ...overrides });

/** The delay before the next delivery after delivery `deliveryCount` failed. */
export function retryDelay(policy: RetryPolicy, deliveryCount: number): number {
  const { backoffMs } = policy;
  return backoffMs[Math.min(deliveryCount - 1, backoffMs.length - 1)] ?? 1_000;
}
