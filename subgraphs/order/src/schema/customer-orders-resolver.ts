import { requireCustomerAccess } from '@commerce-supergraph/shared/auth/context';
import { isUuid } from '@commerce-supergraph/shared/db/uuid';
import {
  badCursor,
  type Connection,
  decodeCursor,
  pageSize,
  toConnection,
} from '@commerce-supergraph/shared/graphql/pagination';
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, Info, Int, Resolver, Root } from 'type-graphql';
import type { OrderContext } from '../context.js';
import { listCustomerOrders, orderCursorKey } from '../domain/order-listing.js';
import type { Order } from '../entities/index.js';
import { OrderConnection } from './payloads.js';
import { CustomerRef } from './refs/customer.js';
import { selectsPath } from './selection.js';

/** What this subgraph adds to the customer entity: their orders, for themself or an admin. */
@Resolver(() => CustomerRef)
export class CustomerOrdersResolver {
  @FieldResolver(() => OrderConnection, { description: "The customer's orders, newest first." })
  async orders(
    @Root() customer: CustomerRef,
    @Arg('first', () => Int, { nullable: true, description: 'Default 20, at most 100.' }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: OrderContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Connection<Order>> {
    requireCustomerAccess(ctx, customer.id);
    const size = pageSize(first);
    // The lines come in the page's own statement when asked for (the Dashboard does): one round trip.
    const { rows, totalCount, items } = await listCustomerOrders(ctx.em, customer.id, {
      after: after ? decodeOrderCursor(after) : undefined,
      limit: size + 1,
      withItems: selectsPath(info, ['edges', 'node', 'items']),
    });
    for (const [orderId, lines] of items ?? []) ctx.loaders.items.prime(orderId, lines);
    return toConnection(rows, size, totalCount, orderCursorKey);
  }
}

/** A cursor is only ever one we issued: [createdAt, id]. */
function decodeOrderCursor(cursor: string): [string, string] {
  const [createdAt, id] = decodeCursor(cursor, 2);
  if (typeof createdAt === 'string' && !Number.isNaN(Date.parse(createdAt)) && typeof id === 'string' && isUuid(id)) {
    return [createdAt, id];
  }
  throw badCursor();
}
