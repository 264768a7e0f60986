import { causedBy } from '@commerce-supergraph/shared/events/cause';
import type { EventEnvelope } from '@commerce-supergraph/shared/events/envelope';
import type { HandlerContext } from '@commerce-supergraph/shared/events/inbox';
import { PAYMENT_FAILED_DELTA, PAYMENT_SUCCEEDED_DELTA } from '../../domain/score.js';
import { eraseCustomer, scorePayment, startStatus } from '../../domain/scoring.js';
import type { CustomerDeleted, CustomerRegistered, PaymentFailed, PaymentSucceeded } from '../contracts/consumed.js';

/**
 * The events that create and move credit scores, each run in the inbox's transaction so a
 * redelivered event changes nothing twice. The PAYMENTS and CUSTOMERS streams belong to other
 * services: until one exists, its consumer keeps retrying.
 */
export async function openStatus(envelope: EventEnvelope<CustomerRegistered>, { em }: HandlerContext) {
  await startStatus(em, envelope.data.customerId);
}

/** The customer's account was deleted: their status and its history go (domain/scoring.ts). */
export async function eraseDeletedCustomer(envelope: EventEnvelope<CustomerDeleted>, { em, log }: HandlerContext) {
  const { customerId, deletedAt } = envelope.data;
  await eraseCustomer(em, customerId, new Date(deletedAt));
  log.info({ customerId }, 'credit status of a deleted customer erased');
}

export const scoreSucceededPayment = (envelope: EventEnvelope<PaymentSucceeded>, context: HandlerContext) =>
  scoreFrom(envelope, context, PAYMENT_SUCCEEDED_DELTA, 'Payment succeeded');

export const scoreFailedPayment = (envelope: EventEnvelope<PaymentFailed>, context: HandlerContext) =>
  scoreFrom(envelope, context, PAYMENT_FAILED_DELTA, 'Payment declined');

async function scoreFrom(
  envelope: EventEnvelope<PaymentSucceeded | PaymentFailed>,
  { em, log }: HandlerContext,
  delta: number,
  reason: string,
): Promise<void> {
  const { customerId, orderId } = envelope.data;
  const result = await scorePayment(em, { customerId, delta, reason }, causedBy(envelope));
  if (!result) return void log.info({ customerId, orderId }, 'payment of a deleted customer; not scored');
  log.info({ customerId, orderId, applied: result.applied, score: result.status.score }, 'credit score updated');
}
