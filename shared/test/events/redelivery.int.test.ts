import { setTimeout as sleep } from 'node:timers/promises';
import { TEST_NATS_URL } from '@commerce-supergraph/test-support/nats-server';
import { startTcpProxy, type TcpProxy } from '@commerce-supergraph/test-support/tcp-proxy';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import type { Delivery } from '../../src/events/bus.js';
import { createEnvelope, type EventEnvelope } from '../../src/events/envelope.js';
import { openTestBus, type TestBus } from './helpers.js';

const ACK_WAIT_MS = 5_000; // the bus's default, measured as it ships
let nats: TestBus;
let proxy: TcpProxy;
const release: (() => void)[] = [];

beforeEach(async () => {
  nats = await openTestBus('redelivery-test');
  proxy = await startTcpProxy(Number(new URL(TEST_NATS_URL).port || 4222));
});
afterEach(async () => {
  for (const done of release.splice(0)) done();
  await proxy.close();
  await nats.dispose();
});

it('hands a message held by an instance that died to another instance within seconds', async () => {
  const subject = nats.subject('order', 'created');
  const dyingGot: Delivery[] = [];
  const survivorGot: { delivery: Delivery; at: number }[] = [];
  // The doomed instance reaches NATS through a proxy, so cutting it is its death as the server sees it.
  const dying = await nats.openAnother({ url: `nats://127.0.0.1:${proxy.port}` });
  await dying.subscribe(subject, async (_envelope, delivery) => {
    dyingGot.push(delivery);
    // A slow handler: still working long after the ack wait, until the test lets it go.
    await new Promise<void>((resolve) => release.push(resolve));
  });
  const event: EventEnvelope = createEnvelope({ subject, data: {}, source: 'test', correlationId: 'req-1' });
  await nats.bus.publish(event);
  await vi.waitFor(() => expect(dyingGot).toHaveLength(1), { timeout: 10_000, interval: 20 });

  const survivor = await nats.openAnother();
  await survivor.subscribe(subject, async (_envelope, delivery) => {
    survivorGot.push({ delivery, at: performance.now() });
  });
  // While the slow instance lives it signals progress: the message stays with it past the ack wait.
  await sleep(ACK_WAIT_MS + 3_000);
  expect(survivorGot).toHaveLength(0);
  expect(dyingGot).toHaveLength(1);

  const killedAt = performance.now();
  proxy.cut();
  await vi.waitFor(() => expect(survivorGot).toHaveLength(1), { timeout: 15_000, interval: 20 });
  const redeliveredAfterMs = (survivorGot[0]?.at ?? 0) - killedAt;
  console.info(`handled by the other instance ${Math.round(redeliveredAfterMs)} ms after the first one died`);
  expect(redeliveredAfterMs).toBeLessThan(ACK_WAIT_MS + 2_500);
  expect(survivorGot[0]?.delivery.deliveryCount).toBe(2);
}, 60_000);
