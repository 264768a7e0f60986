import { unitOfWork } from '@commerce-supergraph/shared/db/unit-of-work';
import type { Logger } from '@commerce-supergraph/shared/logging';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Customer, Notification } from '../entities/index.js';
import type { Message } from './notification-messages.js';

/** A message on its way to a customer's inbox: what a mail transport needs, nothing more. */
export interface OutgoingNotification {
  notificationId: string;
  customerId: string;
  /** The customer's email address. */
  to: string;
  subject: string;
  body: string;
}

/**
 * The port through which notifications leave the platform. It is called after the notification is
 * stored, inside the transaction of the event that caused it: if sending throws, the notification
 * is rolled back and the event redelivered, so a message is sent at least once (a crash between
 * sending and commit can send it twice, never zero times).
 */
export interface Notifier {
  send(notification: OutgoingNotification): Promise<void>;
}

/**
 * What runs until a mail transport is plugged in: the message is logged, without the address
 * or the body (personal data stays out of the logs), and counts as sent.
 */
export class LoggingNotifier implements Notifier {
  constructor(private readonly log: Logger) {}

  async send(notification: OutgoingNotification): Promise<void> {
    const { notificationId, customerId, subject } = notification;
    this.log.info({ notificationId, customerId, subject }, 'notification sent (logged; no mail transport configured)');
  }
}

/**
 * Stores a message for a customer and sends it; false when there is no such customer. The row is
 * stored first, in the unit of work, then sent: a failed send rolls the row back for the retry.
 */
export function notifyCustomer(em: EntityManager, notifier: Notifier, customerId: string, message: Message) {
  return unitOfWork(em, async (tx) => {
    const customer = await tx.findOne(Customer, { id: customerId });
    if (!customer) return false;
    const notification = tx.create(Notification, { customerId, ...message });
    await tx.flush();
    const { subject, body } = notification;
    await notifier.send({ notificationId: notification.id, customerId, to: customer.email, subject, body });
    return true;
  });
}
