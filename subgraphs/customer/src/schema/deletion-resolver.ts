import { requireAdmin, requireViewer } from '@commerce-supergraph/shared/auth/context';
import { requestCause } from '@commerce-supergraph/shared/events/cause';
import type { Result } from '@commerce-supergraph/shared/graphql/payloads';
import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import type { CustomerContext } from '../context.js';
import { type Deletion, deleteCustomer, deleteOwnAccount } from '../domain/deletion.js';
import { DeleteCustomerPayload } from './payloads.js';

/** Account deletion with erasure: here and, through `customers.customer.deleted.v1`, everywhere else. */
@Resolver()
export class DeletionResolver {
  @Mutation(() => DeleteCustomerPayload, {
    description: 'Deletes your account and erases your personal data; confirm with your password.',
  })
  async deleteMyAccount(
    @Arg('password', () => String) password: string,
    @Ctx() ctx: CustomerContext,
  ): Promise<DeleteCustomerPayload> {
    const viewer = requireViewer(ctx);
    const now = new Date();
    const cause = requestCause(ctx);
    const result = await deleteOwnAccount(
      ctx.em,
      ctx.guards,
      viewer.customerId,
      password,
      ctx.clientAddress,
      cause,
      now,
    );
    return deleted(result, ctx);
  }

  @Mutation(() => DeleteCustomerPayload, {
    description: 'Deletes a customer account and erases its personal data. Admin only; deleting again is harmless.',
  })
  async deleteCustomer(@Arg('id', () => ID) id: string, @Ctx() ctx: CustomerContext): Promise<DeleteCustomerPayload> {
    requireAdmin(ctx);
    return deleted(await deleteCustomer(ctx.em, id, requestCause(ctx), new Date()), ctx);
  }
}

function deleted(result: Result<Deletion>, ctx: CustomerContext): DeleteCustomerPayload {
  const payload = new DeleteCustomerPayload();
  if (!result.ok) {
    payload.userErrors = result.errors;
    return payload;
  }
  const { customerId, deletedAt } = result.value;
  // This instance refuses the tokens at once; the others hear it from NATS.
  ctx.revocations.apply({ customerId, revokedBefore: deletedAt.toISOString() });
  ctx.log.info({ customerId }, 'customer deleted');
  payload.deletedCustomerId = customerId;
  return payload;
}
