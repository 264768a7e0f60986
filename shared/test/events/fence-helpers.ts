import { setTimeout as sleep } from 'node:timers/promises';
import { uniqueName } from '@commerce-supergraph/test-support/names';
import { TEST_NATS_URL } from '@commerce-supergraph/test-support/nats-server';
import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { afterEach, beforeEach, expect } from 'vitest';
import type { CatchUpOutcome } from '../../src/events/jetstream/catch-up.js';
import { ProjectionFence } from '../../src/events/jetstream/projection-fence.js';

/** A catalog writer and an order reader on connections of their own to the real NATS, on a subject of one test. */
export interface FenceWorld {
  writer: NatsConnection;
  reader: NatsConnection;
  subject: string;
}

/** Connects a fresh world before each test of the calling file, and closes it after. */
export function fenceWorld(): FenceWorld {
  const world = {} as FenceWorld;
  beforeEach(async () => {
    world.writer = await connect({ servers: TEST_NATS_URL, name: 'fence-writer' });
    world.reader = await connect({ servers: TEST_NATS_URL, name: 'fence-reader', reconnectTimeWait: 50 });
    world.subject = `${uniqueName('fence')}.product.upserted.v1`;
  });
  afterEach(async () => {
    await Promise.all([world.writer.close(), world.reader.close()]);
  });
  return world;
}

/**
 * A fence on `connection` (the world's reader by default) whose catch-up stands in for the
 * projection's (ConsumerCatchUp.wait, tested against a real stream in catch-up.int.test.ts): it
 * counts its calls and answers each with the next planned outcome after its delay, or with
 * `otherwise` at once.
 */
export function catchUps(
  world: FenceWorld,
  planned: { outcome: CatchUpOutcome; ms?: number }[] = [],
  {
    connection = () => world.reader,
    otherwise = 'current',
    holdMs,
    flushMs,
  }: {
    connection?: () => NatsConnection | undefined;
    otherwise?: CatchUpOutcome;
    holdMs?: number;
    flushMs?: number;
  } = {},
) {
  const calls = { count: 0 };
  const catchUp = async (): Promise<CatchUpOutcome> => {
    calls.count += 1;
    const { outcome, ms = 0 } = planned.shift() ?? { outcome: otherwise };
    await sleep(ms);
    return outcome;
  };
  const fence = new ProjectionFence({ connection, subject: world.subject, catchUp, holdMs, flushMs });
  return { calls, fence };
}

/** `nc` as the fence sees it: its subscriptions kept in `subscriptions`, and its flush replaced when given. */
export function watched(nc: NatsConnection, flush?: () => Promise<void>) {
  const subscriptions: Subscription[] = [];
  const connection = new Proxy(nc, {
    get: (target, key) => {
      if (key === 'flush' && flush) return flush;
      if (key !== 'subscribe') return Reflect.get(target, key, target);
      return (...args: Parameters<NatsConnection['subscribe']>) => {
        const subscription = target.subscribe(...args);
        subscriptions.push(subscription);
        return subscription;
      };
    },
  });
  return { connection, subscriptions };
}

/** Renews `nc`'s connection to the server and resolves once it is back. */
export async function renewed(nc: NatsConnection): Promise<void> {
  const back = (async () => {
    for await (const status of nc.status()) if (status.type === 'reconnect') return;
  })();
  await nc.reconnect();
  await back;
}

/** A check that finds the projection current, and fences. */
export async function raised(fence: ProjectionFence) {
  expect(await fence.wait()).toBe('current');
  expect(fence.fenced).toBe(true);
}
