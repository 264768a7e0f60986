import { on, type Subscription } from '@commerce-supergraph/shared/events/service-events';
import {
  orderConfirmedMessage,
  orderRejectedMessage,
  paymentReceiptMessage,
} from '../../domain/notification-messages.js';
import {
  ConsumedSubjects,
  type OrderConfirmed,
  type OrderRejected,
  type PaymentSucceeded,
} from '../contracts/consumed.js';
import { notifyWith } from './notifications.js';

/**
 * Every event the customer subgraph consumes, and what handles it: the ones the customer hears
 * about by email. The streams belong to the order subgraph: until they exist, the consumers retry.
 */
export function eventHandlers(): Subscription[] {
  return [
    on(ConsumedSubjects.orderConfirmed, notifyWith<OrderConfirmed>(orderConfirmedMessage)),
    on(ConsumedSubjects.orderRejected, notifyWith<OrderRejected>(orderRejectedMessage)),
    on(ConsumedSubjects.paymentSucceeded, notifyWith<PaymentSucceeded>(paymentReceiptMessage)),
  ];
}
