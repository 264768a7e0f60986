import { setTimeout as sleep } from 'node:timers/promises';
import { PlaceOrderDocument } from '@commerce-supergraph/storefront/gql';
import { watchEvents } from '@commerce-supergraph/test-support/event-watch';
import { it } from 'vitest';
import { adminToken, createProduct, registerShopper, type Shopper } from './support/orders.js';
import { startSupergraph, type TestSupergraph } from './support/supergraph.js';

/**
 * placeOrder through the gateway -> CONFIRMED, on this machine's loopback, against a supergraph of
 * its own (every subgraph, its own databases, its own NATS; removed afterwards). Confirmation is
 * observed on a NATS subscription to orders.order.confirmed.v1: the order subgraph's relay publishes
 * it right after the CONFIRMED commit, so the time is exact and costs the system nothing, where
 * polling the Order query would add its own load and up to one poll interval of error.
 * A steady rate (below saturation; under a burst latency is just queueing), then a burst for the
 * ceiling. Bounded: BENCH_ORDERS orders a phase (default 600), BENCH_ORDER_RATE a second (default 60).
 */
const COUNT = Number(process.env.BENCH_ORDERS ?? 600);
const RATE = Number(process.env.BENCH_ORDER_RATE ?? 60);
const BURST_CONCURRENCY = 32;
const LIMIT_MS = 120_000;

interface Sample {
  sentAt: number;
  answeredAt?: number;
  orderId?: string;
}

it('placeOrder -> CONFIRMED through the gateway', async () => {
  // Eight shoppers place every order and pay none: no open-order cap may stop them.
  const graph = await startSupergraph({ orderEnv: { ORDER_MAX_OPEN_ORDERS: '100000' } });
  const settled = new Map<string, { at: number; type: string }>();
  const watch = watchEvents(graph.natsUrl, ['orders.order.confirmed.v1', 'orders.order.rejected.v1'], (event) => {
    settled.set((event.data as { orderId: string }).orderId, { at: performance.now(), type: event.type });
  });
  try {
    await watch.ready;
    const admin = await adminToken(graph);
    const shoppers = await Promise.all(Array.from({ length: 8 }, (_, i) => registerShopper(graph, `bench${i}`)));
    const products = await Promise.all(
      Array.from({ length: 8 }, () => createProduct(graph, admin, shoppers[0] as Shopper, { initialStock: 1_000_000 })),
    );
    const place = (i: number) =>
      placeOne(graph, shoppers[i % shoppers.length] as Shopper, products[i % products.length]?.id as string);
    // Warm-up: connections, query plans and JIT, so the first measured orders are not the slow ones.
    await Promise.all(Array.from({ length: 40 }, (_, i) => place(i)));

    console.log(`\norders bench (${COUNT} orders a phase; gateway + 4 subgraphs + PostgreSQL + NATS on this machine)`);
    const steady = await run(COUNT, (i, started) => sleepUntil(started + (i * 1000) / RATE), place);
    await waitForAll(steady, settled);
    report(`steady ${RATE}/s offered`, steady, settled);

    const burst = await run(COUNT, undefined, place, BURST_CONCURRENCY);
    await waitForAll(burst, settled);
    report(`burst, ${BURST_CONCURRENCY} in flight`, burst, settled);
  } finally {
    await watch.close();
    await graph.stop();
  }
});

async function placeOne(graph: TestSupergraph, shopper: Shopper, productId: string): Promise<string> {
  const res = await graph.send(PlaceOrderDocument, { input: { items: [{ productId, quantity: 1 }] } }, shopper.token);
  const id = res.data?.placeOrder.order?.id as string | undefined;
  if (!id) throw new Error(`placeOrder failed: ${JSON.stringify(res.errors ?? res.data)}`);
  return id;
}

/** Sends `count` orders, each after `pace` allows it (steady) or as soon as one of `concurrency` slots frees (burst). */
async function run(
  count: number,
  pace: ((i: number, started: number) => Promise<void>) | undefined,
  place: (i: number) => Promise<string>,
  concurrency = Number.POSITIVE_INFINITY,
): Promise<Sample[]> {
  const samples: Sample[] = [];
  const started = performance.now();
  let next = 0;
  const inFlight = new Set<Promise<void>>();
  while (next < count) {
    const i = next++;
    await pace?.(i, started);
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
    const sample: Sample = { sentAt: performance.now() };
    samples.push(sample);
    const sent = place(i).then((orderId) => {
      sample.orderId = orderId;
      sample.answeredAt = performance.now();
    });
    inFlight.add(sent);
    void sent.finally(() => inFlight.delete(sent));
  }
  await Promise.all(inFlight);
  return samples;
}

async function waitForAll(samples: Sample[], settled: Map<string, unknown>): Promise<void> {
  const deadline = performance.now() + LIMIT_MS;
  while (samples.some((s) => !settled.has(s.orderId as string))) {
    if (performance.now() > deadline) throw new Error(`orders not confirmed within ${LIMIT_MS} ms`);
    await sleep(20);
  }
}

function report(label: string, samples: Sample[], settled: Map<string, { at: number; type: string }>): void {
  const first = Math.min(...samples.map((s) => s.sentAt));
  const answered = Math.max(...samples.map((s) => s.answeredAt as number));
  const confirmed = Math.max(...samples.map((s) => settled.get(s.orderId as string)?.at as number));
  const rejected = samples.filter((s) => settled.get(s.orderId as string)?.type !== 'orders.order.confirmed.v1').length;
  const perSecond = (ms: number) => ((samples.length / ms) * 1000).toFixed(0);
  console.log(
    `${label}: ${perSecond(answered - first)} orders/s placed, ${perSecond(confirmed - first)} orders/s confirmed end to end` +
      (rejected > 0 ? ` (${rejected} rejected)` : ''),
  );
  console.log(`  placeOrder response:        ${percentiles(samples.map((s) => (s.answeredAt as number) - s.sentAt))}`);
  console.log(
    `  placeOrder -> CONFIRMED:    ${percentiles(samples.map((s) => (settled.get(s.orderId as string)?.at as number) - s.sentAt))}`,
  );
}

function percentiles(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN).toFixed(1);
  return `p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms`;
}

const sleepUntil = async (at: number) => {
  const wait = at - performance.now();
  if (wait > 0) await sleep(wait);
};
