import { randomUUID } from 'node:crypto';
import { CreateProductDocument, UpdateProductDocument } from '@commerce-supergraph/storefront/gql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminToken, codesOf, createProduct, placeOrder, registerShopper, type Shopper } from './support/orders.js';
import { startSupergraph, type TestSupergraph } from './support/supergraph.js';

let graph: TestSupergraph;
let admin: string;
let shopper: Shopper;

beforeAll(async () => {
  // One shopper places all 100+ orders, none of them paid: the open-order cap is not under test here.
  graph = await startSupergraph({ orderEnv: { ORDER_MAX_OPEN_ORDERS: '1000' } });
  admin = await adminToken(graph);
  shopper = await registerShopper(graph, 'eager');
  // Start-up: the projection's consumer attaches once the CATALOG stream is there. Wait for it once.
  await createProduct(graph, admin, shopper);
});
afterAll(() => graph?.stop());

async function newProduct(price: string): Promise<string> {
  const res = await graph.send(
    CreateProductDocument,
    { input: { sku: `RYW-${randomUUID().slice(0, 12)}`, name: `Fresh ${price}`, price, initialStock: 5 } },
    admin,
  );
  const id = res.data?.createProduct.product?.id as string | undefined;
  if (!id) throw new Error(`product refused: ${JSON.stringify(res.errors ?? res.data?.createProduct.userErrors)}`);
  return id;
}

describe('a catalog change is orderable as soon as its mutation has answered', () => {
  it('prices 100 products ordered right after their creation, none of them unknown', async () => {
    const refused: string[][] = [];
    for (let i = 0; i < 100; i++) {
      const productId = await newProduct('4.20');
      const res = await placeOrder(graph, shopper, [{ productId, quantity: 1 }]);
      const codes = codesOf(res, 'placeOrder');
      if (codes.length > 0 || res.errors) refused.push([...codes, ...(res.errors ?? []).map((e) => e.message)]);
      else expect(res.data?.placeOrder.order?.total).toEqual({ amount: '4.20', currencyCode: 'USD' });
    }
    expect(refused).toEqual([]);
  });

  it('prices an order placed right after a price change at the new price', async () => {
    const productId = await newProduct('10.00');
    for (const price of ['12.50', '9.99', '11.00']) {
      const update = await graph.send(UpdateProductDocument, { id: productId, input: { price } }, admin);
      expect(update.data?.updateProduct.product?.price.amount).toBe(price);
      const res = await placeOrder(graph, shopper, [{ productId, quantity: 2 }]);
      expect(res.data?.placeOrder.userErrors).toEqual([]);
      expect(res.data?.placeOrder.order?.items[0]?.unitPrice.amount).toBe(price);
    }
  });

  it('refuses an order right after the product was deactivated', async () => {
    const productId = await newProduct('3.00');
    await graph.send(UpdateProductDocument, { id: productId, input: { active: false } }, admin);
    const res = await placeOrder(graph, shopper, [{ productId, quantity: 1 }]);
    expect(codesOf(res, 'placeOrder')).toEqual(['UNKNOWN_PRODUCT']);
  });
});
