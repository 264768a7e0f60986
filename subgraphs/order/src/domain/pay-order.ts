import { randomUUID } from 'node:crypto';
import { unitOfWork } from '@commerce-supergraph/shared/db/unit-of-work';
import { isUuid } from '@commerce-supergraph/shared/db/uuid';
import type { Cause } from '@commerce-supergraph/shared/events/cause';
import { userError } from '@commerce-supergraph/shared/graphql/errors';
import { type Result, refused, succeeded } from '@commerce-supergraph/shared/graphql/payloads';
import { type EntityManager, LockMode } from '@mikro-orm/postgresql';
import { Order, OrderStatus, Payment, PaymentStatus } from '../entities/index.js';
import { OrderSubjects, recordOrderEvent } from '../events/contracts/published.js';
import type { PaymentProvider } from '../ports/payment-provider.js';
import { idempotencyKeyOf, validateIdempotencyKey } from './order-input.js';

export interface PayOrderRequest {
  orderId: string;
  paymentToken: string;
  idempotencyKey?: string | null;
}

/** Throws when the caller may not act on this customer's order (the resolver decides how). */
export type Authorize = (customerId: string) => void;

const declined = (payment: Payment) =>
  userError(['input', 'paymentToken'], 'PAYMENT_DECLINED', payment.failureReason ?? 'The payment was declined');

/**
 * Charges a CONFIRMED order. The order row stays locked from the first look to the commit, so a
 * second payOrder (another key, another instance), a cancel or the expiry sweep of the same order
 * waits and then sees PAID: one order is never charged twice, and the partial unique index on
 * successful payments is the last word. A key used before for this order returns that payment.
 * A declined charge is refused with the FAILED payment it stored (its order is `payment.order`).
 */
export async function payOrder(
  em: EntityManager,
  authorize: Authorize,
  request: PayOrderRequest,
  provider: PaymentProvider,
  cause: Cause,
): Promise<Result<Payment>> {
  const keyErrors = validateIdempotencyKey(request.idempotencyKey, ['input', 'idempotencyKey']);
  if (keyErrors.length > 0) return refused(keyErrors);
  const notFound = userError(['input', 'orderId'], 'NOT_FOUND', 'No order with this id');
  if (!isUuid(request.orderId)) return refused([notFound]);
  const key = idempotencyKeyOf(request.idempotencyKey);
  return unitOfWork(em, async (tx): Promise<Result<Payment>> => {
    const order = await tx.findOne(Order, { id: request.orderId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!order) return refused([notFound]);
    authorize(order.customerId);
    const earlier = key ? await tx.findOne(Payment, { order, idempotencyKey: key }) : null;
    if (earlier)
      return earlier.status === PaymentStatus.FAILED ? refused([declined(earlier)], earlier) : succeeded(earlier);
    if (order.status !== OrderStatus.CONFIRMED) {
      const message = `Only a CONFIRMED order can be paid; this one is ${order.status}`;
      return refused([userError(['input', 'orderId'], 'INVALID_STATE', message)]);
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
      return refused([userError(['input', 'paymentToken'], 'INVALID_PAYMENT_TOKEN', 'Unknown payment token')]);
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
      return refused([declined(payment)], payment);
    }
    const payment = tx.create(Payment, { ...common, status: PaymentStatus.SUCCEEDED });
    tx.assign(order, { status: OrderStatus.PAID, version: order.version + 1, updatedAt: new Date() });
    const data = { paymentId, orderId: order.id, customerId, amount, currency, providerReference };
    recordOrderEvent(tx, cause, OrderSubjects.paymentSucceeded, data);
    return succeeded(payment);
  });
}
