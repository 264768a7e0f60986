import type { StreamSpec } from '@commerce-supergraph/shared/events/jetstream/streams';
import { eventRecorder } from '@commerce-supergraph/shared/events/outbox';

/** The order subgraph publishes to, and owns, these streams. */
export const ORDERS_STREAM: StreamSpec = { name: 'ORDERS', subjects: ['orders.>'] };
export const PAYMENTS_STREAM: StreamSpec = { name: 'PAYMENTS', subjects: ['payments.>'] };

export const SOURCE = 'order';

/**
 * What this subgraph publishes. The contract is the JSON shape, versioned in the subject
 * (docs/architecture.md, Events); consumers keep their own copy.
 */
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
  /** The customer (or an admin) cancelled it, or it was left unpaid too long. */
  reason: 'CUSTOMER' | 'EXPIRED';
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

/** Each subject this subgraph publishes, with the shape of its data. */
export interface OrderPayloads {
  [OrderSubjects.created]: OrderCreated;
  [OrderSubjects.confirmed]: OrderConfirmed;
  [OrderSubjects.rejected]: OrderRejected;
  [OrderSubjects.cancelled]: OrderCancelled;
  [OrderSubjects.paymentSucceeded]: PaymentSucceeded;
  [OrderSubjects.paymentFailed]: PaymentFailed;
}

/** Adds an order or payment event to the outbox of the unit of work, next to the change it reports. */
export const recordOrderEvent = eventRecorder<OrderPayloads>(SOURCE);
