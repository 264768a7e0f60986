import { querySql } from '@commerce-supergraph/test-support/sql';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  adminToken,
  available,
  createProduct,
  placed,
  registerShopper,
  SAGA_WAIT,
  type Shopper,
} from './support/orders.js';
import { startSupergraph, type TestSupergraph } from './support/supergraph.js';

let graph: TestSupergraph;
let admin: string;
let shoppers: Shopper[];

beforeAll(async () => {
  graph = await startSupergraph();
  admin = await adminToken(graph);
  shoppers = await Promise.all(Array.from({ length: 8 }, (_, i) => registerShopper(graph, `racer${i}`)));
});
afterAll(() => graph?.stop());

// Only the order subgraph is asked: the product subgraph may be restarting while these run.
const PLACE = `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { order { id status } userErrors { code } } }`;
const STATUS = `query($id: ID!) { order(id: $id) { id status items { quantity } } }`;

/**
 * Well under the consumers' ack wait (30 s): a stopping instance hands its messages back within
 * a few seconds, so an order stuck until the ack wait runs out fails this test.
 */
const RESTART_WAIT = { timeout: 15_000, interval: 200 };

type Placed = { id: string; productId: string; quantity: number; shopper: Shopper };

/** Waits until no order is PENDING any more; returns each order's final status. */
async function finalStatuses(orders: Placed[], wait = SAGA_WAIT): Promise<Map<string, string>> {
  const statuses = new Map<string, string>();
  await vi.waitFor(async () => {
    for (const order of orders.filter((o) => !['CONFIRMED', 'REJECTED'].includes(statuses.get(o.id) ?? ''))) {
      const res = await graph.send(STATUS, { id: order.id }, order.shopper.token);
      statuses.set(order.id, res.data?.order.status);
    }
    const pending = orders.filter((o) => statuses.get(o.id) === 'PENDING');
    if (pending.length > 0) throw new Error(`${pending.length} orders still PENDING`);
  }, wait);
  return statuses;
}

const stockRow = async (productId: string) =>
  (
    await querySql<{ on_hand: number; reserved: number; held: number }>(
      graph.databases.product as string,
      `select p.on_hand, p.reserved,
              (select coalesce(sum(quantity), 0)::int from reservations r where r.product_id = p.id and r.status = 'RESERVED') as held
         from products p where p.id = ?`,
      [productId],
    )
  )[0];

describe('the last units, raced for', () => {
  it('gives 5 units to exactly 5 of 8 customers ordering at once, round after round', async () => {
    for (let round = 0; round < 3; round++) {
      const product = await createProduct(graph, admin, shoppers[0] as Shopper, { initialStock: 5 });
      const orders = await Promise.all(
        shoppers.map(async (shopper) => {
          const order = await placed(graph, shopper, [{ productId: product.id, quantity: 1 }]);
          return { id: order.id, productId: product.id, quantity: 1, shopper };
        }),
      );
      const statuses = [...(await finalStatuses(orders)).values()].sort();
      expect(statuses, `round ${round}`).toEqual([...Array(5).fill('CONFIRMED'), ...Array(3).fill('REJECTED')]);
      expect(await available(graph, product.id)).toBe(0);
      expect(await stockRow(product.id)).toEqual({ on_hand: 5, reserved: 5, held: 5 });
    }
  });
});

describe('a product subgraph restart in the middle of a burst of orders', () => {
  it('settles every order as CONFIRMED or REJECTED and keeps reserved and available stock exact', {
    timeout: 45_000,
  }, async () => {
    const products = await Promise.all(
      Array.from({ length: 3 }, () => createProduct(graph, admin, shoppers[0] as Shopper, { initialStock: 12 })),
    );
    const wanted = Array.from({ length: 48 }, (_, i) => ({
      productId: (products[i % 3] as { id: string }).id,
      quantity: 1 + (i % 2),
      shopper: shoppers[i % shoppers.length] as Shopper,
    }));
    const orders: Placed[] = [];
    let restart: Promise<void> | undefined;
    for (let i = 0; i < wanted.length; i += 6) {
      // A third of the way in, the product subgraph goes down and comes back while orders keep coming.
      if (i === 18) restart = graph.restartProduct();
      const wave = await Promise.all(
        wanted.slice(i, i + 6).map(async (want) => {
          const res = await graph.send(
            PLACE,
            { input: { items: [{ productId: want.productId, quantity: want.quantity }] } },
            want.shopper.token,
          );
          expect(res.data?.placeOrder.userErrors).toEqual([]);
          return { ...want, id: res.data?.placeOrder.order.id as string };
        }),
      );
      orders.push(...wave);
    }
    await restart;
    const statuses = await finalStatuses(orders, RESTART_WAIT);
    expect([...statuses.values()].every((s) => s === 'CONFIRMED' || s === 'REJECTED')).toBe(true);
    for (const product of products) {
      const confirmed = orders
        .filter((o) => o.productId === product.id && statuses.get(o.id) === 'CONFIRMED')
        .reduce((sum, o) => sum + o.quantity, 0);
      const row = await stockRow(product.id);
      expect(row).toEqual({ on_hand: 12, reserved: confirmed, held: confirmed });
      expect(await available(graph, product.id)).toBe(12 - confirmed);
    }
  });
});
