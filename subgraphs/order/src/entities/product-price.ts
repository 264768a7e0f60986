import type { Opt } from '@mikro-orm/core';
import { PrimaryKeyProp } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/**
 * What this subgraph knows of a product: enough to price an order line and to refuse inactive
 * products, fed only by `catalog.product.upserted.v1`. `sourceOccurredAt` and `sourceEventId` are the
 * event the row reflects: an older event arriving late (a redelivery, a replay) never overwrites it.
 */
@Entity({ tableName: 'product_prices' })
export class ProductPrice {
  [PrimaryKeyProp]?: 'productId';

  @PrimaryKey({ type: 'uuid' })
  productId!: string;

  @Property({ type: 'text' })
  sku!: string;

  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'decimal', precision: 14, scale: 2 })
  price!: string;

  @Property({ type: 'text' })
  currency!: string;

  @Property({ type: 'boolean' })
  active!: boolean;

  @Property({ type: 'timestamptz' })
  sourceOccurredAt!: Date;

  @Property({ type: 'uuid' })
  sourceEventId!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  updatedAt!: Date & Opt;
}
