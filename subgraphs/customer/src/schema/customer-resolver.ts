import { requireAdmin, requireCustomerAccess, requireViewer } from '@commerce-supergraph/shared/auth/context';
import { isUuid } from '@commerce-supergraph/shared/db/uuid';
import {
  badCursor,
  type Connection,
  decodeCursor,
  pageSize,
  toConnection,
} from '@commerce-supergraph/shared/graphql/pagination';
import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import type { CustomerContext } from '../context.js';
import { customerCursorKey, listCustomers } from '../domain/directory.js';
import { Customer, CustomerEvent, FinancialProfile, Notification } from '../entities/index.js';
import { CustomerFilter } from './inputs.js';
import { CustomerConnection } from './payloads.js';

@Resolver(() => Customer)
export class CustomerResolver {
  @Query(() => Customer, { nullable: true, description: 'The calling customer.' })
  async me(@Ctx() ctx: CustomerContext): Promise<Customer | null> {
    const viewer = requireViewer(ctx);
    return (await ctx.loaders.customer.load(viewer.customerId)) ?? null;
  }

  @Query(() => Customer, { nullable: true, description: 'A customer by id: any for an admin, yourself otherwise.' })
  async customer(@Arg('id', () => ID) id: string, @Ctx() ctx: CustomerContext): Promise<Customer | null> {
    requireCustomerAccess(ctx, id);
    return (await ctx.loaders.customer.load(id)) ?? null;
  }

  @Query(() => CustomerConnection, { description: 'The customer directory, newest first. Admin only.' })
  async customers(
    @Arg('first', () => Int, { nullable: true, description: 'Default 20, at most 100.' }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('filter', () => CustomerFilter, { nullable: true }) filter: CustomerFilter | null,
    @Ctx() ctx: CustomerContext,
  ): Promise<Connection<Customer>> {
    requireAdmin(ctx);
    const size = pageSize(first);
    const { rows, totalCount } = await listCustomers(ctx.em, filter ?? {}, {
      after: after ? decodeDirectoryCursor(after) : undefined,
      limit: size + 1,
    });
    return toConnection(rows, size, totalCount, customerCursorKey);
  }

  // Sensitive fields check access again: entity fetches reach a Customer without any root field.
  @FieldResolver(() => FinancialProfile, { nullable: true })
  async financialProfile(@Root() customer: Customer, @Ctx() ctx: CustomerContext): Promise<FinancialProfile | null> {
    requireCustomerAccess(ctx, customer.id);
    return (await ctx.loaders.financialProfile.load(customer.id)) ?? null;
  }

  @FieldResolver(() => [CustomerEvent], { description: 'Changes to this customer, oldest first.' })
  history(@Root() customer: Customer, @Ctx() ctx: CustomerContext): Promise<CustomerEvent[]> {
    requireCustomerAccess(ctx, customer.id);
    return ctx.loaders.history.load(customer.id);
  }

  @FieldResolver(() => [Notification], { description: 'Messages the platform sent this customer, newest first.' })
  notifications(@Root() customer: Customer, @Ctx() ctx: CustomerContext): Promise<Notification[]> {
    requireCustomerAccess(ctx, customer.id);
    return ctx.loaders.notifications.load(customer.id);
  }
}

/**
 * `_entities` resolution: only the customer themself or an admin, checked before loading, and
 * batched through the request's loader into one query for all representations.
 */
export const customerReferenceResolvers = {
  Customer: {
    async __resolveReference(reference: { id: string }, ctx: CustomerContext): Promise<Customer | null> {
      requireCustomerAccess(ctx, reference.id);
      return (await ctx.loaders.customer.load(reference.id)) ?? null;
    },
  },
};

/** A cursor is only ever one we issued: [createdAt, id]. */
function decodeDirectoryCursor(cursor: string): [string, string] {
  const [createdAt, id] = decodeCursor(cursor, 2);
  if (typeof createdAt === 'string' && !Number.isNaN(Date.parse(createdAt)) && typeof id === 'string' && isUuid(id)) {
    return [createdAt, id];
  }
  throw badCursor();
}
