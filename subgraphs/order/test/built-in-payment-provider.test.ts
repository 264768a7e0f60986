import { describe, expect, it } from 'vitest';
import { BuiltInPaymentProvider, DECLINE_REASON } from '../src/ports/built-in-payment-provider.js';

const request = (paymentToken: string, idempotencyKey = 'order-1:attempt-1') => ({
  amount: '19.99',
  currency: 'USD',
  paymentToken,
  idempotencyKey,
  description: 'Order 1',
});

describe('the built-in payment provider', () => {
  const provider = new BuiltInPaymentProvider();

  it('charges tok_visa, declines tok_chargeDeclined and knows no other token', async () => {
    expect(await provider.charge(request('tok_visa'))).toMatchObject({ outcome: 'succeeded' });
    expect(await provider.charge(request('tok_chargeDeclined'))).toMatchObject({
      outcome: 'declined',
      reason: DECLINE_REASON,
    });
    for (const token of ['tok_mastercard', '', 'TOK_VISA']) {
      expect(await provider.charge(request(token))).toEqual({ outcome: 'invalid-token' });
    }
  });

  it('answers a repeated idempotency key with the same reference, another key with another', async () => {
    const first = await provider.charge(request('tok_visa', 'k1'));
    const again = await provider.charge(request('tok_visa', 'k1'));
    const other = await provider.charge(request('tok_visa', 'k2'));
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
  });
});
