import { uniqueName } from '@commerce-supergraph/test-support/names';
import { TEST_NATS_URL } from '@commerce-supergraph/test-support/nats-server';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';
import { NatsLink } from '../../src/events/jetstream/connection.js';
import { coalesceWrites } from '../../src/events/jetstream/write-coalescing.js';
import { silentLog } from './helpers.js';

const open: NatsConnection[] = [];
let link: NatsLink | undefined;
afterEach(async () => {
  await Promise.all(open.splice(0).map((nc) => nc.close()));
  await link?.close();
});

/** Counts the connection's socket writes (nats.js hands each flush to its transport's send). */
function countWrites(nc: NatsConnection): () => number {
  const protocol = (nc as unknown as { protocol: { transport: { send(frame: Uint8Array): void } } }).protocol;
  const transport = protocol.transport;
  const send = transport.send.bind(transport);
  let writes = 0;
  transport.send = (frame) => {
    writes += 1;
    send(frame);
  };
  return () => writes;
}

/**
 * Publishes `count` messages in one loop turn, each at the end of a chain of microtasks of its own
 * length (as an ack and a publish that follow one database answer are), and waits for all of them.
 */
async function publishInOneTurn(nc: NatsConnection, count: number): Promise<number> {
  const subject = uniqueName('coalesce');
  const reader = await connect({ servers: TEST_NATS_URL });
  open.push(reader);
  let received = 0;
  const sub = reader.subscribe(subject, {
    callback: () => {
      received += 1;
    },
  });
  await reader.flush();
  const writes = countWrites(nc);
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      for (let hop = 0; hop < i * 3; hop++) await null;
      nc.publish(subject, `message ${i}`);
    }),
  );
  await nc.flush();
  await reader.flush();
  for (let tries = 0; received < count && tries < 100; tries++) await new Promise((r) => setTimeout(r, 10));
  sub.unsubscribe();
  expect(received).toBe(count);
  return writes() - 1; // the flush's PING goes with the last write or in one of its own
}

describe('NATS writes coalesced per event-loop turn', () => {
  it('sends what several chains of microtasks queued in one turn in one write', async () => {
    const nc = await connect({ servers: TEST_NATS_URL });
    open.push(nc);
    expect(coalesceWrites(nc)).toBe(true);
    expect(await publishInOneTurn(nc, 6)).toBeLessThanOrEqual(1);
  });

  it('without it, nats.js writes once per chain (what the wrapper is for)', async () => {
    const nc = await connect({ servers: TEST_NATS_URL });
    open.push(nc);
    expect(await publishInOneTurn(nc, 6)).toBeGreaterThanOrEqual(5);
  });

  it("still writes at once what goes past nats.js's own limit of queued bytes", async () => {
    const nc = await connect({ servers: TEST_NATS_URL });
    open.push(nc);
    coalesceWrites(nc);
    const writes = countWrites(nc);
    const subject = uniqueName('coalesce');
    nc.publish(subject, 'small');
    expect(writes()).toBe(0);
    nc.publish(subject, new Uint8Array(128 * 1024));
    expect(writes()).toBe(1); // in the same turn, not deferred
    await nc.flush();
  });

  it('is on for every connection a NatsLink makes', async () => {
    link = new NatsLink({ url: TEST_NATS_URL, name: 'coalesce-test', log: silentLog(), onConnect: async () => {} });
    link.start();
    await link.whenReady();
    expect(await publishInOneTurn(link.connection as NatsConnection, 6)).toBeLessThanOrEqual(1);
  });
});
