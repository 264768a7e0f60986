import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureStream } from '@commerce-supergraph/shared/events/jetstream/streams';
import { natsServers } from '@commerce-supergraph/shared/nats-config';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { type NatsCluster, startNatsCluster } from '../lib/nats-cluster.ts';

// The 3-node cluster of `npm run start:cluster` and the cluster test, with the stream settings the
// services apply (NATS_STREAM_REPLICAS): a stream on all three nodes outlives the one leading it.
const BIN = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';
let dir: string;
let cluster: NatsCluster;
let nc: NatsConnection;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nats-cluster-'));
  cluster = await startNatsCluster({ binary: BIN, dir });
  await cluster.waitForJetStream();
  // The whole list, as NATS_URL carries it: the client fails over to the next member.
  nc = await connect({ servers: natsServers(cluster.url), reconnectTimeWait: 200, maxReconnectAttempts: -1 });
}, 60_000);
afterAll(async () => {
  await nc?.close();
  await cluster?.stop();
  await rm(dir, { recursive: true, force: true });
});

it('creates streams with the replicas asked for, raises a stream made with fewer, and keeps them through the loss of their leader', async () => {
  const jsm = await jetstreamManager(nc);
  await ensureStream(jsm, { name: 'ONE', subjects: ['one.>'] }, 1);
  expect((await jsm.streams.info('ONE')).config.num_replicas).toBe(1);
  // The next start with NATS_STREAM_REPLICAS=3 brings the existing stream to three copies.
  await ensureStream(jsm, { name: 'ONE', subjects: ['one.>'] }, 3);
  expect((await jsm.streams.info('ONE')).config.num_replicas).toBe(3);
  // The new copies are made in the background: wait until a leader and two current replicas hold it.
  const info = await vi.waitFor(
    async () => {
      const now = await jsm.streams.info('ONE');
      expect(cluster.nodes.map((n) => n.name)).toContain(now.cluster?.leader);
      expect(now.cluster?.replicas?.filter((r) => r.current && !r.offline)).toHaveLength(2);
      return now;
    },
    { timeout: 30_000, interval: 250 },
  );

  const js = jetstream(nc);
  await js.publish('one.before', 'kept', { msgID: 'before' });
  const leader = cluster.nodes.find((n) => n.name === info.cluster?.leader);
  await leader?.kill();
  // A new leader is elected among the two left; publishing goes on, and nothing stored is lost.
  let stored = false;
  for (let attempt = 0; attempt < 60 && !stored; attempt++) {
    stored = await js
      .publish('one.after', 'also kept', { msgID: 'after', timeout: 2_000 })
      .then(() => true)
      .catch(() => false);
    if (!stored) await sleep(500);
  }
  expect(stored).toBe(true);
  const after = await jsm.streams.info('ONE');
  expect(after.cluster?.leader).not.toBe(leader?.name);
  expect(after.state.messages).toBe(2);
  await leader?.start();
}, 90_000);
