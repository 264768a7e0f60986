import { setTimeout as sleep } from 'node:timers/promises';
import { send } from './data.ts';

/** One placeOrder of the orders bench: when it was sent, answered, and (by the watcher) settled. */
export interface Sample {
  sentAt: number;
  answeredAt?: number;
  orderId?: string;
}

/** Orders settled as the NATS watcher saw them: order id -> when, and which event. */
export type Settled = Map<string, { at: number; type: string }>;

export const CONFIRMED = 'orders.order.confirmed.v1';
export const REJECTED = 'orders.order.rejected.v1';
/** The saga's steps between placeOrder and CONFIRMED, each seen when its event is published. */
export const CREATED = 'orders.order.created.v1';
export const RESERVED = 'inventory.reservation.reserved.v1';

/** Order id -> when its created and reserved events were published, as the watcher saw them. */
export type Steps = Map<string, { created?: number; reserved?: number }>;

/** Every placeOrder answer of a phase, each try timed; `refused`: those that were TOO_MANY_REQUESTS. */
export interface Attempts {
  answersMs: number[];
  refused: number;
}

/** How long a refused client waits before it tries again: the `retryAfterSeconds` the gateway gives, as a storefront would. */
const RETRY_AFTER_MS = 1_000;

/**
 * One unit of one product, through the gateway as a storefront does; a TOO_MANY_REQUESTS answer
 * (back-pressure) is tried again after a pause, anything else without an order fails the bench.
 */
export async function placeOne(gatewayUrl: string, token: string, productId: string, attempts: Attempts) {
  for (;;) {
    const sent = performance.now();
    const res = await send(gatewayUrl, 'PlaceOrder', { input: { items: [{ productId, quantity: 1 }] } }, token);
    attempts.answersMs.push(performance.now() - sent);
    const id = res.data?.placeOrder?.order?.id as string | undefined;
    if (id) return id;
    // Refused by the order subgraph (a user error) or, before reaching it, by the gateway (an error).
    const codes = [
      ...((res.data?.placeOrder?.userErrors ?? []) as { code: string }[]).map(({ code }) => code),
      ...((res.errors ?? []) as { extensions?: { code?: string } }[]).map((error) => error.extensions?.code),
    ];
    if (codes.length === 0 || codes.some((code) => code !== 'TOO_MANY_REQUESTS'))
      throw new Error(`placeOrder failed: ${JSON.stringify(res.errors ?? res.data)}`);
    attempts.refused += 1;
    await sleep(RETRY_AFTER_MS);
  }
}

/** Sends `count` orders, each after `pace` allows it (steady) or as soon as one of `concurrency` slots frees (burst). */
export async function runPhase(
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

/** A steady pace: order `i` leaves `i / rate` seconds after the phase started. */
export const steadyPace = (rate: number) => async (i: number, started: number) => {
  const wait = started + (i * 1000) / rate - performance.now();
  if (wait > 0) await sleep(wait);
};

export async function waitForAll(samples: Sample[], settled: Settled, limitMs: number): Promise<void> {
  const deadline = performance.now() + limitMs;
  while (samples.some((s) => !settled.has(s.orderId as string))) {
    if (performance.now() > deadline) throw new Error(`orders not settled within ${limitMs} ms`);
    await sleep(20);
  }
}

/** How many of the phase's orders were confirmed (not rejected). */
export const confirmedCount = (samples: Sample[], settled: Settled): number =>
  samples.filter((s) => settled.get(s.orderId as string)?.type === CONFIRMED).length;

/** The latency lines: orders/s placed and confirmed, placeOrder's answer and placeOrder -> CONFIRMED. */
export function latencyReport(
  label: string,
  samples: Sample[],
  settled: Settled,
  attempts: Attempts,
  steps: Steps,
): string[] {
  const at = (s: Sample) => settled.get(s.orderId as string)?.at as number;
  const first = Math.min(...samples.map((s) => s.sentAt));
  const answered = Math.max(...samples.map((s) => s.answeredAt as number));
  const confirmed = Math.max(...samples.map(at));
  const rejected = samples.length - confirmedCount(samples, settled);
  const perSecond = (ms: number) => ((samples.length / ms) * 1000).toFixed(0);
  return [
    `${label}: ${perSecond(answered - first)} orders/s placed, ${perSecond(confirmed - first)} orders/s confirmed end to end` +
      ` (${samples.length} orders, the last confirmed ${((confirmed - first) / 1000).toFixed(1)} s after the first was sent)` +
      (rejected > 0 ? ` (${rejected} rejected)` : ''),
    `  placeOrder answers:         ${percentiles(attempts.answersMs)}, ${attempts.refused} of ${attempts.answersMs.length} TOO_MANY_REQUESTS`,
    `  placeOrder until accepted:  ${percentiles(samples.map((s) => (s.answeredAt as number) - s.sentAt))}`,
    `  placeOrder -> CONFIRMED:    ${percentiles(samples.map((s) => at(s) - s.sentAt))}`,
    `  the slowest 1 % were sent:  ${slowestSent(samples, at, first)}`,
    ...stepReport(samples, settled, steps),
  ];
}

/** Where the time to CONFIRMED went: each step from the one before, as its event was published. */
function stepReport(samples: Sample[], settled: Settled, steps: Steps): string[] {
  const seen = samples.flatMap((s) => {
    const { created, reserved } = steps.get(s.orderId as string) ?? {};
    const confirmed = settled.get(s.orderId as string);
    if (created === undefined || reserved === undefined || confirmed?.type !== CONFIRMED) return [];
    return [{ sent: s.sentAt, created, reserved, confirmed: confirmed.at }];
  });
  return [
    `  sent -> created published:  ${percentiles(seen.map((s) => s.created - s.sent))}`,
    `  created -> reserved:        ${percentiles(seen.map((s) => s.reserved - s.created))}`,
    `  reserved -> CONFIRMED:      ${percentiles(seen.map((s) => s.confirmed - s.reserved))}`,
  ];
}

/**
 * When, in seconds into the phase, the slowest 1 % of orders were sent: a tail bunched at the start
 * is a cold path, not load. Rounded up, so these are the orders at or above the p99 `percentiles` prints.
 */
export function slowestSent(samples: Sample[], at: (s: Sample) => number, first: number): string {
  const slowest = [...samples].sort((a, b) => at(b) - b.sentAt - (at(a) - a.sentAt));
  const count = Math.max(1, Math.ceil(samples.length / 100));
  const offsets = slowest.slice(0, count).map((s) => (s.sentAt - first) / 1000);
  return `${offsets
    .sort((a, b) => a - b)
    .map((o) => o.toFixed(2))
    .join(', ')} s into the phase`;
}

function percentiles(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN).toFixed(1);
  return `p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms`;
}
