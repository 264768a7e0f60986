import { setTimeout as sleep } from 'node:timers/promises';
import { createEnvelope } from '@commerce-supergraph/shared/events/envelope';
import { DeadLetterStore } from '@commerce-supergraph/shared/events/jetstream/dead-letters';
import { natsConnectOptions } from '@commerce-supergraph/shared/events/jetstream/nats-auth';
import { askProjections } from '@commerce-supergraph/shared/events/jetstream/projection-fence';
import type { NatsAuth } from '@commerce-supergraph/shared/nats-config';
import { MeDocument, SignOutEverywhereDocument } from '@commerce-supergraph/storefront/gql';
import { postGraphQL } from '@commerce-supergraph/test-support/graphql-client';
import { publishWithoutMsgId, streamEvents } from '@commerce-supergraph/test-support/jetstream';
import { NATS_SERVICES, type NatsService } from '@commerce-supergraph/test-support/nats-authorization';
import { querySql } from '@commerce-supergraph/test-support/sql';
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  adminToken,
  available,
  createProduct,
  payOrder,
  placed,
  registerShopper,
  SAGA_WAIT,
  type Shopper,
  settled,
} from './support/orders.js';
import { E2E_GATEWAY_SECRET, startSupergraph, type TestSupergraph } from './support/supergraph.js';

/**
 * The committed NATS authorization (deploy/nats/authorization.conf), on a private server with test
 * passwords: every subgraph connects as its own user and the whole saga runs (each service
 * publishing through its outbox and consuming what it needs), a refused event is dead-lettered,
 * and no user may publish another service's events.
 */
let graph: TestSupergraph;
let admin: string;
let shopper: Shopper;

beforeAll(async () => {
  graph = await startSupergraph({ natsAuthorization: true });
  admin = await adminToken(graph);
  shopper = await registerShopper(graph, 'authorized');
});
afterAll(() => graph?.stop());

const credentials = (service: NatsService): NatsAuth => graph.natsCredentials[service] as NatsAuth;
const connectAs = (service: NatsService) =>
  connect({
    ...natsConnectOptions(graph.natsUrl, credentials(service)),
    servers: graph.natsUrl,
    name: `${service}-test`,
  });

/** Publishes as `service` through JetStream, as its outbox relay does; resolves with the outcome. */
async function publishAs(service: NatsService, subject: string): Promise<'stored' | Error> {
  const nc = await connectAs(service);
  try {
    // What is sent does not matter: the server decides on the subject alone.
    await jetstream(nc).publish(subject, JSON.stringify({ service, subject }), { timeout: 2_000 });
    return 'stored';
  } catch (error) {
    return error as Error;
  } finally {
    await nc.close();
  }
}

/** The server's answer to a core subscription of `service` on `subject`: undefined when allowed. */
async function subscribeAs(service: NatsService, subject: string): Promise<Error | undefined> {
  const nc: NatsConnection = await connectAs(service);
  try {
    const refused = (async () => {
      for await (const status of nc.status()) {
        if (status.type === 'error') return status.error;
      }
      return undefined;
    })();
    nc.subscribe(subject);
    await nc.flush();
    return await Promise.race([refused, sleep(500).then(() => undefined)]);
  } finally {
    await nc.close();
  }
}

/**
 * A subject in each service's own namespace that no consumer reads (so publishing it changes
 * nothing). The gateway has none: it only reads.
 */
const OWN_SUBJECTS: Record<NatsService, string[]> = {
  customer: ['customers.permission.checked.v1'],
  product: ['catalog.permission.checked.v1', 'inventory.permission.checked.v1'],
  order: ['orders.permission.checked.v1', 'payments.permission.checked.v1'],
  'credit-status': ['credit.permission.checked.v1'],
  gateway: [],
};
const PUBLISHERS = NATS_SERVICES.filter((service) => service !== 'gateway');
/** Token revocations: every service, the gateway included, applies them as they are published. */
const REVOCATIONS = 'customers.customer.sessions-revoked.v1';

