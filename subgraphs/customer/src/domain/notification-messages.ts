/**
 * The wording of the messages the platform sends, as pure functions of the facts they report.
 * Amounts arrive as decimal strings and are shown as they are, never through a float.
 */
export interface Message {
  subject: string;
  body: string;
}

export const orderConfirmedMessage = (order: { orderId: string; total: string; currency: string }): Message => ({
  subject: 'Your order is confirmed',
  body:
    `Good news: order ${order.orderId} is confirmed and its items are reserved for you. ` +
    `Total: ${order.total} ${order.currency}. Pay for it to complete your purchase.`,
});

export const orderRejectedMessage = (order: { orderId: string; reason: string }): Message => ({
  subject: 'Your order could not be accepted',
  body: `We are sorry: order ${order.orderId} could not be accepted (${order.reason}). Nothing was charged.`,
});

export const paymentReceiptMessage = (payment: {
  orderId: string;
  amount: string;
  currency: string;
  providerReference: string;
}): Message => ({
  subject: 'Payment receipt',
  body:
    `Thank you: we received your payment of ${payment.amount} ${payment.currency} for order ${payment.orderId}. ` +
    `Payment reference: ${payment.providerReference}.`,
});
