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
 * Every event the customer subgraph consumes, and what handles it: the ones the customer hears
 * about by email. The streams belong to the order subgraph: until they exist, the consumers retry.
 */
export function eventHandlers(): Subscription[] {
  // Notifications need no order among themselves: many at once, which a burst handles in shared
  // transactions, a group with one read of its customers and one insert.
  const notify = <T extends { customerId: string }>(compose: (data: T) => Message) =>
    [notifyWith(compose), { concurrency: CONCURRENCY, handleGroup: notifyAllWith(compose) }] as const;
  return [
    on(Consumed.orderConfirmed, ...notify<OrderConfirmed>(orderConfirmedMessage)),
    on(Consumed.orderRejected, ...notify<OrderRejected>(orderRejectedMessage)),
    on(Consumed.paymentSucceeded, ...notify<PaymentSucceeded>(paymentReceiptMessage)),
  ];
}
