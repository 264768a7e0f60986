/**
 * This subgraph's own copy of the events it consumes (docs/architecture.md, Events): the contract
 * is the JSON shape, versioned in the subject. The CATALOG and INVENTORY streams belong to the product subgraph.
 */
export const ConsumedSubjects = {
  productUpserted: 'catalog.product.upserted.v1',
  reservationReserved: 'inventory.reservation.reserved.v1',
  reservationRejected: 'inventory.reservation.rejected.v1',
  /** Stream CUSTOMERS, owned by the customer subgraph. */
  customerDeleted: 'customers.customer.deleted.v1',
} as const;

/** `deletedAt` is ISO UTC. */
export interface CustomerDeleted {
  customerId: string;
  deletedAt: string;
}

export interface ProductUpserted {
  id: string;
  sku: string;
  name: string;
  /** A decimal string with two places, e.g. "19.90". */
  price: string;
  currency: string;
  active: boolean;
}

export interface ReservationReserved {
  orderId: string;
  lines: { productId: string; quantity: number }[];
}

export interface ReservationRejected {
  orderId: string;
  shortLines: ShortLine[];
}

export interface ShortLine {
  productId: string;
  requested: number;
  available: number;
}
