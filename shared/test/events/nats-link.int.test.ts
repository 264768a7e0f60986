import { TEST_NATS_URL } from '@commerce-supergraph/test-support/nats-server';
import { afterEach, describe, expect, it } from 'vitest';
import { NatsLink } from '../../src/events/jetstream/connection.js';
import { silentLog } from './helpers.js';

let link: NatsLink | undefined;
afterEach(async () => {
  await link?.close();
});

describe('NATS link set-up', () => {
  it('tries a failed set-up again within a quarter second or so, not after the reconnect wait', async () => {
    const tries: number[] = [];
    link = new NatsLink({
      url: TEST_NATS_URL,
      name: 'link-test',
      log: silentLog(),
      reconnectWaitMs: 2_000,
      reconnectJitterMs: 10,
      onConnect: async () => {
        tries.push(performance.now());
        // As JetStream does for a moment after a server restart.
        if (tries.length < 3) throw new Error('JetStream not answering yet');
      },
    });
    link.start();
    await link.whenReady();
    expect(tries).toHaveLength(3);
    expect(link.isReady()).toBe(true);
    // 250 ms, then 500 ms (plus up to 10 ms of jitter each): far below the 2 s reconnect wait.
    expect((tries[2] as number) - (tries[0] as number)).toBeLessThan(1_200);
    expect((tries[1] as number) - (tries[0] as number)).toBeGreaterThanOrEqual(240);
  });
});
