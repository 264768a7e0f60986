import { consumedEvent, type EventData, eventFields as f } from '@commerce-supergraph/shared/events/consumed-event';
import { z } from 'zod';

/**
 * This subgraph's own copy of the events it consumes (docs/architecture.md, Events), as schemas: the
 * contract is the JSON shape, versioned in the subject, and the service that publishes it. Only the
 * fields it reads are declared. An envelope that does not match (a field missing or malformed,
 * another source) is dead-lettered unapplied; the types below are inferred from the schemas.
 */
export const Consumed = {
  /** Stream CUSTOMERS, owned by the customer subgraph. */
  customerRegistered: consumedEvent('customers.customer.registered.v1', {
    source: 'customer',
    data: z.object({ customerId: f.id() }),
  }),
  /** Stream CUSTOMERS, owned by the customer subgraph. */
  customerDeleted: consumedEvent('customers.customer.deleted.v1', {
    source: 'customer',
    data: z.object({ customerId: f.id(), deletedAt: f.instant() }),
  }),
  /** Stream PAYMENTS, owned by the order subgraph. */
  paymentSucceeded: consumedEvent('payments.payment.succeeded.v1', {
    source: 'order',
    data: z.object({ paymentId: f.id(), orderId: f.id(), customerId: f.id() }),
  }),
  /** Stream PAYMENTS, owned by the order subgraph. */
  paymentFailed: consumedEvent('payments.payment.failed.v1', {
    source: 'order',
    data: z.object({ paymentId: f.id(), orderId: f.id(), customerId: f.id(), reason: f.text() }),
  }),
} as const;

export const ConsumedSubjects = {
  customerRegistered: Consumed.customerRegistered.subject,
  customerDeleted: Consumed.customerDeleted.subject,
  paymentSucceeded: Consumed.paymentSucceeded.subject,
  paymentFailed: Consumed.paymentFailed.subject,
} as const;

export type CustomerRegistered = EventData<typeof Consumed.customerRegistered>;
export type CustomerDeleted = EventData<typeof Consumed.customerDeleted>;
export type PaymentSucceeded = EventData<typeof Consumed.paymentSucceeded>;
export type PaymentFailed = EventData<typeof Consumed.paymentFailed>;
