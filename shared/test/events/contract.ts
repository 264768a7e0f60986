import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { consumerName, type DeadLetter, type Delivery, type EventBus, type RetryPolicy } from '../../src/events/bus.js';
import { createEnvelope, type EventEnvelope } from '../../src/events/envelope.js';

export interface BusHarness {
  bus: EventBus;
  /** A subject in a domain of this harness's own, so runs on a shared server never meet. */
  subject(entity: string, verb: string): string;
  deadLetters(): Promise<DeadLetter[]>;
  dispose(): Promise<void>;
}

export type BusFactory = (setup: { service: string; retry: RetryPolicy }) => Promise<BusHarness>;

const SERVICE = 'contract';
const RETRY: RetryPolicy = { maxDeliver: 3, backoffMs: [150, 300] };
const WAIT = { timeout: 10_000, interval: 20 };

const event = (subject: string, n = 0): EventEnvelope =>
  createEnvelope({ subject, data: { n }, source: 'contract-test', correlationId: `req-${n}` });

/** Records what a handler saw; `failures` makes its first n deliveries throw. */
function recorder(failures = 0) {
  const seen: { envelope: EventEnvelope; delivery: Delivery; at: number }[] = [];
  const handler = async (envelope: EventEnvelope, delivery: Delivery) => {
    seen.push({ envelope, delivery, at: performance.now() });
    if (seen.length <= failures) throw new Error(`boom ${seen.length}`);
  };
  return { seen, handler, ids: () => seen.map((s) => s.envelope.id) };
}

/**
 * The promises every EventBus makes (see bus.ts), run against each implementation, so the
 * in-memory bus used in unit tests cannot behave differently from JetStream in production.
 */
export function describeEventBusContract(name: string, factory: BusFactory): void {
  describe(`EventBus contract: ${name}`, () => {
    let h: BusHarness;
    beforeEach(async () => {
      h = await factory({ service: SERVICE, retry: RETRY });
    });
    afterEach(async () => {
      await h.dispose();
    });

    it('delivers an event published before the subscription, intact, with consumer and log', async () => {
      const subject = h.subject('order', 'created');
      const sent = event(subject, 1);
      expect(await h.bus.publish(sent)).toEqual({ duplicate: false });
      const r = recorder();
      await h.bus.subscribe(subject, r.handler);
      await vi.waitFor(() => expect(r.seen).toHaveLength(1), WAIT);
      expect(r.seen[0]?.envelope).toEqual(sent);
      expect(r.seen[0]?.delivery.consumer).toBe(consumerName(SERVICE, subject));
      expect(r.seen[0]?.delivery.deliveryCount).toBe(1);
      expect(typeof r.seen[0]?.delivery.log.info).toBe('function');
    });

    it('stores an event id once: a re-publish is reported as a duplicate and not delivered', async () => {
      const subject = h.subject('order', 'paid');
      const r = recorder();
      await h.bus.subscribe(subject, r.handler);
      const sent = event(subject);
      expect(await h.bus.publish(sent)).toEqual({ duplicate: false });
      expect(await h.bus.publish(sent)).toEqual({ duplicate: true });
      await vi.waitFor(() => expect(r.seen).toHaveLength(1), WAIT);
      await sleep(300);
      expect(r.ids()).toEqual([sent.id]);
    });

    it('gives every named consumer every event, in publish order, and only its subject', async () => {
      const subject = h.subject('product', 'upserted');
      const other = h.subject('product', 'deleted');
      const first = recorder();
      const second = recorder();
      await h.bus.subscribe(subject, first.handler);
      await h.bus.subscribe(subject, second.handler, { name: 'contract__second' });
      const sent = Array.from({ length: 5 }, (_, n) => event(subject, n));
      for (const [n, envelope] of sent.entries()) {
        await h.bus.publish(envelope);
        await h.bus.publish(event(other, n));
      }
      const ids = sent.map((e) => e.id);
      await vi.waitFor(() => expect(first.ids()).toEqual(ids), WAIT);
      await vi.waitFor(() => expect(second.ids()).toEqual(ids), WAIT);
      expect(second.seen[0]?.delivery.consumer).toBe('contract__second');
    });

    it('redelivers a failing handler with growing delays until it succeeds', async () => {
      const subject = h.subject('payment', 'failed');
      const r = recorder(2);
      await h.bus.subscribe(subject, r.handler);
      await h.bus.publish(event(subject));
      await vi.waitFor(() => expect(r.seen).toHaveLength(3), WAIT);
      expect(r.seen.map((s) => s.delivery.deliveryCount)).toEqual([1, 2, 3]);
      const [a, b, c] = r.seen.map((s) => s.at) as [number, number, number];
      expect(b - a).toBeGreaterThanOrEqual(RETRY.backoffMs[0]! - 20);
      expect(c - b).toBeGreaterThanOrEqual(RETRY.backoffMs[1]! - 20);
      await sleep(400);
      expect(r.seen).toHaveLength(3);
      expect(await h.deadLetters()).toEqual([]);
    });

    it('dead-letters an event whose handler keeps failing, with the error, after maxDeliver', async () => {
      const subject = h.subject('credit', 'scored');
      const r = recorder(Number.POSITIVE_INFINITY);
      await h.bus.subscribe(subject, r.handler);
      const sent = event(subject, 7);
      await h.bus.publish(sent);
      await vi.waitFor(async () => expect(await h.deadLetters()).toHaveLength(1), WAIT);
      const [letter] = await h.deadLetters();
      expect(letter).toMatchObject({
        consumer: consumerName(SERVICE, subject),
        subject,
        eventId: sent.id,
        deliveryCount: RETRY.maxDeliver,
        error: `boom ${RETRY.maxDeliver}`,
        envelope: sent,
      });
      await sleep(500);
      expect(r.seen).toHaveLength(RETRY.maxDeliver);
    });

    it('lets an in-flight handler finish when the bus closes', async () => {
      const subject = h.subject('customer', 'registered');
      let started = false;
      let finished = false;
      await h.bus.subscribe(subject, async () => {
        started = true;
        await sleep(200);
        finished = true;
      });
      await h.bus.publish(event(subject));
      await vi.waitFor(() => expect(started).toBe(true), WAIT);
      await h.bus.close();
      expect(finished).toBe(true);
      expect(h.bus.isConnected()).toBe(false);
    });
  });
}
