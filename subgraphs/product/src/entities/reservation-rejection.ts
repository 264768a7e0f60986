import type { Opt } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import type { ShortLine } from '../events/contracts/published.js';

/**
 * An order whose reservation was refused, with the lines that were short. Kept so that asking
 * again for the same order gives the first answer, even after a restock in between; the lines
 * are kept as they were announced.
 */
@Entity({ tableName: 'reservation_rejections' })
export class ReservationRejection {
  @PrimaryKey({ type: 'uuid' })
  orderId!: string;

  @Property({ type: 'json' })
  shortLines!: ShortLine[];

  @Property({ type: 'timestamptz' })
  rejectedAt: Date & Opt = new Date();
}
