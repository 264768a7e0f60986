import type { EventEnvelope } from '@commerce-supergraph/shared/events/envelope';
import type { HandlerContext, TransactionalHandler } from '@commerce-supergraph/shared/events/inbox';
import type { Message } from '../../domain/notification-messages.js';
import { type Notifier, notifyCustomer } from '../../domain/notifier.js';

/**
 * A handler that tells the customer named by the event, with the message `compose` writes, in the
 * inbox's transaction: a redelivered event stores (and sends) nothing twice.
 */
export function notifyWith<T extends { customerId: string }>(
  notifier: Notifier,
  compose: (data: T) => Message,
): TransactionalHandler<T> {
  return async (envelope: EventEnvelope<T>, { em, log }: HandlerContext): Promise<void> => {
    const { customerId } = envelope.data;
    const sent = await notifyCustomer(em, notifier, customerId, compose(envelope.data));
    // No retry can make an unknown customer known: acknowledged, and said so.
    if (!sent) log.warn({ customerId }, 'notification for an unknown customer; skipped');
  };
}
