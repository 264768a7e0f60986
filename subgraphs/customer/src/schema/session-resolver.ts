import { requireViewer } from '@commerce-supergraph/shared/auth/context';
import type { SessionsRevoked } from '@commerce-supergraph/shared/auth/revocations';
import { requestCause } from '@commerce-supergraph/shared/events/cause';
import { type Result, toPayload } from '@commerce-supergraph/shared/graphql/payloads';
import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { CustomerContext } from '../context.js';
import { requestPasswordReset, resetPassword } from '../domain/password-reset.js';
import { changePassword, type PasswordChanged, signOutEverywhere } from '../domain/sessions.js';
import { AuthPayload, RequestPasswordResetPayload, SignOutPayload } from './payloads.js';

/** Passwords and sessions: each revokes every token issued before it, everywhere (revocations.ts). */
@Resolver()
export class SessionResolver {
  @Mutation(() => AuthPayload, {
    description: 'Changes your password; every other token stops working, the returned one replaces yours.',
  })
  async changePassword(
    @Arg('currentPassword', () => String) currentPassword: string,
    @Arg('newPassword', () => String) newPassword: string,
    @Ctx() ctx: CustomerContext,
  ): Promise<AuthPayload> {
    const viewer = requireViewer(ctx);
    const now = new Date();
    const result = await changePassword(
      ctx.em,
      ctx.guards,
      viewer.customerId,
      { currentPassword, newPassword },
      ctx.clientAddress,
      requestCause(ctx),
      now,
    );
    return loggedIn(result, ctx, now, 'password changed');
  }

  @Mutation(() => SignOutPayload, { description: 'Revokes every token of yours, this one included.' })
  async signOutEverywhere(@Ctx() ctx: CustomerContext): Promise<SignOutPayload> {
    const viewer = requireViewer(ctx);
    const result = await signOutEverywhere(ctx.em, viewer.customerId, requestCause(ctx), new Date());
    if (result.ok) applyNow(ctx, result.value, 'signed out everywhere');
    const payload = new SignOutPayload();
    if (result.ok) payload.revokedBefore = new Date(result.value.revokedBefore);
    else payload.userErrors = result.errors;
    return payload;
  }

  @Mutation(() => RequestPasswordResetPayload, {
    description:
      'Sends a one-time reset code to the address, if it belongs to an account; the answer is the same either way.',
  })
  async requestPasswordReset(
    @Arg('email', () => String) email: string,
    @Ctx() ctx: CustomerContext,
  ): Promise<RequestPasswordResetPayload> {
    await requestPasswordReset(ctx.em, ctx.passwordReset, email, new Date());
    return new RequestPasswordResetPayload();
  }

  @Mutation(() => AuthPayload, {
    description: 'Sets a new password with a reset code (single use, expiring); every earlier token stops working.',
  })
  async resetPassword(
    @Arg('token', () => String) token: string,
    @Arg('newPassword', () => String) newPassword: string,
    @Ctx() ctx: CustomerContext,
  ): Promise<AuthPayload> {
    const now = new Date();
    const result = await resetPassword(ctx.em, ctx.guards, token, newPassword, requestCause(ctx), now);
    return loggedIn(result, ctx, now, 'password reset');
  }
}

/** Counts the revocation on this instance at once (the others hear it from NATS) and logs it. */
function applyNow(ctx: CustomerContext, revocation: SessionsRevoked, message: string): void {
  ctx.revocations.apply(revocation);
  ctx.log.info({ customerId: revocation.customerId }, message);
}

/** The new password's session: a token issued at the revocation instant, so the revocation spares it. */
function loggedIn(result: Result<PasswordChanged>, ctx: CustomerContext, now: Date, message: string): AuthPayload {
  const payload = new AuthPayload();
  if (!result.ok) return toPayload(payload, 'customer', { ok: false, errors: result.errors });
  const { customer, revocation } = result.value;
  applyNow(ctx, revocation, message);
  payload.customer = customer;
  payload.token = ctx.signer.issue({ customerId: customer.id, roles: customer.roles }, now.getTime() / 1000);
  return payload;
}
