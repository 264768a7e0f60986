import type { EventEnvelope } from '@commerce-supergraph/shared/events/envelope';
import type { StreamSpec } from '@commerce-supergraph/shared/events/jetstream/streams';
import { recordEvent } from '@commerce-supergraph/shared/events/outbox';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { CancellationReason } from '../entities/index.js';

/** The order subgraph publishes to, and owns, these streams. */
export const ORDERS_STREAM: StreamSpec = { name: 'ORDERS', subjects: ['orders.>'] };
export const PAYMENTS_STREAM: StreamSpec = { name: 'PAYMENTS', subjects: ['payments.>'] };

export const SOURCE = 'order';

/** The contract is the JSON shape (README, Events), versioned in the subject; consumers keep their own copy. */
export const OrderSubjects = {
  created: 'orders.order.created.v1',
  confirmed: 'orders.order.confirmed.v1',
  rejected: 'orders.order.rejected.v1',
  cancelled: 'orders.order.cancelled.v1',
  paymentSucceeded: 'payments.payment.succeeded.v1',
  paymentFailed: 'payments.payment.failed.v1',
} as const;

/** Amounts are decimal strings with two places ("59.80"), never floats. */
export interface OrderCreated {
  orderId: string;
  customerId: string;
  items: { productId: string; quantity: number; unitPrice: string }[];
  total: string;
  currency: string;
}

export interface OrderConfirmed {
  orderId: string;
  customerId: string;
  total: string;
  currency: string;
}

export interface OrderRejected {
  orderId: string;
  customerId: string;
  reason: string;
}

export interface OrderCancelled {
  orderId: string;
  customerId: string;
  reason: CancellationReason;
}

export interface PaymentSucceeded {
  paymentId: string;
  orderId: string;
  customerId: string;
  amount: string;
  currency: string;
  providerReference: string;
}

export interface PaymentFailed {
  paymentId: string;
  orderId: string;
  customerId: string;
  amount: string;
  currency: string;
  reason: string;
}

interface Payloads {
  [OrderSubjects.created]: OrderCreated;
  [OrderSubjects.confirmed]: OrderConfirmed;
  [OrderSubjects.rejected]: OrderRejected;
  [OrderSubjects.cancelled]: OrderCancelled;
  [OrderSubjects.paymentSucceeded]: PaymentSucceeded;
  [OrderSubjects.paymentFailed]: PaymentFailed;
}

/** What caused a change: a request (its id correlates the chain), a consumed event, or a sweep. */
export interface Cause {
  correlationId: string;
  causationId?: string;
}

/** Adds an event to the outbox of `em`'s transaction; call it inside that transaction, next to the change. */
export function recordOrderEvent<S extends keyof Payloads>(
  em: EntityManager,
  cause: Cause,
  subject: S,
  data: Payloads[S],
): EventEnvelope<Payloads[S]> {
  return recordEvent(em, { subject, data, source: SOURCE, ...cause });
}
