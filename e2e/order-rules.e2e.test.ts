import { randomUUID } from 'node:crypto';
import {
  CancelOrderDocument,
  CreateProductDocument,
  MyOrdersDocument,
  type OrderItemInput,
  PlaceOrderDocument,
  UpdateProductDocument,
} from '@commerce-supergraph/storefront/gql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminToken,
  codesOf,
  confirmedOrder,
  createProduct,
  payOrder,
  placeOrder,
  registerShopper,
  type Shopper,
  settled,
  waitUntilPriced,
} from './support/orders.js';
import { startSupergraph, type TestSupergraph } from './support/supergraph.js';
import { userErrors } from './support/user-errors.js';

let graph: TestSupergraph;
let admin: string;
let grace: Shopper;
let product: { id: string; name: string };

beforeAll(async () => {
  graph = await startSupergraph();
  admin = await adminToken(graph);
  grace = await registerShopper(graph, 'grace');
  product = await createProduct(graph, admin, grace, { initialStock: 1000 });
});
afterAll(() => graph?.stop());

const myOrderCount = async () =>
  (await graph.send(MyOrdersDocument, { first: 1 }, grace.token)).data?.me?.orders.totalCount as number;
const line = (quantity = 1, productId = product.id) => ({ productId, quantity });

describe('PlaceOrder validation: user errors at the line, nothing stored', () => {
  it('INVALID for quantities outside 1 to 100, for 0 or 51 lines and for a repeated product', async () => {
    const before = await myOrderCount();
    const others = await Promise.all(Array.from({ length: 50 }, () => createProductId()));
    const cases: [OrderItemInput[], [string, string][]][] = [
      [[line(0)], [['input.items.0.quantity', 'INVALID']]],
      [[line(101)], [['input.items.0.quantity', 'INVALID']]],
      [[], [['input.items', 'INVALID']]],
      [[line(), ...others.map((id) => line(1, id))], [['input.items', 'INVALID']]],
      [[line(), line(2, product.id.toUpperCase())], [['input.items.1.productId', 'INVALID']]],
    ];
    for (const [items, expected] of cases) {
      const res = await graph.send(PlaceOrderDocument, { input: { items } }, grace.token);
      expect(res.data?.placeOrder.order).toBeNull();
      expect(userErrors(res, 'placeOrder')).toEqual(expected);
    }
    expect(await myOrderCount()).toBe(before);
  });

  it('UNKNOWN_PRODUCT for an unknown id, an id that is no uuid, and an inactive product', async () => {
    const retired = await createProduct(graph, admin, grace);
    await graph.send(UpdateProductDocument, { id: retired.id, input: { active: false } }, admin);
    await waitUntilPriced(graph, grace, retired.id, false);
    const res = await placeOrder(graph, grace, [
      line(),
      line(1, randomUUID()),
      line(1, 'sku-123'),
      line(1, retired.id),
    ]);
    expect(userErrors(res, 'placeOrder')).toEqual([
      ['input.items.1.productId', 'UNKNOWN_PRODUCT'],
      ['input.items.2.productId', 'UNKNOWN_PRODUCT'],
      ['input.items.3.productId', 'UNKNOWN_PRODUCT'],
    ]);
  });

  it('INVALID for an order of products priced in two currencies', async () => {
    const euro = await createProduct(graph, admin, grace);
    const res = await graph.send(
      CreateProductDocument,
      {
        input: {
          sku: `EUR-${randomUUID().slice(0, 8)}`,
          name: 'Euro item',
          price: '5.00',
          currencyCode: 'EUR',
          initialStock: 5,
        },
      },
      admin,
    );
    const eur = res.data?.createProduct.product?.id as string;
    await waitUntilPriced(graph, grace, eur, true);
    expect(userErrors(await placeOrder(graph, grace, [line(1, euro.id), line(1, eur)]), 'placeOrder')).toEqual([
      ['input.items', 'INVALID'],
    ]);
  });
});

describe('PlaceOrder idempotency', () => {
  it('returns the first order for a repeated key, also for a double submit sent at once', async () => {
    const before = await myOrderCount();
    const key = `checkout-${randomUUID()}`;
    const first = await placeOrder(graph, grace, [line(2)], key);
    const again = await placeOrder(graph, grace, [line(2)], key);
    expect(again.data?.placeOrder.order?.id).toBe(first.data?.placeOrder.order?.id);
    const doubleKey = `double-${randomUUID()}`;
    const doubled = await Promise.all(Array.from({ length: 5 }, () => placeOrder(graph, grace, [line(1)], doubleKey)));
    expect(new Set(doubled.map((res) => res.data?.placeOrder.order?.id)).size).toBe(1);
    expect(await myOrderCount()).toBe(before + 2);
  });
});

describe('PayOrder user errors', () => {
  it('INVALID_PAYMENT_TOKEN stores nothing; PAYMENT_DECLINED; INVALID_STATE before confirmation; NOT_FOUND', async () => {
    const order = await confirmedOrder(graph, grace, [line()]);
    const invalid = await payOrder(graph, grace, order.id, 'tok_mastercard');
    expect(invalid.data?.payOrder).toMatchObject({ order: null, payment: null });
    expect(userErrors(invalid, 'payOrder')).toEqual([['input.paymentToken', 'INVALID_PAYMENT_TOKEN']]);
    const view = await settled(graph, grace, order.id, ['CONFIRMED']);
    expect(view.payment).toBeNull();
    expect(userErrors(await payOrder(graph, grace, order.id, 'tok_chargeDeclined'), 'payOrder')).toEqual([
      ['input.paymentToken', 'PAYMENT_DECLINED'],
    ]);
    const scarce = await createProduct(graph, admin, grace, { initialStock: 0 });
    const rejected = (await placeOrder(graph, grace, [line(1, scarce.id)])).data?.placeOrder.order?.id as string;
    await settled(graph, grace, rejected, ['REJECTED']);
    expect(codesOf(await payOrder(graph, grace, rejected, 'tok_visa'), 'payOrder')).toEqual(['INVALID_STATE']);
    expect(codesOf(await payOrder(graph, grace, randomUUID(), 'tok_visa'), 'payOrder')).toEqual(['NOT_FOUND']);
    expect(codesOf(await graph.send(CancelOrderDocument, { id: 'nope' }, grace.token), 'cancelOrder')).toEqual([
      'NOT_FOUND',
    ]);
  });
});

async function createProductId(): Promise<string> {
  const res = await graph.send(
    CreateProductDocument,
    { input: { sku: `BULK-${randomUUID().slice(0, 12)}`, name: 'Bulk', price: '1.00', initialStock: 1 } },
    admin,
  );
  return res.data?.createProduct.product?.id as string;
}
