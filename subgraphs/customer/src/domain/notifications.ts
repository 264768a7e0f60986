import { unitOfWork } from '@commerce-supergraph/shared/db/unit-of-work';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Customer, Notification } from '../entities/index.js';
import type { Message } from './notification-messages.js';

/**
 * Stores a message for a customer, to be sent once the unit of work commits; false when there is no
 * such customer. Nothing is sent here: a transaction that fails after this (a later statement, the
 * commit itself) leaves nothing to send, and its retry stores the message once.
 */
export async function notifyCustomer(em: EntityManager, customerId: string, message: Message): Promise<boolean> {
  const [stored] = await notifyCustomers(em, [{ customerId, message }]);
  return stored as boolean;
}

/**
 * notifyCustomer for several messages (a group of events), with one read of which customers exist
 * and one insert: true for each message stored, false for one whose customer is unknown.
 */
export function notifyCustomers(
  em: EntityManager,
  messages: readonly { customerId: string; message: Message }[],
): Promise<boolean[]> {
  return unitOfWork(em, async (tx) => {
    const ids = [...new Set(messages.map(({ customerId }) => customerId))];
    // Whole customers: the dispatcher sends from this identity map after the commit, with their email.
    const known = new Set((await tx.find(Customer, { id: { $in: ids } })).map(({ id }) => id));
    const stored = messages.map(({ customerId, message }) => {
      if (known.has(customerId)) tx.create(Notification, { customerId, ...message });
      return known.has(customerId);
    });
    await tx.flush();
    return stored;
  });
}
