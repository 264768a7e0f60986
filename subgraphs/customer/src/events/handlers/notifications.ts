import type { Delivery } from '@commerce-supergraph/shared/events/bus';
import type { EventEnvelope } from '@commerce-supergraph/shared/events/envelope';
import type { HandlerContext, TransactionalHandler } from '@commerce-supergraph/shared/events/inbox';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Message } from '../../domain/notification-messages.js';
import { notifyCustomer, notifyCustomers } from '../../domain/notifications.js';

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
    if (!stored) log.warn({ customerId }, UNKNOWN);
  };
}

/** notifyWith for a group of events (the inbox's group handler): one read of the customers, one insert. */
export function notifyAllWith<T extends { customerId: string }>(compose: (data: T) => Message) {
  return async (em: EntityManager, messages: { envelope: EventEnvelope<T>; delivery: Delivery }[]): Promise<void> => {
    const stored = await notifyCustomers(
      em,
      messages.map(({ envelope }) => ({ customerId: envelope.data.customerId, message: compose(envelope.data) })),
    );
    for (const [i, { envelope, delivery }] of messages.entries()) {
      if (!stored[i]) delivery.log.warn({ customerId: envelope.data.customerId }, UNKNOWN);
    }
  };
}

const UNKNOWN = 'notification for an unknown customer; skipped';
