import { isUuid } from '@commerce-supergraph/shared/db/uuid';
import type { EventEnvelope } from '@commerce-supergraph/shared/events/envelope';
import type { HandlerContext } from '@commerce-supergraph/shared/events/inbox';
import type { ServiceEvents } from '@commerce-supergraph/shared/events/service-events';
import {
  type Message,
  orderConfirmedMessage,
  orderRejectedMessage,
  paymentReceiptMessage,
} from '../domain/notification-messages.js';
import type { Notifier } from '../domain/notifier.js';
import { Customer, Notification } from '../entities/index.js';
import { ConsumedSubjects, type OrderConfirmed, type OrderRejected, type PaymentSucceeded } from './consumed-events.js';

/**
 * The events the customer hears about by email. Each handler runs behind the inbox, in one
 * transaction with its inbox row, so a redelivered event stores (and sends) nothing twice. The
 * streams belong to the order subgraph: until they exist, the consumers keep retrying.
 */
export async function subscribeNotifications(events: ServiceEvents, notifier: Notifier): Promise<void> {
  await events.subscribe(ConsumedSubjects.orderConfirmed, notify<OrderConfirmed>(notifier, orderConfirmedMessage));
  await events.subscribe(ConsumedSubjects.orderRejected, notify<OrderRejected>(notifier, orderRejectedMessage));
  await events.subscribe(ConsumedSubjects.paymentSucceeded, notify<PaymentSucceeded>(notifier, paymentReceiptMessage));
}

function notify<T extends { customerId: string }>(notifier: Notifier, compose: (data: T) => Message) {
  return async (envelope: EventEnvelope<T>, { em, log }: HandlerContext): Promise<void> => {
    const { customerId } = envelope.data;
    const customer = isUuid(customerId) ? await em.findOne(Customer, { id: customerId }) : null;
    if (!customer) {
      // No retry can make an unknown customer known: acknowledged, and said so.
      log.warn({ customerId }, 'notification for an unknown customer; skipped');
      return;
    }
    const notification = em.create(Notification, { customerId, ...compose(envelope.data) });
    // Stored first (within this transaction), then sent: a failed send rolls the row back for the retry.
    await em.flush();
    await notifier.send({
      notificationId: notification.id,
      customerId,
      to: customer.email,
      subject: notification.subject,
      body: notification.body,
    });
  };
}
