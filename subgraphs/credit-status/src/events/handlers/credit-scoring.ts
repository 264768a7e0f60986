import { causedBy, type EventEnvelope } from '@commerce-supergraph/shared/events/envelope';
import type { HandlerContext } from '@commerce-supergraph/shared/events/inbox';
import type { ServiceEvents } from '@commerce-supergraph/shared/events/service-events';
import { PAYMENT_FAILED_DELTA, PAYMENT_SUCCEEDED_DELTA } from '../domain/score.js';
import { changeScore, ensureStatuses } from '../domain/scoring.js';
import {
  ConsumedSubjects,
  type CustomerRegistered,
  type PaymentFailed,
  type PaymentSucceeded,
} from './consumed-events.js';

/**
 * The events that create and move credit scores. Each handler runs behind the inbox, in one
 * transaction with its inbox row, so a redelivered event changes nothing twice. The PAYMENTS and
 * CUSTOMERS streams belong to other services: until one exists, its consumer keeps retrying.
 */
export async function subscribeCreditHandlers(events: ServiceEvents): Promise<void> {
  await events.subscribe<CustomerRegistered>(ConsumedSubjects.customerRegistered, async (envelope, { em }) => {
    await ensureStatuses(em, [envelope.data.customerId]);
  });
  await events.subscribe<PaymentSucceeded>(ConsumedSubjects.paymentSucceeded, (envelope, context) =>
    scorePayment(envelope, context, PAYMENT_SUCCEEDED_DELTA, 'Payment succeeded'),
  );
  await events.subscribe<PaymentFailed>(ConsumedSubjects.paymentFailed, (envelope, context) =>
    scorePayment(envelope, context, PAYMENT_FAILED_DELTA, 'Payment declined'),
  );
}

/** Payment events may overtake the registered event (other stream): the status is created first if needed. */
async function scorePayment(
  envelope: EventEnvelope<PaymentSucceeded | PaymentFailed>,
  { em, log }: HandlerContext,
  delta: number,
  reason: string,
): Promise<void> {
  const { customerId, orderId } = envelope.data;
  await ensureStatuses(em, [customerId]);
  const result = await changeScore(em, { customerId, delta, reason }, causedBy(envelope));
  log.info({ customerId, orderId, applied: result?.applied, score: result?.status.score }, 'credit score updated');
}
