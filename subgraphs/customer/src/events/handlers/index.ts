import { on, type Subscription } from '@commerce-supergraph/shared/events/service-events';
import {
  orderConfirmedMessage,
  orderRejectedMessage,
  paymentReceiptMessage,
} from '../../domain/notification-messages.js';
import { Consumed, type OrderConfirmed, type OrderRejected, type PaymentSucceeded } from '../contracts/consumed.js';
import { notifyWith } from './notifications.js';

const CONCURRENCY = 16;

/**
 * Every event the customer subgraph consumes, and what handles it: the ones the customer hears
 * about by email. The streams belong to the order subgraph: until they exist, the consumers retry.
 */
export function eventHandlers(): Subscription[] {
  // Notifications need no order among themselves: many at once, which a burst handles in shared transactions.
  const options = { concurrency: CONCURRENCY };
  return [
    on(Consumed.orderConfirmed, notifyWith<OrderConfirmed>(orderConfirmedMessage), options),
    on(Consumed.orderRejected, notifyWith<OrderRejected>(orderRejectedMessage), options),
    on(Consumed.paymentSucceeded, notifyWith<PaymentSucceeded>(paymentReceiptMessage), options),
  ];
}
