import { requestCause } from '@commerce-supergraph/shared/events/cause';
import { type Result, toPayload } from '@commerce-supergraph/shared/graphql/payloads';
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
    const result = await register(ctx.em, ctx.guards, input, ctx.clientAddress, requestCause(ctx));
    logRefusal(result, ctx, 'registration');
    const payload = toPayload(new AuthPayload(), 'customer', result);
    if (payload.customer) ctx.log.info({ customerId: payload.customer.id }, 'customer registered');
    return withToken(payload, ctx);
  }

  @Mutation(() => AuthPayload, { description: 'Exchanges email and password for a JWT.' })
  async login(@Arg('input', () => LoginInput) input: LoginInput, @Ctx() ctx: CustomerContext): Promise<AuthPayload> {
    const result = await authenticate(ctx.em, ctx.guards, input, ctx.clientAddress);
    logRefusal(result, ctx, 'login');
    return withToken(toPayload(new AuthPayload(), 'customer', result), ctx);
  }
}

/** Throttled and busy refusals are worth a warning: they show abuse, or a limit set too low. */
function logRefusal(result: Result<unknown>, ctx: CustomerContext, operation: string): void {
  const code = result.ok ? undefined : result.errors[0]?.code;
  if (code === 'TOO_MANY_ATTEMPTS') ctx.log.warn({ clientAddress: ctx.clientAddress }, `${operation} throttled`);
  if (code === 'TOO_MANY_REQUESTS') ctx.log.warn(`${operation} refused: password hashing busy`);
}

/** A payload with a customer logs that customer in. */
function withToken(payload: AuthPayload, ctx: CustomerContext): AuthPayload {
  const { customer } = payload;
  if (customer) payload.token = ctx.signer.issue({ customerId: customer.id, roles: customer.roles });
  return payload;
}
