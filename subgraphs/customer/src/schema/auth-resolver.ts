import { dummyPasswordHash, hashPassword, verifyPassword } from '@commerce-supergraph/shared/auth/password';
import { userError } from '@commerce-supergraph/shared/graphql/errors';
import { failed } from '@commerce-supergraph/shared/graphql/payloads';
import { UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { CustomerContext } from '../context.js';
import { normaliseEmail, validateRegistration } from '../domain/validation.js';
import { Customer, CustomerEvent, CustomerEventType } from '../entities/index.js';
import { CustomerSubjects, recordCustomerEvent } from '../events/customer-events.js';
import { LoginInput, RegisterCustomerInput } from './inputs.js';
import { AuthPayload } from './payloads.js';

const taken = () => userError(['input', 'email'], 'TAKEN', 'An account with this email already exists');

@Resolver()
export class AuthResolver {
  @Mutation(() => AuthPayload, { description: 'Creates a customer account and logs it in.' })
  async registerCustomer(
    @Arg('input', () => RegisterCustomerInput) input: RegisterCustomerInput,
    @Ctx() ctx: CustomerContext,
  ): Promise<AuthPayload> {
    const errors = validateRegistration(input);
    if (errors.length > 0) return failed(new AuthPayload(), errors);
    const email = normaliseEmail(input.email);
    const passwordHash = await hashPassword(input.password);
    try {
      const customer = await ctx.em.transactional(async (em) => {
        if (await em.count(Customer, { email })) return undefined;
        const created = em.create(Customer, {
          name: input.name.trim(),
          email,
          passwordHash,
          phone: input.phone ?? null,
          address: input.address ?? null,
          dateOfBirth: input.dateOfBirth ?? null,
          nationalId: input.nationalId ?? null,
        });
        em.create(CustomerEvent, { customerId: created.id, type: CustomerEventType.REGISTERED, changedFields: [] });
        recordCustomerEvent(em, ctx, CustomerSubjects.registered, {
          customerId: created.id,
          email: created.email,
          name: created.name,
        });
        return created;
      });
      if (!customer) return failed(new AuthPayload(), [taken()]);
      ctx.log.info({ customerId: customer.id }, 'customer registered');
      return Object.assign(new AuthPayload(), { customer, token: await ctx.jwt.issue(viewerOf(customer)) });
    } catch (error) {
      // Two registrations racing past the count: the unique index decides, the loser gets TAKEN.
      if (error instanceof UniqueConstraintViolationException) return failed(new AuthPayload(), [taken()]);
      throw error;
    }
  }

  @Mutation(() => AuthPayload, { description: 'Exchanges email and password for a JWT.' })
  async login(@Arg('input', () => LoginInput) input: LoginInput, @Ctx() ctx: CustomerContext): Promise<AuthPayload> {
    const email = normaliseEmail(input.email);
    if (await ctx.throttle.isBlocked(ctx.em, email, ctx.clientAddress)) {
      ctx.log.warn({ email }, 'login throttled');
      return failed(new AuthPayload(), [
        userError(['input'], 'TOO_MANY_ATTEMPTS', 'Too many failed attempts; try again later'),
      ]);
    }
    const customer = await ctx.em.findOne(Customer, { email }, { populate: ['passwordHash'] });
    // Verify against a dummy hash when there is no account, so timing does not reveal which emails exist.
    const valid = await verifyPassword(input.password, customer?.passwordHash ?? (await dummyPasswordHash()));
    if (!customer || !valid) {
      await ctx.throttle.recordFailure(ctx.em, email, ctx.clientAddress);
      return failed(new AuthPayload(), [userError(['input'], 'INVALID_CREDENTIALS', 'Email or password is incorrect')]);
    }
    await ctx.throttle.recordSuccess(ctx.em, email);
    return Object.assign(new AuthPayload(), { customer, token: await ctx.jwt.issue(viewerOf(customer)) });
  }
}

const viewerOf = (customer: Customer) => ({ customerId: customer.id, roles: customer.roles });
