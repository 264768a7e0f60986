import { requireCustomerAccess, requireViewer } from '@commerce-supergraph/shared/auth/context';
import { requestCause } from '@commerce-supergraph/shared/events/cause';
import { toPayload } from '@commerce-supergraph/shared/graphql/payloads';
import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import type { CustomerContext } from '../context.js';
import { setFinancialProfile, updateProfile } from '../domain/profile.js';
import { FinancialProfileInput, UpdateCustomerInput } from './inputs.js';
import { CustomerPayload, FinancialProfilePayload } from './payloads.js';

@Resolver()
export class ProfileResolver {
  @Mutation(() => CustomerPayload, { description: "Changes a customer's profile: your own, or any as an admin." })
  async updateCustomer(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateCustomerInput) input: UpdateCustomerInput,
    @Ctx() ctx: CustomerContext,
  ): Promise<CustomerPayload> {
    requireCustomerAccess(ctx, id);
    return toPayload(new CustomerPayload(), 'customer', await updateProfile(ctx.em, id, input, requestCause(ctx)));
  }

  @Mutation(() => FinancialProfilePayload, { description: "Sets the calling customer's financial profile." })
  async setFinancialProfile(
    @Arg('input', () => FinancialProfileInput) input: FinancialProfileInput,
    @Ctx() ctx: CustomerContext,
  ): Promise<FinancialProfilePayload> {
    const { customerId } = requireViewer(ctx);
    const result = await setFinancialProfile(ctx.em, customerId, input, requestCause(ctx));
    return toPayload(new FinancialProfilePayload(), 'financialProfile', result);
  }
}
