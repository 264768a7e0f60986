import { requireCustomerAccess } from '@commerce-supergraph/shared/auth/context';
import { Ctx, Directive, FieldResolver, Resolver, Root } from 'type-graphql';
import type { CreditContext } from '../context.js';
import { assessRisk } from '../domain/risk.js';
import { CreditScoreChange, CreditStatus } from '../entities/index.js';
import { CustomerRef } from './refs/customer.js';
import { RiskAssessment } from './risk-assessment.js';

/** The credit fields this subgraph adds to the customer entity: the customer's own, or an admin's. */
@Resolver(() => CustomerRef)
export class CustomerCreditResolver {
  @FieldResolver(() => CreditStatus, { nullable: true })
  async creditStatus(@Root() customer: CustomerRef, @Ctx() ctx: CreditContext): Promise<CreditStatus | null> {
    requireCustomerAccess(ctx, customer.id);
    return (await ctx.loaders.creditStatus.load(customer.id)) ?? null;
  }

  // The gateway fetches the two profile fields from the customer subgraph (with the caller's token,
  // so its own access check applies there too) and hands them over in the representation.
  @Directive('@requires(fields: "financialProfile { annualIncome monthlyDebts }")')
  @FieldResolver(() => RiskAssessment, {
    nullable: true,
    description: 'Null while the customer has no financial profile.',
  })
  async riskAssessment(@Root() customer: CustomerRef, @Ctx() ctx: CreditContext): Promise<RiskAssessment | null> {
    requireCustomerAccess(ctx, customer.id);
    if (!customer.financialProfile) return null;
    const status = await ctx.loaders.creditStatus.load(customer.id);
    const assessment = status ? assessRisk(status.score, customer.financialProfile) : null;
    return assessment ? Object.assign(new RiskAssessment(), assessment) : null;
  }
}

@Resolver(() => CreditStatus)
export class CreditStatusResolver {
  // No access check of its own: a CreditStatus is reached only through Customer.creditStatus.
  @FieldResolver(() => [CreditScoreChange], { description: 'Every change of the score, oldest first.' })
  history(@Root() status: CreditStatus, @Ctx() ctx: CreditContext): Promise<CreditScoreChange[]> {
    return ctx.loaders.history.load(status.customerId);
  }
}

/** What the gateway sends for a Customer: the key, plus the profile when riskAssessment is asked for. */
type CustomerRepresentation = Pick<CustomerRef, 'id' | 'financialProfile'>;

/**
 * `_entities` resolution: only the customer themself or an admin. Nothing is loaded here; the
 * fields load through the request's loaders, one query for all representations.
 */
export const creditReferenceResolvers = {
  Customer: {
    // Async, so a refusal fails this representation only: a synchronous throw fails the whole batch.
    async __resolveReference(reference: CustomerRepresentation, ctx: CreditContext): Promise<CustomerRef> {
      requireCustomerAccess(ctx, reference.id);
      return Object.assign(new CustomerRef(), reference);
    },
  },
};
