import { randomUUID } from 'node:crypto';
import { streamEvents } from '@commerce-supergraph/test-support/jetstream';
import { querySql } from '@commerce-supergraph/test-support/sql';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  adminToken,
  available,
  cancelOrder,
  codesOf,
  confirmedOrder,
  createProduct,
  orderOf,
  payOrder,
  placed,
  placeOrder,
  registerShopper,
  SAGA_WAIT,
  type Shopper,
  settled,
} from './support/orders.js';
import { startSupergraph, type TestSupergraph } from './support/supergraph.js';

let graph: TestSupergraph;
let admin: string;
let ada: Shopper;

beforeAll(async () => {
  graph = await startSupergraph();
  admin = await adminToken(graph);
  ada = await registerShopper(graph, 'ada');
});
afterAll(() => graph?.stop());

const product = (input: { name?: string; price?: string; initialStock?: number } = {}) =>
  createProduct(graph, admin, ada, input);
const stockOf = async (productId: string) =>
  (
    await querySql(graph.databases.product as string, 'select on_hand, reserved from products where id = ?', [
      productId,
    ])
  )[0];
const succeededPayments = async (orderId: string) =>
  (await streamEvents(graph.natsUrl, 'PAYMENTS')).filter(
    (e) => e.type === 'payments.payment.succeeded.v1' && (e.data as { orderId: string }).orderId === orderId,
  );

describe('PlaceOrder and the saga', () => {
  it('places an order at catalog prices and confirms it; Order shows customer, items and stock', async () => {
    const lamp = await product({ name: 'Desk Lamp', price: '24.90', initialStock: 5 });
    const pins = await product({ name: 'Pins', price: '0.10', initialStock: 100 });
    const res = await placeOrder(graph, ada, [
      { productId: lamp.id, quantity: 2 },
      { productId: pins.id, quantity: 3 },
    ]);
    expect(res.errors).toBeUndefined();
    const order = res.data?.placeOrder.order;
    expect(res.data?.placeOrder.userErrors).toEqual([]);
    expect(['PENDING', 'CONFIRMED']).toContain(order?.status);
    expect(order?.total).toEqual({ amount: '50.10', currencyCode: 'USD' });
    expect(order?.items).toEqual([
      {
        quantity: 2,
        unitPrice: { amount: '24.90', currencyCode: 'USD' },
        lineTotal: { amount: '49.80', currencyCode: 'USD' },
        product: { id: lamp.id, name: 'Desk Lamp' },
      },
      {
        quantity: 3,
        unitPrice: { amount: '0.10', currencyCode: 'USD' },
        lineTotal: { amount: '0.30', currencyCode: 'USD' },
        product: { id: pins.id, name: 'Pins' },
      },
    ]);
    const confirmed = await settled(graph, ada, order?.id as string, ['CONFIRMED']);
    expect(confirmed).toMatchObject({
      rejectionReason: null,
      customer: { id: ada.id, name: 'Order ada' },
      payment: null,
      items: [
        { quantity: 2, product: { id: lamp.id, available: 3 } },
        { quantity: 3, product: { id: pins.id, available: 97 } },
      ],
    });
  });

  it('rejects an order for missing stock with a reason, and leaves the stock as it was', async () => {
    const vase = await product({ name: 'Vase', initialStock: 1 });
    const order = await placed(graph, ada, [{ productId: vase.id, quantity: 2 }]);
    const rejected = await settled(graph, ada, order.id, ['REJECTED']);
    expect(rejected.rejectionReason).toBe('Not enough stock for Vase (2 requested, 1 available)');
    expect(await available(graph, vase.id)).toBe(1);
  });
});

