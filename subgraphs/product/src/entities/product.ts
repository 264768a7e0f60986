import { TimestampedEntity } from '@commerce-supergraph/shared/db/base-entities';
import { Money, money } from '@commerce-supergraph/shared/graphql/money';
import type { Opt, Ref } from '@mikro-orm/core';
import { Check, Entity, Index, ManyToOne, Property, Unique } from '@mikro-orm/decorators/legacy';
import { Directive, Field, Int, ObjectType } from 'type-graphql';
import { Brand } from './brand.js';
import { Category } from './category.js';

/** The currency of a product created without one. */
const DEFAULT_CURRENCY = 'USD';

const trigramIndex = (column: string) => ({
  name: `products_${column}_trgm_index`,
  // pg_trgm serves `ilike '%term%'` (the contract's case-insensitive search on name or sku); a
  // btree on lower(column) would only serve prefix matches.
  expression: `create index "products_${column}_trgm_index" on "products" using gin ("${column}" gin_trgm_ops)`,
});

/**
 * A product: what is sold, at what price, and how many are left. Also the federated `Product`
 * entity the order subgraph references by id. Stock is `onHand` and `reserved`; the database
 * refuses any row where reserved stock is negative or exceeds what is on hand, so `available`
 * cannot drop below zero whatever runs concurrently.
 */
@Entity({ tableName: 'products' })
@Check({ name: 'products_stock_check', expression: 'reserved >= 0 and reserved <= on_hand' })
@Check({ name: 'products_price_check', expression: 'price_amount > 0' })
@Unique({
  name: 'products_sku_lower_unique',
  expression: 'create unique index "products_sku_lower_unique" on "products" (lower("sku"))',
})
// The list order (name, id) is the keyset cursor; each filter has an index that yields that order.
@Index({ name: 'products_name_id_index', properties: ['name', 'id'] })
@Index({ name: 'products_brand_id_name_id_index', properties: ['brand', 'name', 'id'] })
@Index({ name: 'products_category_id_name_id_index', properties: ['category', 'name', 'id'] })
@Index({ name: 'products_in_stock_name_id_index', properties: ['name', 'id'], where: 'on_hand > reserved' })
@Index(trigramIndex('name'))
@Index(trigramIndex('sku'))
@ObjectType({ description: 'A product of the catalog.' })
@Directive('@key(fields: "id")')
export class Product extends TimestampedEntity {
  /** Kept as entered; unique regardless of case. */
  @Property({ type: 'text' })
  @Field(() => String)
  sku!: string;

  @Property({ type: 'text' })
  @Field(() => String)
  name!: string;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  description?: string | null;

  /** numeric(14,2), kept as the exact decimal string PostgreSQL returns. */
  @Property({ type: 'decimal', precision: 14, scale: 2 })
  priceAmount!: string;

  @Property({ type: 'text' })
  currencyCode: string & Opt = DEFAULT_CURRENCY;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  imageUrl?: string | null;

  @Property({ type: 'boolean' })
  @Field(() => Boolean, { description: 'Inactive products are not listed and cannot be ordered.' })
  active: boolean & Opt = true;

  @ManyToOne(() => Brand, { ref: true, nullable: true })
  brand?: Ref<Brand> | null;

  @ManyToOne(() => Category, { ref: true, nullable: true })
  category?: Ref<Category> | null;

  /** Changed only by atomic SQL updates (see domain/), never by read-modify-write. */
  @Property({ type: 'integer' })
  onHand: number & Opt = 0;

  @Property({ type: 'integer' })
  reserved: number & Opt = 0;

  @Field(() => Date)
  declare createdAt: Date & Opt;

  @Field(() => Date)
  declare updatedAt: Date & Opt;

  // Computed, so `& Opt`: em.create must not ask for them.
  @Field(() => Money)
  get price(): Money & Opt {
    return money(this.priceAmount, this.currencyCode);
  }

  @Field(() => Int, { description: 'Stock on hand minus reserved; never below zero.' })
  get available(): number & Opt {
    return Math.max(0, this.onHand - this.reserved);
  }

  @Field(() => Boolean, { description: 'available > 0.' })
  get inStock(): boolean & Opt {
    return this.available > 0;
  }
}
