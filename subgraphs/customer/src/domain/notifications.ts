import { unitOfWork } from '@commerce-supergraph/shared/db/unit-of-work';
import { isUuid } from '@commerce-supergraph/shared/db/uuid';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Notification } from '../entities/index.js';
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
    const ids = [...new Set(messages.map(({ customerId }) => customerId.toLowerCase()))].filter(isUuid);
    // Their addresses only, as plain rows: loading whole customers (their entities, the identity
    // map) was a seventh of the subgraph's CPU for a notification. The dispatcher mails from `to`.
    const rows = await tx.execute<{ id: string; email: string }[]>(
      'select id, email from customers where id = any(array[?]::uuid[])',
      [ids],
    );
    const emails = new Map(rows.map(({ id, email }) => [id, email]));
    const stored = messages.map(({ customerId, message }) => {
      const to = emails.get(customerId.toLowerCase());
      if (to !== undefined) tx.create(Notification, { customerId, ...message, to });
      return to !== undefined;
    });
    await tx.flush();
    return stored;
  });
}
