import { randomUUID } from 'node:crypto';
import type { Orm } from '@commerce-supergraph/shared/db/orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireUnpaidOrders } from '../src/domain/expiry.js';
import { payOrder } from '../src/domain/pay-order.js';
import { cancelOrder } from '../src/domain/transitions.js';
import { CancellationReason, Order, OrderStatus, Payment, PaymentStatus } from '../src/entities/index.js';
import { OrderSubjects } from '../src/events/contracts/published.js';
import { BuiltInPaymentProvider } from '../src/ports/built-in-payment-provider.js';
import { cause, openTestDatabase, orderOf, outboxFor, priceProduct, type TestDatabase } from './helpers.js';

let db: TestDatabase;
let orm: Orm;
let productId: string;
const provider = new BuiltInPaymentProvider();
const anyone = () => undefined;

beforeAll(async () => {
  db = await openTestDatabase();
  orm = db.orm;
  productId = (await priceProduct(orm, { price: '5.00' })).id;
});
afterAll(() => db?.dispose());

/** The result as the payload shows it: the payment, its order, and the user errors. */
const pay = async (orderId: string, paymentToken: string, idempotencyKey?: string, target: Orm = orm) => {
  const result = await payOrder(target.em.fork(), anyone, { orderId, paymentToken, idempotencyKey }, provider, cause());
  return {
    payment: result.value ?? null,
    order: result.value?.order.unwrap() ?? null,
    errors: result.ok ? [] : result.errors,
  };
};
const codes = (outcome: Awaited<ReturnType<typeof pay>>) => outcome.errors.map((e) => e.code);
const payments = (orderId: string) =>
  orm.em.fork().find(Payment, { order: orderId }, { orderBy: { createdAt: 'asc' } });
const confirmed = () => orderOf(orm, randomUUID(), productId, { confirm: true });

describe('payOrder', () => {
  it('declines, then charges, with one event each, and the order PAID only after the success', async () => {
    const order = await confirmed();
    const declined = await pay(order.id, 'tok_chargeDeclined');
    expect(codes(declined)).toEqual(['PAYMENT_DECLINED']);
    expect(declined.payment).toMatchObject({ status: PaymentStatus.FAILED, failureReason: 'The card was declined' });
    expect(declined.order?.status).toBe(OrderStatus.CONFIRMED);
    const paid = await pay(order.id, 'tok_visa');
    expect(paid.errors).toEqual([]);
    expect(paid.payment).toMatchObject({ status: PaymentStatus.SUCCEEDED, amountValue: '10.00', currency: 'USD' });
    expect(paid.order).toMatchObject({ status: OrderStatus.PAID, version: 3 });
    const events = await outboxFor(orm, order.id);
    expect(events.map(([subject]) => subject)).toEqual([
      OrderSubjects.created,
      OrderSubjects.confirmed,
      OrderSubjects.paymentFailed,
      OrderSubjects.paymentSucceeded,
    ]);
    expect(events[3]?.[1]).toEqual({
      paymentId: paid.payment?.id,
      orderId: order.id,
      customerId: order.customerId,
      amount: '10.00',
      currency: 'USD',
      providerReference: paid.payment?.providerReference,
    });
  });

  it('stores nothing for an unknown token, and refuses what is not CONFIRMED', async () => {
    const order = await confirmed();
    expect(codes(await pay(order.id, 'tok_unknown'))).toEqual(['INVALID_PAYMENT_TOKEN']);
    expect(await payments(order.id)).toEqual([]);
    const pending = await orderOf(orm, randomUUID(), productId);
    expect(codes(await pay(pending.id, 'tok_visa'))).toEqual(['INVALID_STATE']);
    expect(codes(await pay(randomUUID(), 'tok_visa'))).toEqual(['NOT_FOUND']);
    expect(codes(await pay('not-a-uuid', 'tok_visa'))).toEqual(['NOT_FOUND']);
  });

  it('answers a repeated key with the same payment, declined ones included', async () => {
    const order = await confirmed();
    const first = await pay(order.id, 'tok_chargeDeclined', 'attempt-1');
    const again = await pay(order.id, 'tok_visa', 'attempt-1');
    expect(again.payment?.id).toBe(first.payment?.id);
    expect(codes(again)).toEqual(['PAYMENT_DECLINED']);
    const paid = await pay(order.id, 'tok_visa', 'attempt-2');
    expect(await pay(order.id, 'tok_visa', 'attempt-2')).toMatchObject({
      payment: { id: paid.payment?.id },
      errors: [],
    });
    expect((await payments(order.id)).map((p) => p.status)).toEqual([PaymentStatus.FAILED, PaymentStatus.SUCCEEDED]);
  });

  it('charges once when 10 payOrder calls race on two pools, with or without one key', async () => {
    const other = await db.openAnother();
    for (const key of [undefined, 'same-key']) {
      const order = await confirmed();
      const outcomes = await Promise.all(
        Array.from({ length: 10 }, (_, i) => pay(order.id, 'tok_visa', key, i % 2 ? orm : other)),
      );
      const charged = (await payments(order.id)).filter((p) => p.status === PaymentStatus.SUCCEEDED);
      expect(charged).toHaveLength(1);
      const errors = outcomes.flatMap(codes);
      expect(errors).toEqual(key ? [] : Array.from({ length: 9 }, () => 'INVALID_STATE'));
      const events = (await outboxFor(orm, order.id)).filter(([s]) => s === OrderSubjects.paymentSucceeded);
      expect(events).toHaveLength(1);
    }
  });

  it('never lets a cancel or the expiry undo a payment racing with it', async () => {
    const other = await db.openAnother();
    for (let round = 0; round < 8; round++) {
      const order = await confirmed();
      if (round % 2)
        await orm.em
          .fork()
          .execute(`update orders set confirmed_at = now() - interval '1 hour' where id = ?`, [order.id]);
      const [paid] = await Promise.all([
        pay(order.id, 'tok_visa'),
        round % 2
          ? expireUnpaidOrders(other.em.fork(), 60)
          : cancelOrder(other.em.fork(), order.id, CancellationReason.CUSTOMER, cause()),
      ]);
      const final = await orm.em.fork().findOneOrFail(Order, { id: order.id });
      const succeeded = (await payments(order.id)).filter((p) => p.status === PaymentStatus.SUCCEEDED);
      // Either the payment won (PAID, one charge) or the cancel did (CANCELLED, no charge, INVALID_STATE).
      if (final.status === OrderStatus.PAID) expect(succeeded).toHaveLength(1);
      else {
        expect(final.status).toBe(OrderStatus.CANCELLED);
        expect(succeeded).toHaveLength(0);
        expect(codes(paid)).toEqual(['INVALID_STATE']);
      }
    }
  });

  it('has the database refuse a second successful payment, whatever the code does', async () => {
    const order = await confirmed();
    await pay(order.id, 'tok_visa');
    await expect(
      orm.em
        .fork()
        .execute(
          `insert into payments (id, order_id, amount, currency, status, created_at) values (?, ?, 10, 'USD', 'SUCCEEDED', now())`,
          [randomUUID(), order.id],
        ),
    ).rejects.toThrow(/payments_one_success_per_order/);
  });
});
