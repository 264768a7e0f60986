import { MyActivityDocument, MyCreditDocument } from '@commerce-supergraph/storefront/gql';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  adminToken,
  confirmedOrder,
  createProduct,
  payOrder,
  placed,
  registerShopper,
  SAGA_WAIT,
  type Shopper,
  settled,
} from './support/orders.js';
import { startSupergraph, type TestSupergraph } from './support/supergraph.js';

let graph: TestSupergraph;
let admin: string;
let shopper: Shopper;

beforeAll(async () => {
  graph = await startSupergraph();
  admin = await adminToken(graph);
  shopper = await registerShopper(graph, 'listener');
});
afterAll(() => graph?.stop());

const subjects = async () => {
  const res = await graph.send(MyActivityDocument, {}, shopper.token);
  return ((res.data?.me?.notifications ?? []) as { subject: string }[]).map((n) => n.subject);
};
const score = async () => (await graph.send(MyCreditDocument, {}, shopper.token)).data?.me?.creditStatus?.score;

describe("the order subgraph's events reach the services that consume them", () => {
  it('notifies confirmed, rejected and paid orders, and moves the credit score on payments', async () => {
    const product = await createProduct(graph, admin, shopper, { initialStock: 1 });
    const order = await confirmedOrder(graph, shopper, [{ productId: product.id, quantity: 1 }]);
    const rejected = await placed(graph, shopper, [{ productId: product.id, quantity: 1 }]);
    await settled(graph, shopper, rejected.id, ['REJECTED']);
    await payOrder(graph, shopper, order.id, 'tok_chargeDeclined');
    await payOrder(graph, shopper, order.id, 'tok_visa');
    await vi.waitFor(async () => {
      expect((await subjects()).sort()).toEqual([
        'Payment receipt',
        'Your order could not be accepted',
        'Your order is confirmed',
      ]);
    }, SAGA_WAIT);
    // 650, -10 for the declined payment, +5 for the successful one.
    await vi.waitFor(async () => expect(await score()).toBe(645), SAGA_WAIT);
  });
});
