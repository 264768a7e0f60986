import { CreatedAtEntity } from '@commerce-supergraph/shared/db/base-entities';
import { Money, money } from '@commerce-supergraph/shared/graphql/money';
import type { Opt } from '@mikro-orm/core';
import { Check, Entity, Enum, Index, Property, Unique } from '@mikro-orm/decorators/legacy';
import { Directive, Field, ObjectType, registerEnumType } from 'type-graphql';

/** PENDING -> CONFIRMED | REJECTED | CANCELLED; CONFIRMED -> PAID | CANCELLED. The rest are final. */
export enum OrderStatus {
  PENDING = 'PENDING',
  CONFIRMED = 'CONFIRMED',
  REJECTED = 'REJECTED',
  PAID = 'PAID',
  CANCELLED = 'CANCELLED',
}

export enum CancellationReason {
  CUSTOMER = 'CUSTOMER',
  EXPIRED = 'EXPIRED',
}

registerEnumType(OrderStatus, {
  name: 'OrderStatus',
  description: 'PENDING until stock is reserved (CONFIRMED) or refused (REJECTED); PAID or CANCELLED after that.',
});
registerEnumType(CancellationReason, {
  name: 'CancellationReason',
  description: 'CUSTOMER: cancelled by the customer; EXPIRED: left unpaid past the payment time limit.',
});

/**
 * An order with its total as a snapshot: the prices of the moment it was placed, whatever the
 * catalog says later. Status changes are conditional updates on the current status (see
 * domain/transitions.ts), so a redelivered event or a race changes nothing twice; `version` counts
 * the changes an order has gone through.
 */
@Entity({ tableName: 'orders' })
// The client's idempotency key: a second order with the same key from the same customer cannot exist.
@Unique({
  name: 'orders_customer_id_idempotency_key_unique',
  properties: ['customerId', 'idempotencyKey'],
  where: 'idempotency_key is not null',
})
// Serves a customer's orders newest first (keyset on created_at desc, id desc; btree reads backwards).
@Index({ name: 'orders_customer_id_created_at_id_index', properties: ['customerId', 'createdAt', 'id'] })
// Serve the expiry sweep: only unpaid confirmed orders, and only unanswered pending ones, so both stay small.
@Index({ name: 'orders_confirmed_at_unpaid_index', properties: ['confirmedAt'], where: "status = 'CONFIRMED'" })
@Index({ name: 'orders_created_at_pending_index', properties: ['createdAt'], where: "status = 'PENDING'" })
// Serves the open-order cap's count at every placement (open-order-cap.ts): only open orders, index-only.
@Index({
  name: 'orders_customer_id_open_index',
  properties: ['customerId'],
  where: "status in ('PENDING', 'CONFIRMED')",
})
@Check({ name: 'orders_total_check', expression: 'total_amount >= 0' })
@Check({ name: 'orders_rejection_check', expression: "(status = 'REJECTED') = (rejection_reason is not null)" })
@Check({ name: 'orders_cancellation_check', expression: "(status = 'CANCELLED') = (cancellation_reason is not null)" })
@ObjectType({ description: "A customer's order. Only its customer and admins can see it." })
@Directive('@key(fields: "id")')
export class Order extends CreatedAtEntity {
  /** The customer subgraph's customer; exposed as the `customer` entity reference. */
  @Property({ type: 'uuid' })
  customerId!: string;

  @Enum({ items: () => OrderStatus, nativeEnumName: 'order_status' })
  @Field(() => OrderStatus)
  status: OrderStatus & Opt = OrderStatus.PENDING;

  /** numeric(18,2): up to 50 lines of 100 units of the dearest price the catalog allows. */
  @Property({ type: 'decimal', precision: 18, scale: 2 })
  totalAmount!: string;

  @Property({ type: 'text' })
  currency!: string;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Why the order was rejected, e.g. "Not enough stock for …".' })
  rejectionReason?: string | null;

  @Enum({ items: () => CancellationReason, nativeEnumName: 'cancellation_reason', nullable: true })
  @Field(() => CancellationReason, { nullable: true })
  cancellationReason?: CancellationReason | null;

  @Property({ type: 'text', nullable: true })
  idempotencyKey?: string | null;

  @Property({ type: 'integer' })
  version: number & Opt = 1;

  @Field(() => Date)
  declare createdAt: Date & Opt;

  /** Set by the database clock when stock was reserved; the payment time limit counts from here. */
  @Property({ type: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true })
  confirmedAt?: Date | null;

  /** Set with each status change (domain/transitions.ts), not on every flush: not a TimestampedEntity. */
  @Property({ type: 'timestamptz' })
  @Field(() => Date)
  updatedAt: Date & Opt = new Date();

  @Field(() => Money, { description: 'The sum of the line totals, in the order currency.' })
  get total(): Money & Opt {
    return money(this.totalAmount, this.currency);
  }
}
