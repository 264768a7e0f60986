import { requireAdmin, requireCustomerAccess, requireViewer } from '@commerce-supergraph/shared/auth/context';
import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { CustomerContext } from '../context.js';
import { Customer, CustomerEvent, FinancialProfile, Notification } from '../entities/index.js';

@Resolver(() => Customer)
export class CustomerResolver {
  @Query(() => Customer, { nullable: true, description: 'The calling customer.' })
  async me(@Ctx() ctx: CustomerContext): Promise<Customer | null> {
    const viewer = requireViewer(ctx);
    return (await ctx.loaders.customer.load(viewer.customerId)) ?? null;
  }

  @Query(() => Customer, { nullable: true, description: 'Any customer by id. Admin only.' })
  async customer(@Arg('id', () => ID) id: string, @Ctx() ctx: CustomerContext): Promise<Customer | null> {
    requireAdmin(ctx);
    return (await ctx.loaders.customer.load(id)) ?? null;
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
