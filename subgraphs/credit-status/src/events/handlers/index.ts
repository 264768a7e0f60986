import { on, type Subscription } from '@commerce-supergraph/shared/events/service-events';
import { Consumed } from '../contracts/consumed.js';
import { eraseDeletedCustomer, openStatus, scoreFailedPayment, scoreSucceededPayment } from './credit-scoring.js';

/** Every event the credit-status subgraph consumes, and what handles it. */
export function eventHandlers(): Subscription[] {
  return [
    on(Consumed.customerRegistered, openStatus),
    on(Consumed.customerDeleted, eraseDeletedCustomer),
    on(Consumed.paymentSucceeded, scoreSucceededPayment),
    on(Consumed.paymentFailed, scoreFailedPayment),
  ];
}
