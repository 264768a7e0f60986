import { DeadLetterStore } from '@commerce-supergraph/shared/events/jetstream/dead-letters';
import { querySql } from '@commerce-supergraph/test-support/sql';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { refuseConfirmations } from './support/faults.js';
import {
  adminToken,
  available,
  createProduct,
  orderOf,
  placed,
  registerShopper,
  SAGA_WAIT,
  type Shopper,
  settled,
} from './support/orders.js';
import { startSupergraph, type TestSupergraph } from './support/supergraph.js';

const DEADLINE_SECONDS = 4;
const SWEEP_MS = 200;
const RESERVED_CONSUMER = 'order__inventory_reservation_reserved_v1';
let graph: TestSupergraph;
let admin: string;
let shopper: Shopper;
let deadLetters: DeadLetterStore;

beforeAll(async () => {
  // A PENDING deadline of seconds, swept often, and a failing handler dead-lettered after 2 tries.
  graph = await startSupergraph({
    orderEnv: { ORDER_PENDING_TIMEOUT_SECONDS: String(DEADLINE_SECONDS), ORDER_EXPIRY_SWEEP_MS: String(SWEEP_MS) },
    orderEvents: { bus: { retry: { maxDeliver: 2, backoffMs: [100] } } },
  });
  admin = await adminToken(graph);
  shopper = await registerShopper(graph, 'stranded');
  deadLetters = await DeadLetterStore.connect(graph.natsUrl);
});
afterAll(async () => {
  await deadLetters?.close();
  await graph?.stop();
});

const lettersFor = async (orderId: string) =>
  (await deadLetters.list()).filter((letter) => (letter.envelope?.data as { orderId?: string })?.orderId === orderId);

describe('an order whose saga answer was lost', () => {
  it('is REJECTED at its PENDING deadline, and the stock reserved for it comes back', async () => {
    const lamp = await createProduct(graph, admin, shopper, { initialStock: 5 });
    const fix = await refuseConfirmations(graph, shopper.id);
    const placedAt = performance.now();
    const order = await placed(graph, shopper, [{ productId: lamp.id, quantity: 2 }]);
    // The product subgraph reserved the stock; its answer failed on the order side until dead-lettered.
    await vi.waitFor(async () => expect(await available(graph, lamp.id)).toBe(3), SAGA_WAIT);
    await vi.waitFor(async () => expect(await lettersFor(order.id)).toHaveLength(1), SAGA_WAIT);
    const [letter] = await lettersFor(order.id);
    expect(letter).toMatchObject({ consumer: RESERVED_CONSUMER, deliveryCount: 2 });
    expect(letter?.error).toMatch(/injected fault/);
    expect((await orderOf(graph, shopper, order.id)).status).toBe('PENDING');

    const rejected = await settled(graph, shopper, order.id, ['REJECTED']);
    const tookMs = performance.now() - placedAt;
    expect(rejected.rejectionReason).toBe(
      `Stock could not be reserved in time (no answer within ${DEADLINE_SECONDS} seconds)`,
    );
    // Not before its deadline, and at most one sweep (plus this machine's slack) after it.
    expect(tookMs).toBeGreaterThanOrEqual(DEADLINE_SECONDS * 1_000 - 100);
    expect(tookMs).toBeLessThan(DEADLINE_SECONDS * 1_000 + SWEEP_MS + 2_000);
    await vi.waitFor(async () => expect(await available(graph, lamp.id)).toBe(5), SAGA_WAIT);

    // The cause fixed, the dead letter replayed: the order stays REJECTED, the stock stays released.
    await fix();
    await deadLetters.replay(letter!);
    await vi.waitFor(async () => {
      const rows = await querySql(graph.databases.order as string, 'select 1 from inbox_messages where event_id = ?', [
        letter?.eventId,
      ]);
      expect(rows).toHaveLength(1);
    }, SAGA_WAIT);
    expect((await orderOf(graph, shopper, order.id)).status).toBe('REJECTED');
    expect(await available(graph, lamp.id)).toBe(5);
    expect(await lettersFor(order.id)).toEqual([]);
  });
});
