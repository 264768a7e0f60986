import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  adminToken,
  available,
  codesOf,
  confirmedOrder,
  createProduct,
  orderOf,
  payOrder,
  registerShopper,
  SAGA_WAIT,
  type Shopper,
  settled,
} from './support/orders.js';
import { startSupergraph, type TestSupergraph } from './support/supergraph.js';

const TIMEOUT_SECONDS = 3;
let graph: TestSupergraph;
let admin: string;
let shopper: Shopper;

beforeAll(async () => {
  // A payment time limit of seconds, swept often: what takes 15 minutes in production.
  graph = await startSupergraph({
    orderEnv: { ORDER_PAYMENT_TIMEOUT_SECONDS: String(TIMEOUT_SECONDS), ORDER_EXPIRY_SWEEP_MS: '200' },
  });
  admin = await adminToken(graph);
  shopper = await registerShopper(graph, 'late-payer');
});
afterAll(() => graph?.stop());

describe('expiry of unpaid confirmed orders', () => {
  it('cancels an order left unpaid past the time limit and gives its stock back; it cannot be paid then', async () => {
    const clock = await createProduct(graph, admin, shopper, { initialStock: 3 });
    const order = await confirmedOrder(graph, shopper, [{ productId: clock.id, quantity: 2 }]);
    expect(await available(graph, clock.id)).toBe(1);
    const expired = await settled(graph, shopper, order.id, ['CANCELLED']);
    expect(expired.status).toBe('CANCELLED');
    await vi.waitFor(async () => expect(await available(graph, clock.id)).toBe(3), SAGA_WAIT);
    expect(codesOf(await payOrder(graph, shopper, order.id, 'tok_visa'), 'payOrder')).toEqual(['INVALID_STATE']);
  });

  it('leaves a paid order alone, and its stock sold', async () => {
    const lamp = await createProduct(graph, admin, shopper, { initialStock: 3 });
    const order = await confirmedOrder(graph, shopper, [{ productId: lamp.id, quantity: 1 }]);
    expect((await payOrder(graph, shopper, order.id, 'tok_visa')).data?.payOrder.order?.status).toBe('PAID');
    await new Promise((resolve) => setTimeout(resolve, (TIMEOUT_SECONDS + 1) * 1000));
    expect((await orderOf(graph, shopper, order.id)).status).toBe('PAID');
    expect(await available(graph, lamp.id)).toBe(2);
  });
});
