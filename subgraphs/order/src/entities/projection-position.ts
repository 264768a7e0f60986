import { BigIntType, type Opt, PrimaryKeyProp } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/**
 * How far the price projection has read: the highest CATALOG stream sequence its consumer applied,
 * written in the same transaction as the projection row. placeOrder compares it with the stream's
 * last upserted event before pricing (see events/catalog-barrier.ts), so one cheap read replaces a
 * request to the server in the normal case.
 */
@Entity({ tableName: 'projection_positions' })
export class ProjectionPosition {
  [PrimaryKeyProp]?: 'consumer';

  /** The projection's durable consumer (named after this database, see projectionConsumerName). */
  @PrimaryKey({ type: 'text' })
  consumer!: string;

  @Property({ type: new BigIntType('number') })
  streamSequence!: number;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  updatedAt!: Date & Opt;
}
