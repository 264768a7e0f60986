/**
 * This subgraph's own copy of the events it consumes (docs/architecture.md, Events): the contract
 * is the JSON shape, versioned in the subject. The ORDERS and PAYMENTS streams belong to the order
 * subgraph; only the fields read here are declared.
 */
export const ConsumedSubjects = {
  orderCreated: 'orders.order.created.v1',
  orderCancelled: 'orders.order.cancelled.v1',
  orderRejected: 'orders.order.rejected.v1',
  paymentSucceeded: 'payments.payment.succeeded.v1',
} as const;

export interface OrderCreated {
  orderId: string;
  items: { productId: string; quantity: number }[];
}

export interface OrderCancelled {
  orderId: string;
  /** CUSTOMER or EXPIRED. */
  reason: string;
}

/** An order that ended without being confirmed: short of stock, or unanswered past its deadline. */
export interface OrderRejected {
  orderId: string;
  reason: string;
}

export interface PaymentSucceeded {
  orderId: string;
}
