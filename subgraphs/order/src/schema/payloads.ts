import { UserError } from '@commerce-supergraph/shared/graphql/errors';
import { ConnectionOf } from '@commerce-supergraph/shared/graphql/pagination';
import { Field, ObjectType } from 'type-graphql';
import { Order, Payment } from '../entities/index.js';

@ObjectType({ description: "A page of a customer's orders, newest first." })
export class OrderConnection extends ConnectionOf(Order, 'Order') {}

@ObjectType()
export class OrderPayload {
  @Field(() => Order, { nullable: true })
  order: Order | null = null;

  @Field(() => [UserError])
  userErrors: UserError[] = [];
}

@ObjectType({ description: 'A declined charge comes back as a FAILED payment with a PAYMENT_DECLINED user error.' })
export class PayOrderPayload {
  /** The order of the payment: every answer that has a payment has its order, loaded under the lock. */
  @Field(() => Order, { nullable: true })
  get order(): Order | null {
    return this.payment?.order.unwrap() ?? null;
  }

  @Field(() => Payment, { nullable: true })
  payment: Payment | null = null;

  @Field(() => [UserError])
  userErrors: UserError[] = [];
}
