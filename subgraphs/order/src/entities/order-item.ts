import { randomUUID } from 'node:crypto';
import { Money, money } from '@commerce-supergraph/shared/graphql/money';
import type { Opt, Ref } from '@mikro-orm/core';
import { Check, Entity, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { Field, Int, ObjectType } from 'type-graphql';
import { Order } from './order.js';

/**
 * One line of an order, with the product's name and price as they were when it was placed: the
 * catalog may change later, what the customer agreed to pay does not.
 */
@Entity({ tableName: 'order_items' })
// Distinct products per order (the input is checked; this is the last word). Also serves loading by order.
@Unique({ name: 'order_items_order_id_product_id_unique', properties: ['order', 'productId'] })
@Check({ name: 'order_items_quantity_check', expression: 'quantity >= 1 and quantity <= 100' })
@ObjectType({ description: 'One line of an order.' })
export class OrderItem {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Order, { ref: true, deleteRule: 'cascade' })
  order!: Ref<Order>;

  /** The line's place in the order as it was placed. */
  @Property({ type: 'integer' })
  position!: number;

  @Property({ type: 'uuid' })
  productId!: string;

  @Property({ type: 'text' })
  @Field(() => String, { description: 'The product name when the order was placed.' })
  productName!: string;

  @Property({ type: 'integer' })
  @Field(() => Int)
  quantity!: number;

  @Property({ type: 'decimal', precision: 14, scale: 2 })
  unitPriceAmount!: string;

  @Property({ type: 'decimal', precision: 16, scale: 2 })
  lineTotalAmount!: string;

  @Property({ type: 'text' })
  currency!: string;

  @Field(() => Money, { description: 'The price of one unit when the order was placed.' })
  get unitPrice(): Money & Opt {
    return money(this.unitPriceAmount, this.currency);
  }

  @Field(() => Money, { description: 'unitPrice x quantity.' })
  get lineTotal(): Money & Opt {
    return money(this.lineTotalAmount, this.currency);
  }
}
