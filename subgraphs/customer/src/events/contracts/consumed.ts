/**
 * This subgraph's own copy of the events it consumes (docs/architecture.md, Events): the contract
 * is the JSON shape, versioned in the subject. The ORDERS and PAYMENTS streams belong to the order
 * subgraph; only the fields read here are declared.
 */
export const ConsumedSubjects = {
  orderConfirmed: 'orders.order.confirmed.v1',
  orderRejected: 'orders.order.rejected.v1',
  paymentSucceeded: 'payments.payment.succeeded.v1',
} as const;

export interface OrderConfirmed {
  orderId: string;
  customerId: string;
  /** A decimal string, e.g. "59.80". */
  total: string;
  currency: string;
}

export interface OrderRejected {
  orderId: string;
  customerId: string;
  reason: string;
}

export interface PaymentSucceeded {
  paymentId: string;
  orderId: string;
  customerId: string;
  /** A decimal string, e.g. "59.80". */
  amount: string;
  currency: string;
  providerReference: string;
}
