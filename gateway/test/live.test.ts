import { describe, expect, it } from 'vitest';
import { Channel } from '../src/live/channel.js';
import { progressOf, toOrderUpdate } from '../src/live/updates.js';

const envelope = (data: Record<string, unknown>) =>
  JSON.stringify({ id: 'event-1', type: 'x', occurredAt: '2026-01-01T00:00:00.000Z', data });

describe('toOrderUpdate', () => {
  it('maps each order and payment event to the status it stands for', () => {
    const data = { orderId: 'o1', customerId: 'c1', reason: 'Insufficient funds' };
    const status = (subject: string) => toOrderUpdate(subject, envelope(data));
    expect(status('orders.order.created.v1')).toMatchObject({ status: 'PENDING', paymentStatus: null, reason: null });
    expect(status('orders.order.confirmed.v1')?.status).toBe('CONFIRMED');
    expect(status('orders.order.rejected.v1')).toMatchObject({ status: 'REJECTED', reason: 'Insufficient funds' });
    expect(status('orders.order.cancelled.v1')?.status).toBe('CANCELLED');
    expect(status('payments.payment.succeeded.v1')).toMatchObject({ status: 'PAID', paymentStatus: 'SUCCEEDED' });
    // A declined card leaves the order CONFIRMED, with the decline as the reason.
    expect(status('payments.payment.failed.v1')).toMatchObject({
      orderId: 'o1',
      customerId: 'c1',
      status: 'CONFIRMED',
      paymentStatus: 'FAILED',
      reason: 'Insufficient funds',
      eventId: 'event-1',
    });
  });

  it('ignores other subjects and malformed events rather than pushing half an update', () => {
    expect(toOrderUpdate('catalog.product.upserted.v1', envelope({ orderId: 'o1', customerId: 'c1' }))).toBeUndefined();
    expect(toOrderUpdate('orders.order.created.v1', 'not json')).toBeUndefined();
    expect(toOrderUpdate('orders.order.created.v1', envelope({ orderId: 'o1' }))).toBeUndefined();
  });

  it('orders the statuses so that a subscriber never sees an order go back', () => {
    expect(progressOf('PENDING')).toBeLessThan(progressOf('CONFIRMED'));
    expect(progressOf('CONFIRMED')).toBeLessThan(progressOf('PAID'));
    expect(progressOf('REJECTED')).toBe(progressOf('PAID'));
  });
});

describe('Channel', () => {
  it('hands values to a waiting reader in order, and reports its end once', async () => {
    let ended = 0;
    const channel = new Channel<number>(10, () => ended++);
    const first = channel.next();
    channel.push(1);
    channel.push(2);
    expect(await first).toEqual({ value: 1, done: false });
    expect(await channel.next()).toEqual({ value: 2, done: false });
    await channel.return();
    await channel.return();
    expect(await channel.next()).toEqual({ value: undefined, done: true });
    expect(ended).toBe(1);
  });

  it('ends a reader that falls more than its capacity behind with an error', async () => {
    let ended = false;
    const channel = new Channel<number>(2, () => {
      ended = true;
    });
    for (const value of [1, 2, 3]) channel.push(value);
    expect(ended).toBe(true);
    await expect(channel.next()).rejects.toThrow(/Too many updates/);
  });
});
