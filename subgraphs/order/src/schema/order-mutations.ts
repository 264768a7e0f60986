import { requireCustomerAccess, requireViewer } from '@commerce-supergraph/shared/auth/context';
import { requestCause } from '@commerce-supergraph/shared/events/cause';
import { toPayload } from '@commerce-supergraph/shared/graphql/payloads';
import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import type { OrderContext } from '../context.js';
import { cancelByCustomer } from '../domain/cancel-order.js';
import { payOrder } from '../domain/pay-order.js';
import { placeOrder } from '../domain/place-order.js';
import { PayOrderInput, PlaceOrderInput } from './inputs.js';
import { OrderPayload, PayOrderPayload } from './payloads.js';

/** Every order operation needs a customer: without a token, UNAUTHENTICATED. */
@Resolver()
export class OrderMutations {
  @Mutation(() => OrderPayload, {
    description: 'Places an order for the caller, PENDING until its stock is reserved (CONFIRMED) or not (REJECTED).',
  })
  async placeOrder(
    @Arg('input', () => PlaceOrderInput) input: PlaceOrderInput,
    @Ctx() ctx: OrderContext,
  ): Promise<OrderPayload> {
    const viewer = requireViewer(ctx);
    return toPayload(
      new OrderPayload(),
      'order',
      await ctx.admission.run(() =>
        placeOrder(ctx.em, viewer.customerId, input, requestCause(ctx), {
          limits: ctx.placeOrderLimits,
          catalogRead: ctx.catalogRead,
          stored: (order, items) => ctx.loaders.items.prime(order.id, items),
          together: ctx.placements,
        }),
      ),
    );
  }

  @Mutation(() => PayOrderPayload, { description: 'Pays a CONFIRMED order of the caller (admins: any).' })
  async payOrder(
    @Arg('input', () => PayOrderInput) input: PayOrderInput,
    @Ctx() ctx: OrderContext,
  ): Promise<PayOrderPayload> {
    requireViewer(ctx);
    const result = await payOrder(ctx.em, authorizer(ctx), input, ctx.payments, requestCause(ctx));
    return toPayload(new PayOrderPayload(), 'payment', result);
  }

  @Mutation(() => OrderPayload, { description: 'Cancels a PENDING or CONFIRMED order of the caller (admins: any).' })
  async cancelOrder(@Arg('id', () => ID) id: string, @Ctx() ctx: OrderContext): Promise<OrderPayload> {
    requireViewer(ctx);
    return toPayload(
      new OrderPayload(),
      'order',
      await cancelByCustomer(ctx.em, authorizer(ctx), id, requestCause(ctx)),
    );
  }
}

/** Another customer's order is a FORBIDDEN error, not a user error: nothing of it is revealed. */
const authorizer = (ctx: OrderContext) => (customerId: string) => {
  requireCustomerAccess(ctx, customerId);
};
