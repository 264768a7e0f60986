import type { Opt } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/**
 * An order released before anything was reserved for it. The order saga's events of one order
 * travel on different consumers, so a cancel can overtake the order's creation: the release then
 * finds nothing to give back and leaves this mark, and the late reserve of that order holds nothing.
 */
@Entity({ tableName: 'reservation_tombstones' })
export class ReservationTombstone {
  @PrimaryKey({ type: 'uuid' })
  orderId!: string;

  @Property({ type: 'timestamptz' })
  releasedAt: Date & Opt = new Date();
}
