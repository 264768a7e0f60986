import { consumedEvent, type EventData, eventFields as f } from '@commerce-supergraph/shared/events/consumed-event';
import { z } from 'zod';

/**
 * This subgraph's own copy of the events it consumes (docs/architecture.md, Events), as schemas: the
 * contract is the JSON shape, versioned in the subject, and the service that publishes it. The
 * CATALOG and INVENTORY streams belong to the product subgraph. An envelope that does not match (a
 * field missing or malformed, another source) is dead-lettered unapplied; the types below are
 * inferred from the schemas, so they cannot drift apart.
 */
const PRODUCT = 'product';

const shortLine = z.object({ productId: f.id(), requested: f.quantity(), available: f.count() });

export const Consumed = {
  productUpserted: consumedEvent('catalog.product.upserted.v1', {
    source: PRODUCT,
    data: z.object({
      id: f.id(),
      sku: f.text(),
      name: f.text(),
      /** A decimal string with two places, e.g. "19.90". */
      price: f.amount(),
      currency: f.currency(),
      active: z.boolean(),
    }),
  }),
  reservationReserved: consumedEvent('inventory.reservation.reserved.v1', {
    source: PRODUCT,
    data: z.object({
      orderId: f.id(),
      lines: z.array(z.object({ productId: f.id(), quantity: f.quantity() })).min(1),
    }),
  }),
  reservationRejected: consumedEvent('inventory.reservation.rejected.v1', {
    source: PRODUCT,
    data: z.object({ orderId: f.id(), shortLines: z.array(shortLine) }),
  }),
  /** Stream CUSTOMERS, owned by the customer subgraph. */
  customerDeleted: consumedEvent('customers.customer.deleted.v1', {
    source: 'customer',
    data: z.object({ customerId: f.id(), deletedAt: f.instant() }),
  }),
} as const;

export const ConsumedSubjects = {
  productUpserted: Consumed.productUpserted.subject,
  reservationReserved: Consumed.reservationReserved.subject,
  reservationRejected: Consumed.reservationRejected.subject,
  customerDeleted: Consumed.customerDeleted.subject,
} as const;

export type ProductUpserted = EventData<typeof Consumed.productUpserted>;
export type ReservationReserved = EventData<typeof Consumed.reservationReserved>;
export type ReservationRejected = EventData<typeof Consumed.reservationRejected>;
export type CustomerDeleted = EventData<typeof Consumed.customerDeleted>;
export type ShortLine = z.output<typeof shortLine>;