describe('NATS with one user per service', () => {
  it('runs the saga end to end: each service publishes its events and consumes what it needs', async () => {
    // customer -> credit-status: the registration opened a credit status.
    await vi.waitFor(async () => {
      const rows = await querySql(
        graph.databases['credit-status'] as string,
        'select 1 from credit_statuses where customer_id = ?',
        [shopper.id],
      );
      expect(rows).toHaveLength(1);
    }, SAGA_WAIT);
    // product -> order (catalog), order -> product (created), product -> order (reserved), order -> customer.
    const lamp = await createProduct(graph, admin, shopper, { initialStock: 5 });
    const order = await placed(graph, shopper, [{ productId: lamp.id, quantity: 2 }]);
    expect((await settled(graph, shopper, order.id, ['CONFIRMED'])).status).toBe('CONFIRMED');
    // order -> product (sold), -> credit-status (score), -> customer (receipt).
    expect((await payOrder(graph, shopper, order.id, 'tok_visa')).data?.payOrder.order?.status).toBe('PAID');
    await vi.waitFor(async () => {
      expect(await available(graph, lamp.id)).toBe(3);
      const changes = await querySql(
        graph.databases['credit-status'] as string,
        'select reason from credit_score_changes where customer_id = ?',
        [shopper.id],
      );
      expect(changes).toEqual([{ reason: 'Payment succeeded' }]);
      const notes = await querySql<{ subject: string }>(
        graph.databases.customer as string,
        'select subject from notifications where customer_id = ? order by created_at',
        [shopper.id],
      );
      expect(notes.map((n) => n.subject)).toEqual(['Your order is confirmed', 'Payment receipt']);
    }, SAGA_WAIT);
    const scores = await streamEvents(graph.natsUrl, 'CREDIT', credentials('credit-status'));
    expect(scores.some((e) => (e.data as { customerId?: string }).customerId === shopper.id)).toBe(true);
  });

  it('carries a revocation to the gateway and every subgraph, each reading as its own user', async () => {
    const revoked = await registerShopper(graph, 'revoked');
    const res = await graph.send(SignOutEverywhereDocument, {}, revoked.token);
    expect(res.data?.signOutEverywhere).toMatchObject({ userErrors: [] });
    await vi.waitFor(
      async () => {
        expect((await postGraphQL(graph.gatewayUrl, MeDocument, {}, { token: revoked.token })).status).toBe(401);
        for (const [name, url] of Object.entries(graph.subgraphUrls)) {
          const answer = await postGraphQL(
            url,
            '{ _service { sdl } }',
            {},
            {
              token: revoked.token,
              gatewaySecret: E2E_GATEWAY_SECRET,
            },
          );
          expect(answer.status, name).toBe(401);
        }
      },
      { timeout: 2_000, interval: 50 },
    );
  });

  it.each(NATS_SERVICES)('lets %s subscribe to token revocations', async (service) => {
    expect(await subscribeAs(service, REVOCATIONS)).toBeUndefined();
  });

  it('lets the gateway subscribe to catalog changes (its public cache), and to nothing else of the streams', async () => {
    expect(await subscribeAs('gateway', 'catalog.product.upserted.v1')).toBeUndefined();
    for (const subject of ['catalog.>', 'customers.customer.registered.v1', 'payments.>']) {
      expect(String(await subscribeAs('gateway', subject)), subject).toMatch(/permissions violation/i);
    }
  });

  it("lets only the product subgraph ask the catalog's price projection to catch up, and the order subgraph answer", async () => {
    // The order subgraph listens from its first placeOrder on (catalog-barrier.ts).
    const lamp = await createProduct(graph, admin, shopper, { initialStock: 1 });
    await placed(graph, shopper, [{ productId: lamp.id, quantity: 1 }]);
    const askAs = async (service: NatsService) => {
      const nc = await connectAs(service);
      try {
        return await askProjections(nc, 'catalog.product.upserted.v1', 1_000);
      } finally {
        await nc.close();
      }
    };
    // Answered: the product's user may ask, and the order's may answer the question it heard.
    expect(['current', 'caught-up']).toContain(await askAs('product'));
    // Refused by the server, so nobody hears it: no answer at all (none listening would be 'no-projection').
    for (const service of NATS_SERVICES.filter((other) => other !== 'product')) {
      expect(await askAs(service), service).toBe('no-answer');
    }
    expect(String(await subscribeAs('product', 'catchup.catalog.>'))).toMatch(/permissions violation/i);
  });

  it.each(PUBLISHERS)('lets %s publish its own subjects', async (service) => {
    for (const subject of OWN_SUBJECTS[service]) expect(await publishAs(service, subject)).toBe('stored');
  });

  it.each(NATS_SERVICES)("refuses %s every other service's subjects and dead letters", async (service) => {
    const others = NATS_SERVICES.filter((other) => other !== service);
    const subjects = [
      ...others.flatMap((other) => OWN_SUBJECTS[other]),
      'inventory.reservation.reserved.v1',
      ...others.map((other) => `deadletter.${other}.inventory.reservation.reserved.v1`),
    ].filter((subject) => !OWN_SUBJECTS[service].some((own) => own.split('.')[0] === subject.split('.')[0]));
    for (const subject of subjects) {
      const outcome = await publishAs(service, subject);
      expect(outcome, `${service} publishing ${subject}`).toBeInstanceOf(Error);
      expect(String((outcome as Error).cause ?? outcome), `${service} publishing ${subject}`).toMatch(
        /permissions violation/i,
      );
    }
    // Nothing refused was stored.
    for (const stream of ['CUSTOMERS', 'CATALOG', 'INVENTORY', 'ORDERS', 'PAYMENTS', 'CREDIT', 'DEAD_LETTERS']) {
      // Read as a publisher: the gateway may not read messages by sequence.
      const stored = await streamEvents(graph.natsUrl, stream, credentials(service === 'gateway' ? 'order' : service));
      const sent = stored as unknown as { service?: string; subject?: string }[];
      const mine = sent.filter((message) => message.service === service).map((message) => message.subject);
      expect(mine.filter((subject) => !OWN_SUBJECTS[service].includes(subject ?? ''))).toEqual([]);
    }
    // Nor may it read events behind the streams' backs: a service subscribes to its replies only.
    for (const subject of ['orders.>', 'inventory.>', ...OWN_SUBJECTS[service].slice(0, 1)]) {
      expect(String(await subscribeAs(service, subject))).toMatch(/permissions violation/i);
    }
  });

  it("dead-letters an event its publisher got wrong, under the consumer's own user", async () => {
    const lamp = await createProduct(graph, admin, shopper, { initialStock: 5 });
    const order = await placed(graph, shopper, [{ productId: lamp.id, quantity: 1 }]);
    await settled(graph, shopper, order.id, ['CONFIRMED']);
    // The product subgraph's user may publish on inventory.>; what it sends must still be valid.
    const bad = createEnvelope({
      subject: 'inventory.reservation.reserved.v1',
      data: { orderId: order.id },
      source: 'product',
      correlationId: 'permissions-test',
    });
    await publishWithoutMsgId(graph.natsUrl, bad, credentials('product'));
    const asOrder = await DeadLetterStore.connect(graph.natsUrl, undefined, credentials('order'));
    try {
      await vi.waitFor(async () => {
        expect((await asOrder.list()).filter((letter) => letter.eventId === bad.id)).toHaveLength(1);
      }, SAGA_WAIT);
      const [letter] = (await asOrder.list()).filter((l) => l.eventId === bad.id);
      expect(letter).toMatchObject({
        storedSubject: 'deadletter.order.inventory.reservation.reserved.v1',
        deliveryCount: 1,
        error: 'refused inventory.reservation.reserved.v1: data.lines: missing',
      });
      // The order's user may not publish the product subgraph's subject, so it cannot replay it...
      await expect(asOrder.replay(letter!)).rejects.toThrow(/permissions violation/i);
      expect(await asOrder.get(letter!.seq)).toBeDefined();
      // ...but any service's user may discard a letter.
      expect(await asOrder.discard(letter!.seq)).toBe(true);
    } finally {
      await asOrder.close();
    }
  });
});
