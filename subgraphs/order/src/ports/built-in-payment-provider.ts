import { createHash } from 'node:crypto';
import type { ChargeRequest, ChargeResult, PaymentProvider } from './payment-provider.js';

/** The test tokens of docs/api.md: the only ones the built-in provider knows. */
const TEST_TOKENS = { succeeds: 'tok_visa', declined: 'tok_chargeDeclined' } as const;

export const DECLINE_REASON = 'The card was declined';

/**
 * A deterministic, in-process provider: `tok_visa` succeeds, `tok_chargeDeclined` is declined,
 * anything else is an invalid token. Like a real provider it answers a repeated idempotency key
 * with the same reference, so a retried attempt is recognisably the same charge.
 */
export class BuiltInPaymentProvider implements PaymentProvider {
  async charge(request: ChargeRequest): Promise<ChargeResult> {
    const providerReference = `ch_${createHash('sha256').update(request.idempotencyKey).digest('hex').slice(0, 24)}`;
    if (request.paymentToken === TEST_TOKENS.succeeds) return { outcome: 'succeeded', providerReference };
    if (request.paymentToken === TEST_TOKENS.declined) {
      return { outcome: 'declined', reason: DECLINE_REASON, providerReference };
    }
    return { outcome: 'invalid-token' };
  }
}
