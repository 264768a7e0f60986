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
  orderCreated: consumedEvent('orders.order.created.v1', {
    source: ORDER,
    data: z.object({
      orderId: f.id(),
      items: z.array(z.object({ productId: f.id(), quantity: f.quantity() })).min(1),
    }),
  }),
  orderCancelled: consumedEvent('orders.order.cancelled.v1', {
    source: ORDER,
    data: z.object({ orderId: f.id(), reason: z.enum(['CUSTOMER', 'EXPIRED']) }),
  }),
  /** An order that ended without being confirmed: short of stock, or unanswered past its deadline. */
  orderRejected: consumedEvent('orders.order.rejected.v1', {
    source: ORDER,
    data: z.object({ orderId: f.id(), reason: f.text() }),
  }),
  paymentSucceeded: consumedEvent('payments.payment.succeeded.v1', {
    source: ORDER,
    data: z.object({ orderId: f.id() }),
  }),
} as const;

export const ConsumedSubjects = {
  orderCreated: Consumed.orderCreated.subject,
  orderCancelled: Consumed.orderCancelled.subject,
  orderRejected: Consumed.orderRejected.subject,
  paymentSucceeded: Consumed.paymentSucceeded.subject,
} as const;

export type OrderCreated = EventData<typeof Consumed.orderCreated>;
export type OrderCancelled = EventData<typeof Consumed.orderCancelled>;
export type OrderRejected = EventData<typeof Consumed.orderRejected>;
export type PaymentSucceeded = EventData<typeof Consumed.paymentSucceeded>;
