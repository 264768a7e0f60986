import { randomUUID } from 'node:crypto';
import { isUuid } from '@commerce-supergraph/shared/db/uuid';
import { type UserError, userError } from '@commerce-supergraph/shared/graphql/errors';
import { type EntityManager, LockMode } from '@mikro-orm/postgresql';
import { Order, OrderStatus, Payment, PaymentStatus } from '../entities/index.js';
import { type Cause, OrderSubjects, recordOrderEvent } from '../events/order-events.js';
import type { PaymentProvider } from '../payments/provider.js';
import { idempotencyKeyOf, validateIdempotencyKey } from './order-input.js';

export interface PayOrderRequest {
  orderId: string;
  paymentToken: string;
  idempotencyKey?: string | null;
}

export interface PayOutcome {
  order: Order | null;
  payment: Payment | null;
  errors: UserError[];
}

/** Throws when the caller may not act on this customer's order (the resolver decides how). */
export type Authorize = (customerId: string) => void;

const answer = (order: Order | null, payment: Payment | null, errors: UserError[] = []): PayOutcome => ({
  order,
  payment,
  errors,
});
const declined = (payment: Payment) =>
  userError(['input', 'paymentToken'], 'PAYMENT_DECLINED', payment.failureReason ?? 'The payment was declined');

/**
 * Charges a CONFIRMED order. The order row stays locked from the first look to the commit, so a
 * second payOrder (another key, another instance), a cancel or the expiry sweep of the same order
 * waits and then sees PAID: one order is never charged twice, and the partial unique index on
 * successful payments is the last word. A key used before for this order returns that payment.
 */
export async function payOrder(
  em: EntityManager,
  authorize: Authorize,
  request: PayOrderRequest,
  provider: PaymentProvider,
  cause: Cause,
): Promise<PayOutcome> {
  const keyErrors = validateIdempotencyKey(request.idempotencyKey, ['input', 'idempotencyKey']);
  if (keyErrors.length > 0) return answer(null, null, keyErrors);
  const notFound = userError(['input', 'orderId'], 'NOT_FOUND', 'No order with this id');
  if (!isUuid(request.orderId)) return answer(null, null, [notFound]);
  const key = idempotencyKeyOf(request.idempotencyKey);
  return em.transactional(async (tx) => {
    const order = await tx.findOne(Order, { id: request.orderId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!order) return answer(null, null, [notFound]);
    authorize(order.customerId);
    const earlier = key ? await tx.findOne(Payment, { order, idempotencyKey: key }) : null;
    if (earlier) return answer(order, earlier, earlier.status === PaymentStatus.FAILED ? [declined(earlier)] : []);
    if (order.status !== OrderStatus.CONFIRMED) {
      const message = `Only a CONFIRMED order can be paid; this one is ${order.status}`;
      return answer(null, null, [userError(['input', 'orderId'], 'INVALID_STATE', message)]);
    }
    const paymentId = randomUUID();
    // Called under the row lock only because the built-in provider is in-process and instant. A
    // remote provider must not hold the lock (and a connection) for a network call: record the attempt
    // (PENDING, with its idempotency key) and commit, charge outside any transaction passing that key,
    // then settle the attempt under the lock. A crash in between is repaired by retrying with the
    // same key, which the provider answers with the first result instead of charging again.
    const charge = await provider.charge({
      amount: order.totalAmount,
      currency: order.currency,
      paymentToken: request.paymentToken,
      idempotencyKey: `${order.id}:${key ?? paymentId}`,
      description: `Order ${order.id}`,
    });
    if (charge.outcome === 'invalid-token') {
      return answer(null, null, [
        userError(['input', 'paymentToken'], 'INVALID_PAYMENT_TOKEN', 'Unknown payment token'),
      ]);
    }
    const { customerId, totalAmount: amount, currency } = order;
    const { providerReference } = charge;
    const common = {
      id: paymentId,
      order,
      amountValue: amount,
      currency,
      providerReference,
      idempotencyKey: key ?? null,
    };
    if (charge.outcome === 'declined') {
      const payment = tx.create(Payment, { ...common, status: PaymentStatus.FAILED, failureReason: charge.reason });
      const data = { paymentId, orderId: order.id, customerId, amount, currency, reason: charge.reason };
      recordOrderEvent(tx, cause, OrderSubjects.paymentFailed, data);
      return answer(order, payment, [declined(payment)]);
    }
    const payment = tx.create(Payment, { ...common, status: PaymentStatus.SUCCEEDED });
    tx.assign(order, { status: OrderStatus.PAID, version: order.version + 1, updatedAt: new Date() });
    const data = { paymentId, orderId: order.id, customerId, amount, currency, providerReference };
    recordOrderEvent(tx, cause, OrderSubjects.paymentSucceeded, data);
    return answer(order, payment);
  });
}
