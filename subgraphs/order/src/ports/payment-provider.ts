/**
 * The port through which orders are charged. An adapter for a real provider implements it; the
 * built-in one is deterministic, for development and tests (docs/api.md).
 */
export interface ChargeRequest {
  /** A decimal string with two places, e.g. "59.80". */
  amount: string;
  currency: string;
  /** What the client got from the provider's card form; never stored. */
  paymentToken: string;
  /**
   * The same key for a retry of the same attempt, so the provider charges at most once for it.
   * A remote provider must receive it with every call (e.g. Stripe's Idempotency-Key header).
   */
  idempotencyKey: string;
  /** Shown to the customer on their statement / the provider's dashboard. */
  description: string;
}

export type ChargeResult =
  | { outcome: 'succeeded'; providerReference: string }
  | { outcome: 'declined'; reason: string; providerReference: string }
  /** The token is not one the provider knows: nothing was attempted, nothing is recorded. */
  | { outcome: 'invalid-token' };

export interface PaymentProvider {
  charge(request: ChargeRequest): Promise<ChargeResult>;
}
