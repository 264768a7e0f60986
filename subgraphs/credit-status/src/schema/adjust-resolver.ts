import { requireAdmin } from '@commerce-supergraph/shared/auth/context';
import { requestCause } from '@commerce-supergraph/shared/events/cause';
import { toPayload } from '@commerce-supergraph/shared/graphql/payloads';
import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { CreditContext } from '../context.js';
import { adjustScore } from '../domain/scoring.js';
import { AdjustCreditScoreInput } from './inputs.js';
import { CreditStatusPayload } from './payloads.js';

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
    const result = await adjustScore(ctx.em, input, requestCause(ctx));
    if (result.ok) ctx.log.info({ ...input, score: result.value.score, by: admin.customerId }, 'credit score adjusted');
    return toPayload(new CreditStatusPayload(), 'creditStatus', result);
  }
}
