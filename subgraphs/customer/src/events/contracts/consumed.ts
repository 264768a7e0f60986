import { consumedEvent, type EventData, eventFields as f } from '@commerce-supergraph/shared/events/consumed-event';
import { z } from 'zod';

/**
 * This subgraph's own copy of the events it consumes (docs/architecture.md, Events), as schemas: the
 * contract is the JSON shape, versioned in the subject, and the service that publishes it. The
 * ORDERS and PAYMENTS streams belong to the order subgraph; only the fields read here are declared.
 * An envelope that does not match (a field missing or malformed, another source) is dead-lettered
 * unapplied; the types below are inferred from the schemas, so they cannot drift apart.
 */
const ORDER = 'order';

export const Consumed = {
  orderConfirmed: consumedEvent('orders.order.confirmed.v1', {
    source: ORDER,
    data: z.object({ orderId: f.id(), customerId: f.id(), total: f.amount(), currency: f.currency() }),
  }),
  orderRejected: consumedEvent('orders.order.rejected.v1', {
    source: ORDER,
    data: z.object({ orderId: f.id(), customerId: f.id(), reason: f.text() }),
  }),
  paymentSucceeded: consumedEvent('payments.payment.succeeded.v1', {
    source: ORDER,
    data: z.object({
      paymentId: f.id(),
      orderId: f.id(),
      customerId: f.id(),
      amount: f.amount(),
      currency: f.currency(),
      providerReference: f.text(),
    }),
  }),
} as const;

export const ConsumedSubjects = {
  orderConfirmed: Consumed.orderConfirmed.subject,
  orderRejected: Consumed.orderRejected.subject,
  paymentSucceeded: Consumed.paymentSucceeded.subject,
} as const;

export type OrderConfirmed = EventData<typeof Consumed.orderConfirmed>;
export type OrderRejected = EventData<typeof Consumed.orderRejected>;
export type PaymentSucceeded = EventData<typeof Consumed.paymentSucceeded>;
