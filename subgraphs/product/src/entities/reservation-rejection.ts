import type { Opt } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

export interface ShortLine {
  productId: string;
  requested: number;
  available: number;
}

/**
 * An order whose reservation was refused, with the lines that were short. Kept so that asking
 * again for the same order gives the first answer, even after a restock in between.
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
