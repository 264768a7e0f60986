import { eventEntities } from '@commerce-supergraph/shared/events/tables';
import { Brand } from './brand.js';
import { Category } from './category.js';
import { Product } from './product.js';
import { Reservation } from './reservation.js';
import { ReservationRejection } from './reservation-rejection.js';
import { ReservationTombstone } from './reservation-tombstone.js';

export { ReservationStatus } from './reservation.js';
export { Brand, Category, Product, Reservation, ReservationRejection, ReservationTombstone };

/**
 * The outbox and inbox tables live in this database too: events commit with the changes they report,
 * and the saga's handlers (order created, cancelled, paid) record what they handled with their effects.
 */
export const entities = [
  Brand,
  Category,
  Product,
  Reservation,
  ReservationRejection,
  ReservationTombstone,
  ...eventEntities,
];
