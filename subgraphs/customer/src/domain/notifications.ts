import { unitOfWork } from '@commerce-supergraph/shared/db/unit-of-work';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Customer, Notification } from '../entities/index.js';
import type { Message } from './notification-messages.js';

/**
 * Stores a message for a customer, to be sent once the unit of work commits; false when there is no
 * such customer. Nothing is sent here: a transaction that fails after this (a later statement, the
 * commit itself) leaves nothing to send, and its retry stores the message once.
 */
export function notifyCustomer(em: EntityManager, customerId: string, message: Message): Promise<boolean> {
  return unitOfWork(em, async (tx) => {
    const customer = await tx.findOne(Customer, { id: customerId });
    if (!customer) return false;
    tx.create(Notification, { customerId, ...message });
    await tx.flush();
    return true;
  });
}
