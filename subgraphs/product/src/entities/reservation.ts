import { TimestampedEntity } from '@commerce-supergraph/shared/db/base-entities';
import type { Opt, Ref } from '@mikro-orm/core';
import { Check, Entity, Enum, ManyToOne, Property, Unique } from '@mikro-orm/decorators/legacy';
import { Product } from './product.js';

export enum ReservationStatus {
  RESERVED = 'RESERVED',
  RELEASED = 'RELEASED',
  SOLD = 'SOLD',
}

/**
 * Units of one product held for one order. The (order, product) key means an order can hold a
 * product only once, so repeating a reserve can never hold the stock twice.
 */
@Entity({ tableName: 'reservations' })
@Unique({ properties: ['orderId', 'product'] })
@Check({ name: 'reservations_quantity_check', expression: 'quantity > 0' })
export class Reservation extends TimestampedEntity {
  @Property({ type: 'uuid' })
  orderId!: string;

  @ManyToOne(() => Product, { ref: true })
  product!: Ref<Product>;

  @Property({ type: 'integer' })
  quantity!: number;

  @Enum({ items: () => ReservationStatus, nativeEnumName: 'reservation_status' })
  status: ReservationStatus & Opt = ReservationStatus.RESERVED;
}
