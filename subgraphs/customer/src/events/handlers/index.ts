import { on, type Subscription } from '@commerce-supergraph/shared/events/service-events';
import {
  type Message,
  orderConfirmedMessage,
  orderRejectedMessage,
  paymentReceiptMessage,
} from '../../domain/notification-messages.js';
import { Consumed, type OrderConfirmed, type OrderRejected, type PaymentSucceeded } from '../contracts/consumed.js';
import { notifyAllWith, notifyWith } from './notifications.js';

const CONCURRENCY = 16;
/**
 * No one waits on a notification to the tenth of a second: an idle consumer holds the first for
 * this long, so a steady stream of orders shares transactions too (at 50 orders a second, about 5
 * to one), not only a burst.
 */
const LINGER_MS = 100;

/**
 * Every event the customer subgraph consumes, and what handles it: the ones the customer hears
 * about by email. The streams belong to the order subgraph: until they exist, the consumers retry.
 */
export function eventHandlers(): Subscription[] {
  // Notifications need no order among themselves: many at once, in shared transactions, a group
  // with one read of its customers and one insert.
  const notify = <T extends { customerId: string }>(compose: (data: T) => Message) =>
    [
      notifyWith(compose),
      { concurrency: CONCURRENCY, handleGroup: notifyAllWith(compose), lingerMs: LINGER_MS },
    ] as const;
  return [
    on(Consumed.orderConfirmed, ...notify<OrderConfirmed>(orderConfirmedMessage)),
    on(Consumed.orderRejected, ...notify<OrderRejected>(orderRejectedMessage)),
    on(Consumed.paymentSucceeded, ...notify<PaymentSucceeded>(paymentReceiptMessage)),
  ];
}
