import { requireCustomerAccess, requireViewer } from '@commerce-supergraph/shared/auth/context';
import { isUuid } from '@commerce-supergraph/shared/db/uuid';
import { userError } from '@commerce-supergraph/shared/graphql/errors';
import { failed } from '@commerce-supergraph/shared/graphql/payloads';
import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import type { CustomerContext } from '../context.js';
import { validateFinancialProfile, validateProfile } from '../domain/validation.js';
import { Customer, CustomerEvent, CustomerEventType, FinancialProfile } from '../entities/index.js';
import { CustomerSubjects, recordCustomerEvent, twoPlaces } from '../events/customer-events.js';
import { FinancialProfileInput, UpdateCustomerInput } from './inputs.js';
import { CustomerPayload, FinancialProfilePayload } from './payloads.js';

const EDITABLE = ['name', 'phone', 'address', 'dateOfBirth'] as const;

@Resolver()
export class ProfileResolver {
  @Mutation(() => CustomerPayload, { description: "Changes a customer's profile: your own, or any as an admin." })
  async updateCustomer(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateCustomerInput) input: UpdateCustomerInput,
    @Ctx() ctx: CustomerContext,
  ): Promise<CustomerPayload> {
    requireCustomerAccess(ctx, id);
    const notFound = () => failed(new CustomerPayload(), [userError(['id'], 'NOT_FOUND', 'No customer with this id')]);
    if (!isUuid(id)) return notFound();
    const errors = validateProfile(input, ['input']);
    if (errors.length > 0) return failed(new CustomerPayload(), errors);
    const customer = await ctx.em.transactional(async (em) => {
      const found = await em.findOne(Customer, { id });
      if (!found) return undefined;
      const changed = EDITABLE.filter((field) => input[field] !== undefined && input[field] !== found[field]);
      if (changed.length === 0) return found;
      const values = Object.fromEntries(
        changed.map((field) => [field, field === 'name' ? input.name?.trim() : input[field]]),
      );
      em.assign(found, values);
      em.create(CustomerEvent, { customerId: id, type: CustomerEventType.UPDATED, changedFields: [...changed] });
      recordCustomerEvent(em, ctx, CustomerSubjects.updated, {
        customerId: id,
        changedFields: [...changed],
        ...values,
      });
      return found;
    });
    if (!customer) return notFound();
    return Object.assign(new CustomerPayload(), { customer });
  }

  @Mutation(() => FinancialProfilePayload, { description: "Sets the calling customer's financial profile." })
  async setFinancialProfile(
    @Arg('input', () => FinancialProfileInput) input: FinancialProfileInput,
    @Ctx() ctx: CustomerContext,
  ): Promise<FinancialProfilePayload> {
    const { customerId } = requireViewer(ctx);
    const errors = validateFinancialProfile(input);
    if (errors.length > 0) return failed(new FinancialProfilePayload(), errors);
    const profile = await ctx.em.transactional(async (em) => {
      if (!(await em.count(Customer, { id: customerId }))) return undefined;
      const existing = await em.findOne(FinancialProfile, { customerId });
      const values = {
        annualIncome: input.annualIncome,
        monthlyDebts: input.monthlyDebts,
        totalAssets: input.totalAssets,
        employmentStatus: input.employmentStatus,
        updatedAt: new Date(),
      };
      const saved = existing ? em.assign(existing, values) : em.create(FinancialProfile, { customerId, ...values });
      em.create(CustomerEvent, {
        customerId,
        type: CustomerEventType.FINANCIAL_PROFILE_SET,
        changedFields: ['annualIncome', 'monthlyDebts', 'totalAssets', 'employmentStatus'],
      });
      recordCustomerEvent(em, ctx, CustomerSubjects.financialProfileSet, {
        customerId,
        annualIncome: twoPlaces(input.annualIncome),
        monthlyDebts: twoPlaces(input.monthlyDebts),
        totalAssets: twoPlaces(input.totalAssets),
        employmentStatus: input.employmentStatus,
      });
      return saved;
    });
    if (!profile) {
      return failed(new FinancialProfilePayload(), [
        userError(undefined, 'NOT_FOUND', 'Your account no longer exists'),
      ]);
    }
    // Read back what PostgreSQL stored, so "1.5" comes back as the canonical "1.50".
    await ctx.em.refresh(profile);
    return Object.assign(new FinancialProfilePayload(), { financialProfile: profile });
  }
}
