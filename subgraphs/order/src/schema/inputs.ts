import { Field, ID, InputType, Int } from 'type-graphql';

@InputType({ description: 'One line of a new order.' })
export class OrderItemInput {
  @Field(() => ID)
  productId!: string;

  @Field(() => Int, { description: '1 to 100.' })
  quantity!: number;
}

@InputType()
export class PlaceOrderInput {
  @Field(() => [OrderItemInput], { description: '1 to 50 lines, each product at most once.' })
  items!: OrderItemInput[];

  @Field(() => String, {
    nullable: true,
    description: 'Sending the same key again returns the order the first request made instead of a second one.',
  })
  idempotencyKey?: string | null;
}

@InputType()
export class PayOrderInput {
  @Field(() => ID)
  orderId!: string;

  @Field(() => String, { description: 'From the payment form, e.g. tok_visa with the built-in provider.' })
  paymentToken!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Sending the same key again for this order returns the first attempt instead of charging again.',
  })
  idempotencyKey?: string | null;
}
