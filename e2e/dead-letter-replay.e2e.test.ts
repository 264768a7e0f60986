import { DeadLetterStore } from '@commerce-supergraph/shared/events/jetstream/dead-letters';
import { consumerBacklog, publishRaw, streamEvents } from '@commerce-supergraph/test-support/jetstream';
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

let graph: TestSupergraph;
let admin: string;
let shopper: Shopper;
let deadLetters: DeadLetterStore;

beforeAll(async () => {
  // The default PENDING deadline (minutes): the order waits for the operator. Failing handlers dead-letter fast.
  graph = await startSupergraph({ orderEvents: { bus: { retry: { maxDeliver: 2, backoffMs: [100] } } } });
  admin = await adminToken(graph);
  shopper = await registerShopper(graph, 'replayed');
  deadLetters = await DeadLetterStore.connect(graph.natsUrl);
});
afterAll(async () => {
  await deadLetters?.close();
  await graph?.stop();
});

const lettersFor = async (orderId: string) =>
  (await deadLetters.list()).filter((letter) => (letter.envelope?.data as { orderId?: string })?.orderId === orderId);
const confirmations = async (orderId: string) =>
  (await streamEvents(graph.natsUrl, 'ORDERS')).filter(
    (e) => e.type === 'orders.order.confirmed.v1' && (e.data as { orderId: string }).orderId === orderId,
  );
const inboxRows = async (eventId: string) =>
  (await querySql(graph.databases.order as string, 'select 1 from inbox_messages where event_id = ?', [eventId]))
    .length;

describe('replaying a dead-lettered saga answer once its cause is fixed', () => {
  it('confirms the order once; a second replay applies nothing more', async () => {
    const desk = await createProduct(graph, admin, shopper, { initialStock: 5 });
    const fix = await refuseConfirmations(graph, shopper.id);
    const order = await placed(graph, shopper, [{ productId: desk.id, quantity: 2 }]);
    await vi.waitFor(async () => expect(await lettersFor(order.id)).toHaveLength(1), SAGA_WAIT);
    const [letter] = await lettersFor(order.id);
    expect((await orderOf(graph, shopper, order.id)).status).toBe('PENDING');

    await fix();
    await deadLetters.replay(letter!);
    const confirmed = await settled(graph, shopper, order.id, ['CONFIRMED']);
    expect(confirmed.status).toBe('CONFIRMED');
    await vi.waitFor(async () => expect(await confirmations(order.id)).toHaveLength(1), SAGA_WAIT);
    expect(await lettersFor(order.id)).toEqual([]);

    // The same letter kept twice and replayed again: stored as another copy, skipped by the inbox.
    await publishRaw(graph.natsUrl, letter!.storedSubject, JSON.stringify(letter));
    const [again] = await lettersFor(order.id);
    expect(await deadLetters.replay(again!)).toMatchObject({ duplicate: false });
    await vi.waitFor(async () => {
      const copies = (await streamEvents(graph.natsUrl, 'INVENTORY')).filter((e) => e.id === letter?.eventId);
      expect(copies).toHaveLength(3);
    }, SAGA_WAIT);
    // The order subgraph has taken every copy (none waiting, none unacknowledged) and applied one.
    await vi.waitFor(async () => {
      const backlog = await consumerBacklog(graph.natsUrl, 'INVENTORY', 'order__inventory_reservation_reserved_v1');
      expect(backlog).toEqual({ pending: 0, ackPending: 0 });
    }, SAGA_WAIT);
    expect(await inboxRows(letter!.eventId as string)).toBe(1);
    expect(await confirmations(order.id)).toHaveLength(1);
    expect(await available(graph, desk.id)).toBe(3);
  });
});
