import { requireAdmin } from '@commerce-supergraph/shared/auth/context';
import { isUuid } from '@commerce-supergraph/shared/db/uuid';
import { userError } from '@commerce-supergraph/shared/graphql/errors';
import { failed } from '@commerce-supergraph/shared/graphql/payloads';
import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { CreditContext } from '../context.js';
import { changeScore } from '../domain/scoring.js';
import { validateAdjustment } from '../domain/validation.js';
import { AdjustCreditScoreInput } from './inputs.js';
import { CreditStatusPayload } from './payloads.js';

const notFound = () => userError(['input', 'customerId'], 'NOT_FOUND', 'No credit status for this customer');

@Resolver()
export class AdjustResolver {
  @Mutation(() => CreditStatusPayload, {
    description: "Moves a customer's score by delta, keeping it within 300-850. Admin only.",
  })
  async adjustCreditScore(
    @Arg('input', () => AdjustCreditScoreInput) input: AdjustCreditScoreInput,
    @Ctx() ctx: CreditContext,
  ): Promise<CreditStatusPayload> {
    const admin = requireAdmin(ctx);
    const errors = validateAdjustment(input);
    if (errors.length > 0) return failed(new CreditStatusPayload(), errors);
    if (!isUuid(input.customerId)) return failed(new CreditStatusPayload(), [notFound()]);
    const request = { customerId: input.customerId.toLowerCase(), delta: input.delta, reason: input.reason.trim() };
    const result = await ctx.em.transactional((tx) => changeScore(tx, request, { correlationId: ctx.requestId }));
    if (!result) return failed(new CreditStatusPayload(), [notFound()]);
    ctx.log.info({ ...request, applied: result.applied, by: admin.customerId }, 'credit score adjusted');
    return Object.assign(new CreditStatusPayload(), { creditStatus: result.status });
  }
}
