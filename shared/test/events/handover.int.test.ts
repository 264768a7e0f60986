import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { createEnvelope } from '../../src/events/envelope.js';
import type { JetStreamEventBus } from '../../src/events/jetstream/bus.js';
import { openTestBus, type TestBus } from './helpers.js';

let nats: TestBus;
beforeEach(async () => {
  nats = await openTestBus('handover-test');
});
afterEach(() => nats.dispose());

/**
 * A restarted instance (a deploy, a crash-restart) must pick up where the stopped one left off
 * at once. Messages the server was still sending to the stopped instance must not sit
 * unacknowledged until the ack wait runs out.
 */
it('hands unprocessed messages to the next instance at once when a consumer stops mid-stream', async () => {
  const subject = nats.subject('order', 'placed');
  const handled = new Set<string>();
  const slowHandler = async (envelope: { id: string }) => {
    await sleep(5);
    handled.add(envelope.id);
  };
  const first: JetStreamEventBus = await nats.openAnother();
  await first.subscribe(subject, slowHandler);
  const sent: string[] = [];
  for (let n = 0; n < 400; n++) {
    const envelope = createEnvelope({ subject, data: { n }, source: 'handover-test', correlationId: `req-${n}` });
    await nats.bus.publish(envelope);
    sent.push(envelope.id);
  }
  await vi.waitFor(() => expect(handled.size).toBeGreaterThan(40), { timeout: 10_000, interval: 5 });
  await first.close();

  const second = await nats.openAnother();
  await second.subscribe(subject, slowHandler);
  await vi.waitFor(() => expect(handled.size).toBe(sent.length), { timeout: 12_000, interval: 50 });
});
