import { describe, expect, it } from 'vitest';
import {
  orderConfirmedMessage,
  orderRejectedMessage,
  paymentReceiptMessage,
} from '../src/domain/notification-messages.js';

describe('notification wording', () => {
  it('confirms an order with its total as given, to the cent', () => {
    const message = orderConfirmedMessage({ orderId: 'o-1', total: '59.80', currency: 'USD' });
    expect(message.subject).toBe('Your order is confirmed');
    expect(message.body).toContain('order o-1 is confirmed');
    expect(message.body).toContain('Total: 59.80 USD.');
  });

  it('says why an order was rejected', () => {
    const message = orderRejectedMessage({ orderId: 'o-2', reason: 'Not enough stock' });
    expect(message).toEqual({
      subject: 'Your order could not be accepted',
      body: 'We are sorry: order o-2 could not be accepted (Not enough stock). Nothing was charged.',
    });
  });

  it('gives a receipt with amount and payment reference', () => {
    const message = paymentReceiptMessage({
      orderId: 'o-3',
      amount: '0.10',
      currency: 'EUR',
      providerReference: 'ch_42',
    });
    expect(message.subject).toBe('Payment receipt');
    expect(message.body).toContain('payment of 0.10 EUR for order o-3');
    expect(message.body).toContain('Payment reference: ch_42.');
  });
});
