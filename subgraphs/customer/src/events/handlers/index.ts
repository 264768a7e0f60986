import { on, type Subscription } from '@commerce-supergraph/shared/events/service-events';
import {
  orderConfirmedMessage,
  orderRejectedMessage,
  paymentReceiptMessage,
} from '../../domain/notification-messages.js';
import { Consumed, type OrderConfirmed, type OrderRejected, type PaymentSucceeded } from '../contracts/consumed.js';
import { notifyWith } from './notifications.js';

/**
 * Every event the customer subgraph consumes, and what handles it: the ones the customer hears
 * about by email. The streams belong to the order subgraph: until they exist, the consumers retry.
 */
export function eventHandlers(): Subscription[] {
  return [
    on(Consumed.orderConfirmed, notifyWith<OrderConfirmed>(orderConfirmedMessage)),
    on(Consumed.orderRejected, notifyWith<OrderRejected>(orderRejectedMessage)),
    on(Consumed.paymentSucceeded, notifyWith<PaymentSucceeded>(paymentReceiptMessage)),
  ];
}