describe('PayOrder', () => {
  it('pays a confirmed order: PAID, one SUCCEEDED payment, and the stock stays sold', async () => {
    const chair = await product({ price: '80.00', initialStock: 4 });
    const order = await confirmedOrder(graph, ada, [{ productId: chair.id, quantity: 1 }]);
    const res = await payOrder(graph, ada, order.id, 'tok_visa');
    expect(res.data?.payOrder).toMatchObject({
      order: { id: order.id, status: 'PAID' },
      payment: { status: 'SUCCEEDED', failureReason: null },
      userErrors: [],
    });
    expect((await orderOf(graph, ada, order.id)).payment).toMatchObject({
      id: res.data?.payOrder.payment?.id,
      status: 'SUCCEEDED',
      amount: { amount: '80.00' },
    });
    // The sale is final: the product subgraph turns the reservation into a sale, available stays 3.
    await vi.waitFor(async () => expect(await stockOf(chair.id)).toEqual({ on_hand: 3, reserved: 0 }), SAGA_WAIT);
    expect(await available(graph, chair.id)).toBe(3);
    expect(await succeededPayments(order.id)).toHaveLength(1);
  });

  it('declines tok_chargeDeclined (order stays CONFIRMED), then pays with tok_visa', async () => {
    const rug = await product({ price: '45.00' });
    const order = await confirmedOrder(graph, ada, [{ productId: rug.id, quantity: 1 }]);
    const declined = await payOrder(graph, ada, order.id, 'tok_chargeDeclined');
    expect(declined.data?.payOrder).toMatchObject({
      order: { id: order.id, status: 'CONFIRMED' },
      payment: { status: 'FAILED', failureReason: 'The card was declined' },
      userErrors: [{ field: ['input', 'paymentToken'], code: 'PAYMENT_DECLINED' }],
    });
    expect((await orderOf(graph, ada, order.id)).payment).toMatchObject({ status: 'FAILED' });
    const paid = await payOrder(graph, ada, order.id, 'tok_visa');
    expect(paid.data?.payOrder.order?.status).toBe('PAID');
    expect((await orderOf(graph, ada, order.id)).payment).toMatchObject({ status: 'SUCCEEDED', failureReason: null });
  });

  it('charges once when paid twice: the second is INVALID_STATE', async () => {
    const order = await confirmedOrder(graph, ada, [{ productId: (await product()).id, quantity: 1 }]);
    const [first, second] = [
      await payOrder(graph, ada, order.id, 'tok_visa'),
      await payOrder(graph, ada, order.id, 'tok_visa'),
    ];
    expect(first.data?.payOrder.payment?.status).toBe('SUCCEEDED');
    expect(second.data?.payOrder).toMatchObject({ order: null, payment: null });
    expect(codesOf(second, 'payOrder')).toEqual(['INVALID_STATE']);
    await vi.waitFor(async () => expect(await succeededPayments(order.id)).toHaveLength(1), SAGA_WAIT);
  });

  it('answers a repeated idempotency key with the same payment, also when sent at once', async () => {
    const order = await confirmedOrder(graph, ada, [{ productId: (await product()).id, quantity: 1 }]);
    const key = `pay-${randomUUID()}`;
    const results = await Promise.all(Array.from({ length: 4 }, () => payOrder(graph, ada, order.id, 'tok_visa', key)));
    const ids = new Set(results.map((res) => res.data?.payOrder.payment?.id));
    expect(ids.size).toBe(1);
    expect(results.flatMap((res) => codesOf(res, 'payOrder'))).toEqual([]);
    await vi.waitFor(async () => expect(await succeededPayments(order.id)).toHaveLength(1), SAGA_WAIT);
  });
});

describe('CancelOrder', () => {
  it('cancels a confirmed order and gives its stock back; a cancelled order cannot be paid', async () => {
    const lamp = await product({ initialStock: 6 });
    const order = await confirmedOrder(graph, ada, [{ productId: lamp.id, quantity: 4 }]);
    expect(await available(graph, lamp.id)).toBe(2);
    const res = await cancelOrder(graph, ada, order.id);
    expect(res.data?.cancelOrder).toEqual({ order: { id: order.id, status: 'CANCELLED' }, userErrors: [] });
    await vi.waitFor(async () => expect(await available(graph, lamp.id)).toBe(6), SAGA_WAIT);
    expect(codesOf(await payOrder(graph, ada, order.id, 'tok_visa'), 'payOrder')).toEqual(['INVALID_STATE']);
  });

  it('gives the stock back also when the cancel comes right after placing (maybe still PENDING)', async () => {
    const bowl = await product({ initialStock: 20 });
    const orders = await Promise.all(
      Array.from({ length: 5 }, () => placed(graph, ada, [{ productId: bowl.id, quantity: 2 }])),
    );
    const cancels = await Promise.all(orders.map((order) => cancelOrder(graph, ada, order.id)));
    expect(cancels.map((res) => res.data?.cancelOrder.order?.status)).toEqual(Array(5).fill('CANCELLED'));
    await vi.waitFor(async () => expect(await available(graph, bowl.id)).toBe(20), SAGA_WAIT);
    // Late reservations of cancelled orders confirm nothing.
    for (const order of orders) expect((await orderOf(graph, ada, order.id)).status).toBe('CANCELLED');
  });

  it('cannot cancel a paid order, or one cancelled or rejected already', async () => {
    const mug = await product({ initialStock: 1 });
    const paid = await confirmedOrder(graph, ada, [{ productId: mug.id, quantity: 1 }]);
    await payOrder(graph, ada, paid.id, 'tok_visa');
    const rejected = await settled(graph, ada, (await placed(graph, ada, [{ productId: mug.id, quantity: 1 }])).id);
    expect(rejected.status).toBe('REJECTED');
    for (const id of [paid.id, rejected.id]) {
      const res = await cancelOrder(graph, ada, id);
      expect(res.data?.cancelOrder).toMatchObject({
        order: null,
        userErrors: [{ field: ['id'], code: 'INVALID_STATE' }],
      });
    }
    expect((await orderOf(graph, ada, paid.id)).status).toBe('PAID');
  });
});
