import { on, type Subscription } from '@commerce-supergraph/shared/events/service-events';
import { ConsumedSubjects } from '../contracts/consumed.js';
import { eraseDeletedCustomer, openStatus, scoreFailedPayment, scoreSucceededPayment } from './credit-scoring.js';

/** Every event the credit-status subgraph consumes, and what handles it. */
export function eventHandlers(): Subscription[] {
  return [
    on(ConsumedSubjects.customerRegistered, openStatus),
    on(ConsumedSubjects.customerDeleted, eraseDeletedCustomer),
    on(ConsumedSubjects.paymentSucceeded, scoreSucceededPayment),
    on(ConsumedSubjects.paymentFailed, scoreFailedPayment),
  ];
}
