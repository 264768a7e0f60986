import { requireCustomerAccess, requireViewer } from '@commerce-supergraph/shared/auth/context';
import { Arg, Ctx, Directive, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { OrderContext } from '../context.js';
import { Order, OrderItem, Payment } from '../entities/index.js';
import { CustomerRef, customerRef } from './refs/customer.js';
import { ProductRef, productRef } from './refs/product.js';

/**
 * An order is reached three ways: `order(id)`, `Customer.orders` and `_entities`. Each checks that
 * the caller is its customer or an admin; the fields below need no check of their own, since an
 * Order object only ever comes out of one of those.
 */
@Resolver(() => Order)
export class OrderResolver {
  @Query(() => Order, {
    nullable: true,
    description: "The caller's order (admins: any). Another customer's order is null with a FORBIDDEN error.",
  })
  order(@Arg('id', () => ID) id: string, @Ctx() ctx: OrderContext): Promise<Order | null> {
    return loadAuthorized(id, ctx);
  }

  @FieldResolver(() => [OrderItem])
  items(@Root() order: Order, @Ctx() ctx: OrderContext): Promise<OrderItem[]> {
    return ctx.loaders.items.load(order.id);
  }

  @FieldResolver(() => Payment, {
    nullable: true,
    description: 'The successful payment; otherwise the latest declined attempt; null before any.',
  })
  async payment(@Root() order: Order, @Ctx() ctx: OrderContext): Promise<Payment | null> {
    return (await ctx.loaders.payment.load(order.id)) ?? null;
  }

  @FieldResolver(() => CustomerRef)
  customer(@Root() order: Order): CustomerRef {
    return customerRef(order.customerId);
  }
}

@Resolver(() => OrderItem)
export class OrderItemResolver {
  @FieldResolver(() => ProductRef, {
    description: 'The product as the catalog has it now; its name is the one it had when the order was placed.',
  })
  @Directive('@provides(fields: "name")')
  product(@Root() item: OrderItem): ProductRef {
    return productRef(item.productId, item.productName);
  }
}

/** Loads an order for the caller: null when there is none, FORBIDDEN when it is another customer's. */
async function loadAuthorized(id: string, ctx: OrderContext): Promise<Order | null> {
  requireViewer(ctx);
  const order = await ctx.loaders.order.load(id);
  if (!order) return null;
  requireCustomerAccess(ctx, order.customerId);
  return order;
}

/**
 * `_entities` resolution, checked like `order(id)`: the gateway forwards the caller's token, and
 * anyone who can reach a subgraph with the secret must still not read another customer's order.
 * Batched through the request's loader into one query for all representations.
 */
export const orderReferenceResolvers = {
  Order: {
    __resolveReference: (reference: { id: string }, ctx: OrderContext): Promise<Order | null> =>
      loadAuthorized(reference.id, ctx),
  },
  Customer: {
    // Async, so a refusal fails this representation only: a synchronous throw would fail the whole batch.
    async __resolveReference(reference: { id: string }, ctx: OrderContext): Promise<CustomerRef> {
      requireCustomerAccess(ctx, reference.id);
      return customerRef(reference.id);
    },
  },
};
