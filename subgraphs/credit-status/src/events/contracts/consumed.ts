/**
 * This subgraph's own copy of the events it consumes (docs/architecture.md, Events): the contract
 * is the JSON shape, versioned in the subject. Only the fields it reads are declared.
 */
export const ConsumedSubjects = {
  customerRegistered: 'customers.customer.registered.v1',
  customerDeleted: 'customers.customer.deleted.v1',
  paymentSucceeded: 'payments.payment.succeeded.v1',
  paymentFailed: 'payments.payment.failed.v1',
} as const;

/** Stream CUSTOMERS, owned by the customer subgraph. */
export interface CustomerRegistered {
  customerId: string;
}

/** Stream CUSTOMERS, owned by the customer subgraph. `deletedAt` is ISO UTC. */
export interface CustomerDeleted {
  customerId: string;
  deletedAt: string;
}

/** Stream PAYMENTS, owned by the order subgraph. */
export interface PaymentSucceeded {
  paymentId: string;
  orderId: string;
  customerId: string;
}

/** Stream PAYMENTS, owned by the order subgraph. */
export interface PaymentFailed {
  paymentId: string;
  orderId: string;
  customerId: string;
  reason: string;
}
