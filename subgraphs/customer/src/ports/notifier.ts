import type { Logger } from '@commerce-supergraph/shared/logging';

/** A message on its way to a customer's inbox: what a mail transport needs, nothing more. */
export interface OutgoingNotification {
  /** The stored notification's id, and the idempotency key of the send: the same id is the same message. */
  notificationId: string;
  customerId: string;
  /** The customer's email address. */
  to: string;
  subject: string;
  body: string;
}

/**
 * The port through which notifications leave the platform. It is called only for a notification
 * whose transaction has committed (never for one rolled back), by the dispatcher, until a call
 * succeeds: a send that throws is tried again later with backoff. A crash between a successful
 * send and its record can call it a second time with the same `notificationId`: a transport must
 * pass that id on as its idempotency key (or drop a repeat itself), so each message arrives once.
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
