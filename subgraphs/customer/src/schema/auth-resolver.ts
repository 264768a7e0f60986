import { requestCause } from '@commerce-supergraph/shared/events/cause';
import { toPayload } from '@commerce-supergraph/shared/graphql/payloads';
import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { CustomerContext } from '../context.js';
import { authenticate, register } from '../domain/registration.js';
import { LoginInput, RegisterCustomerInput } from './inputs.js';
import { AuthPayload } from './payloads.js';

@Resolver()
export class AuthResolver {
  @Mutation(() => AuthPayload, { description: 'Creates a customer account and logs it in.' })
  async registerCustomer(
    @Arg('input', () => RegisterCustomerInput) input: RegisterCustomerInput,
    @Ctx() ctx: CustomerContext,
  ): Promise<AuthPayload> {
    const payload = toPayload(new AuthPayload(), 'customer', await register(ctx.em, input, requestCause(ctx)));
    if (payload.customer) ctx.log.info({ customerId: payload.customer.id }, 'customer registered');
    return withToken(payload, ctx);
  }

  @Mutation(() => AuthPayload, { description: 'Exchanges email and password for a JWT.' })
  async login(@Arg('input', () => LoginInput) input: LoginInput, @Ctx() ctx: CustomerContext): Promise<AuthPayload> {
    const result = await authenticate(ctx.em, ctx.throttle, input, ctx.clientAddress);
    if (!result.ok && result.errors[0]?.code === 'TOO_MANY_ATTEMPTS') ctx.log.warn('login throttled');
    return withToken(toPayload(new AuthPayload(), 'customer', result), ctx);
  }
}

/** A payload with a customer logs that customer in. */
function withToken(payload: AuthPayload, ctx: CustomerContext): AuthPayload {
  const { customer } = payload;
  if (customer) payload.token = ctx.signer.issue({ customerId: customer.id, roles: customer.roles });
  return payload;
}
