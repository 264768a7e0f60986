import { setTimeout as sleep } from 'node:timers/promises';
import { uniqueName } from '@commerce-supergraph/test-support/names';
import { startNatsServer, TEST_NATS_URL } from '@commerce-supergraph/test-support/nats-server';
import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CatchUpOutcome } from '../../src/events/jetstream/catch-up.js';
import { askProjections, ProjectionFence } from '../../src/events/jetstream/projection-fence.js';

// The writer and the reader on connections of their own to the real NATS, on a subject of this run.
let writer: NatsConnection;
let reader: NatsConnection;
let subject: string;

beforeEach(async () => {
  writer = await connect({ servers: TEST_NATS_URL, name: 'fence-writer' });
  reader = await connect({ servers: TEST_NATS_URL, name: 'fence-reader', reconnectTimeWait: 50 });
  subject = `${uniqueName('fence')}.product.upserted.v1`;
});
afterEach(async () => {
  await Promise.all([writer.close(), reader.close()]);
});

/**
 * A fence on `connection` (the reader by default) whose catch-up stands in for the projection's
 * (ConsumerCatchUp.wait, tested against a real stream in catch-up.int.test.ts): it counts its calls
 * and answers each with the next planned outcome after its delay, or with `otherwise` at once.
 */
function catchUps(
  planned: { outcome: CatchUpOutcome; ms?: number }[] = [],
  {
    connection = () => reader,
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
  return { calls, fence: new ProjectionFence({ connection, subject, catchUp, holdMs, flushMs }) };
}

/** `nc` as the fence sees it: its subscriptions kept in `subscriptions`, and its flush replaced when given. */
function watched(nc: NatsConnection, flush?: () => Promise<void>) {
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

async function raised(fence: ProjectionFence) {
  expect(await fence.wait()).toBe('current');
  expect(fence.fenced).toBe(true);
}

describe('read-your-writes paid by the writer', () => {
  it('tells a writer at once that no projection listens', async () => {
    const started = performance.now();
    expect(await askProjections(writer, subject, 2_000)).toBe('no-projection');
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('checks until caught up while listening, then skips the check until a question, answered once caught up', async () => {
    const { calls, fence } = catchUps([{ outcome: 'current' }, { outcome: 'caught-up', ms: 300 }]);
    await raised(fence);
    for (let i = 0; i < 5; i++) expect(await fence.wait()).toBe('fenced');
    expect({ checks: calls.count, skipped: fence.skipped }).toEqual({ checks: 1, skipped: 5 });

    const started = performance.now();
    const asked = askProjections(writer, subject, 2_000);
    await expect.poll(() => fence.fenced, { timeout: 1_000, interval: 5 }).toBe(false);
    expect(await asked).toBe('caught-up');
    // The answer waited for the catch-up, and raised the fence again.
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(calls.count).toBe(2);
    expect(fence.fenced).toBe(true);
  });

  it('leaves the fence down after an answer that is not caught up, until a check is', async () => {
    const { calls, fence } = catchUps([{ outcome: 'current' }, { outcome: 'behind' }, { outcome: 'current' }]);
    await raised(fence);
    expect(await askProjections(writer, subject, 2_000)).toBe('behind');
    expect(fence.fenced).toBe(false);
    await raised(fence);
    expect(calls.count).toBe(3);
  });

  it('raises no fence on an earlier question answered after a later one that was not caught up', async () => {
    const { fence } = catchUps([{ outcome: 'current' }, { outcome: 'current', ms: 300 }, { outcome: 'behind' }]);
    await raised(fence);
    const first = askProjections(writer, subject, 2_000);
    await expect.poll(() => fence.fenced, { timeout: 1_000, interval: 5 }).toBe(false);
    expect(await askProjections(writer, subject, 2_000)).toBe('behind');
    expect(await first).toBe('current');
    expect(fence.fenced).toBe(false);
  });

  it('raises no fence on a check during which a question was heard', async () => {
    const { fence } = catchUps([{ outcome: 'current', ms: 300 }, { outcome: 'behind' }]);
    const checking = fence.wait();
    await sleep(100);
    expect(await askProjections(writer, subject, 2_000)).toBe('behind');
    expect(await checking).toBe('current');
    expect(fence.fenced).toBe(false);
  });

  it('lets a fence lapse after holdMs without a check, whatever happened meanwhile', async () => {
    const { calls, fence } = catchUps([], { holdMs: 200 });
    await raised(fence);
    expect(await fence.wait()).toBe('fenced');
    await sleep(250);
    expect(fence.fenced).toBe(false);
    await raised(fence);
    expect(calls.count).toBe(2);
  });

  it('lowers the fence when the connection is renewed, and raises it after the next check', async () => {
    const { calls, fence } = catchUps();
    await raised(fence);
    void reader.reconnect();
    await expect.poll(() => fence.fenced, { timeout: 2_000, interval: 5 }).toBe(false);
    await expect
      .poll(async () => (await fence.wait()) === 'current' && fence.fenced, { timeout: 5_000, interval: 20 })
      .toBe(true);
    expect(calls.count).toBeGreaterThanOrEqual(2);
    // Listening again: a question is heard and answered.
    expect(await askProjections(writer, subject, 2_000)).toBe('current');
  });

  it('lowers the fence when its subscription closes, and subscribes again at the next check', async () => {
    const { connection, subscriptions } = watched(reader);
    const { calls, fence } = catchUps([], { connection: () => connection });
    await raised(fence);
    subscriptions[0]?.unsubscribe();
    expect(fence.fenced).toBe(false);
    await raised(fence);
    expect({ checks: calls.count, subscriptions: subscriptions.length }).toEqual({ checks: 2, subscriptions: 2 });
  });

  it('raises no fence while the server has not confirmed the subscription in flushMs', async () => {
    const { connection } = watched(reader, () => new Promise<void>(() => undefined));
    const { calls, fence } = catchUps([], { connection: () => connection, flushMs: 50 });
    for (let i = 0; i < 2; i++) expect(await fence.wait()).toBe('current');
    expect({ checks: calls.count, fenced: fence.fenced }).toEqual({ checks: 2, fenced: false });
  });

  it('checks before every read without a connection, never fencing', async () => {
    const { calls, fence } = catchUps([], { connection: () => undefined, otherwise: 'unavailable' });
    for (let i = 0; i < 3; i++) expect(await fence.wait()).toBe('unavailable');
    expect({ checks: calls.count, fenced: fence.fenced }).toEqual({ checks: 3, fenced: false });
  });

  it('checks before every read, subscribing once a connection, when the server refuses the subscription', async () => {
    // A user that may not listen for questions: a server still on an older authorization file.
    const server = await startNatsServer({
      config:
        'authorization { users = [ { user: reader, password: reader, permissions: { subscribe: { allow: ["_INBOX.>"] } } } ] }',
    });
    const refused = await connect({ servers: server.url, user: 'reader', pass: 'reader' });
    try {
      const { connection, subscriptions } = watched(refused);
      const { calls, fence } = catchUps([], { connection: () => connection });
      for (let i = 0; i < 3; i++) expect(await fence.wait()).toBe('current');
      expect({ checks: calls.count, subscriptions: subscriptions.length, fenced: fence.fenced }).toEqual({
        checks: 3,
        subscriptions: 1,
        fenced: false,
      });
    } finally {
      await refused.close();
      await server.dispose();
    }
  });
});
