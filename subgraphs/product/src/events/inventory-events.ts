import type { EventEnvelope } from '@commerce-supergraph/shared/events/envelope';
import type { StreamSpec } from '@commerce-supergraph/shared/events/jetstream/streams';
import { recordEvent } from '@commerce-supergraph/shared/events/outbox';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ShortLine } from '../entities/index.js';
import { SOURCE } from './catalog-events.js';

/** The product subgraph publishes to, and owns, this stream: the answers of the order saga's step 2. */
export const INVENTORY_STREAM: StreamSpec = { name: 'INVENTORY', subjects: ['inventory.>'] };

/** The contract is the JSON shape (README, Events), versioned in the subject; consumers keep their own copy. */
export const InventorySubjects = {
  reserved: 'inventory.reservation.reserved.v1',
  rejected: 'inventory.reservation.rejected.v1',
} as const;

/** One line per product, as held. */
export interface ReservationReserved {
  orderId: string;
  lines: { productId: string; quantity: number }[];
}

/** Only the lines that were short: `available` is what there was when the reservation was refused. */
export interface ReservationRejected {
  orderId: string;
  shortLines: ShortLine[];
}

interface Payloads {
  [InventorySubjects.reserved]: ReservationReserved;
  [InventorySubjects.rejected]: ReservationRejected;
}

/** The handled event's correlation, caused by it (see causedBy). */
export interface Cause {
  correlationId: string;
  causationId: string;
}

/** Adds an inventory event to the outbox of `em`'s transaction; call it inside that transaction. */
export function recordInventoryEvent<S extends keyof Payloads>(
  em: EntityManager,
  cause: Cause,
  subject: S,
  data: Payloads[S],
): EventEnvelope<Payloads[S]> {
  return recordEvent(em, { subject, data, source: SOURCE, ...cause });
}
