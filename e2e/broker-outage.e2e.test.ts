import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminToken,
  createProduct,
  orderOf,
  placed,
  registerShopper,
  type Shopper,
  settled,
} from './support/orders.js';
import { startSupergraph, type TestSupergraph } from './support/supergraph.js';

/** One look at a `/ready`, which must answer within 2 s. */
async function ready(url: string): Promise<{ status: number; ms: number; body: unknown }> {
  const started = performance.now();
  const response = await fetch(new URL('/ready', url), { signal: AbortSignal.timeout(2_000) });
  return { status: response.status, ms: performance.now() - started, body: await response.json() };
}

// Issue #16: a NATS outage is no API outage. Writes go to the outbox meanwhile, so nothing a client
// needs waits on the broker; `/ready` says so to the load balancer, and the saga goes on once NATS is back.
describe('during a NATS outage', () => {
  let graph: TestSupergraph;
  let shopper: Shopper;
  let productId: string;

  beforeAll(async () => {
    graph = await startSupergraph();
    const admin = await adminToken(graph);
    shopper = await registerShopper(graph, 'outage');
    productId = (await createProduct(graph, admin, shopper, { initialStock: 10 })).id;
  });
  afterAll(async () => {
    await graph?.nats.start().catch(() => undefined);
    await graph?.stop();
  });

  it('stays ready, accepts orders, and confirms them once NATS is back', async () => {
    await graph.nats.stop();
    try {
      // The gateway and every subgraph: 200 within 2 s, with NATS reported down where it is used.
      for (const url of [graph.gatewayUrl, ...Object.values(graph.subgraphUrls)]) {
        const answer = await ready(url);
        expect(answer.status, `${url} /ready: ${JSON.stringify(answer.body)}`).toBe(200);
        expect(answer.ms).toBeLessThan(2_000);
      }
      const order = await placed(graph, shopper, [{ productId, quantity: 2 }]);
      expect(order.status).toBe('PENDING');
      // Still PENDING while the broker is away: its event waits in the outbox.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect((await orderOf(graph, shopper, order.id)).status).toBe('PENDING');

      await graph.nats.start();
      const confirmed = await settled(graph, shopper, order.id, ['CONFIRMED']);
      expect(confirmed.items).toEqual([expect.objectContaining({ quantity: 2 })]);
    } finally {
      await graph.nats.start().catch(() => undefined);
    }
  });
});
