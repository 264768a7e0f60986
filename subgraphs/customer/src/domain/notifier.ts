import type { Logger } from '@commerce-supergraph/shared/logging';

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
