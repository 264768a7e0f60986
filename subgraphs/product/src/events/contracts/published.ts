import type { StreamSpec } from '@commerce-supergraph/shared/events/jetstream/streams';
import { eventRecorder } from '@commerce-supergraph/shared/events/outbox';

/** The product subgraph publishes to, and owns, these streams: the catalog, and the saga's step 2. */
export const CATALOG_STREAM: StreamSpec = { name: 'CATALOG', subjects: ['catalog.>'] };
export const INVENTORY_STREAM: StreamSpec = { name: 'INVENTORY', subjects: ['inventory.>'] };

export const SOURCE = 'product';

/**
 * What this subgraph publishes. The contract is the JSON shape, versioned in the subject
 * (docs/architecture.md, Events); consumers keep their own copy.
 */
export const ProductSubjects = {
  productUpserted: 'catalog.product.upserted.v1',
  reserved: 'inventory.reservation.reserved.v1',
  rejected: 'inventory.reservation.rejected.v1',
} as const;

/**
 * The whole of what other subgraphs price orders with, after every create and change, so a
 * projection is rebuilt by replaying the stream. Stock is left out on purpose: it changes with every
 * order and a price projection has no use for it, so a restock publishes nothing.
 */
export interface ProductUpserted {
  id: string;
  sku: string;
  name: string;
  /** A decimal string with two places, as stored ("19.90"), never a float. */
  price: string;
  currency: string;
  active: boolean;
}

/** One line per product, as held. */
export interface ReservationReserved {
  orderId: string;
  lines: { productId: string; quantity: number }[];
}

/** A line that could not be held: `available` is what there was when the reservation was refused. */
export interface ShortLine {
  productId: string;
  requested: number;
  available: number;
}

/** Only the lines that were short. */
export interface ReservationRejected {
  orderId: string;
  shortLines: ShortLine[];
}

/** Each subject this subgraph publishes, with the shape of its data. */
export interface ProductPayloads {
  [ProductSubjects.productUpserted]: ProductUpserted;
  [ProductSubjects.reserved]: ReservationReserved;
  [ProductSubjects.rejected]: ReservationRejected;
}

/** Adds a catalog or inventory event to the outbox of the unit of work, next to the change it reports. */
export const recordProductEvent = eventRecorder<ProductPayloads>(SOURCE);
