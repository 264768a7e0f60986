import type { EventEnvelope } from '@commerce-supergraph/shared/events/envelope';
import type { HandlerContext, TransactionalHandler } from '@commerce-supergraph/shared/events/inbox';
import type { Message } from '../../domain/notification-messages.js';
import { notifyCustomer } from '../../domain/notifications.js';

/**
 * A handler that stores a message for the customer named by the event, with the text `compose`
 * writes, in the inbox's transaction: a redelivered event stores nothing twice. The message is sent
 * after that transaction commits (the notification dispatcher), never from inside it.
 */
export function notifyWith<T extends { customerId: string }>(compose: (data: T) => Message): TransactionalHandler<T> {
  return async (envelope: EventEnvelope<T>, { em, log }: HandlerContext): Promise<void> => {
    const { customerId } = envelope.data;
    const stored = await notifyCustomer(em, customerId, compose(envelope.data));
    // No retry can make an unknown customer known: acknowledged, and said so.
    if (!stored) log.warn({ customerId }, 'notification for an unknown customer; skipped');
  };
}
