import { startNatsServer } from '@commerce-supergraph/test-support/nats-server';
import { connect } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { askProjections } from '../../src/events/jetstream/projection-fence.js';
import { catchUps, fenceWorld, raised, renewed, watched } from './fence-helpers.js';

// A fence holds only while its subscription is proven on the connection it reads through.
const world = fenceWorld();

describe('read-your-writes paid by the writer: connections and subscriptions', () => {
  it('lowers the fence when the connection is renewed, and raises it after the next check', async () => {
    const { calls, fence } = catchUps(world);
    await raised(fence);
    void world.reader.reconnect();
    await expect.poll(() => fence.fenced, { timeout: 2_000, interval: 5 }).toBe(false);
    await expect
      .poll(async () => (await fence.wait()) === 'current' && fence.fenced, { timeout: 5_000, interval: 20 })
      .toBe(true);
    expect(calls.count).toBeGreaterThanOrEqual(2);
    // Listening again: a question is heard and answered.
    expect(await askProjections(world.writer, world.subject, 2_000)).toBe('current');
  });

  it('raises no fence when the connection was renewed while the server confirmed the subscription', async () => {
    // The first flush comes back only after a renewal: what it confirmed was the old connection's subscription.
    let renew = true;
    const { connection } = watched(world.reader, async () => {
      if (renew) {
        renew = false;
        await renewed(world.reader);
      }
      await world.reader.flush();
    });
    // flushMs well past a renewal: the flush must come back, so the epoch check is what refuses the proof.
    const { calls, fence } = catchUps(world, [], { connection: () => connection, flushMs: 10_000 });
    expect(await fence.wait()).toBe('current');
    expect(fence.fenced).toBe(false);
    // The next check confirms the subscription on the renewed connection, and fences.
    await raised(fence);
    expect(calls.count).toBe(2);
  });

  // A check or an answer that began before a renewal must not touch the fence a later check raised
  // on the renewed connection (each would otherwise lower it: its proof is of the old connection).
  it('keeps the fence a check raised after a renewal when an older check ends', async () => {
    const { calls, fence } = catchUps(world, [{ outcome: 'current', ms: 1_500 }], { holdMs: 10_000 });
    const older = fence.wait();
    await expect.poll(() => calls.count, { timeout: 1_000, interval: 5 }).toBe(1);
    await renewed(world.reader);
    await raised(fence);
    expect(await older).toBe('current');
    expect(fence.fenced).toBe(true);
  });

  it('keeps the fence a check raised after a renewal when an older answer ends', async () => {
    const planned = [{ outcome: 'current' as const }, { outcome: 'current' as const, ms: 1_500 }];
    const { calls, fence } = catchUps(world, planned, { holdMs: 10_000 });
    await raised(fence);
    const asked = askProjections(world.writer, world.subject, 3_000);
    await expect.poll(() => calls.count, { timeout: 1_000, interval: 5 }).toBe(2);
    await renewed(world.reader);
    // The question is still being answered: the check proves the new connection, but fences only once it is.
    expect(await fence.wait()).toBe('current');
    expect(await asked).toBe('current');
    expect(fence.fenced).toBe(true);
  });

  it('lowers the fence when its subscription closes, and subscribes again at the next check', async () => {
    const { connection, subscriptions } = watched(world.reader);
    const { calls, fence } = catchUps(world, [], { connection: () => connection });
    await raised(fence);
    subscriptions[0]?.unsubscribe();
    expect(fence.fenced).toBe(false);
    await raised(fence);
    expect({ checks: calls.count, subscriptions: subscriptions.length }).toEqual({ checks: 2, subscriptions: 2 });
  });

  it('raises no fence while the server has not confirmed the subscription in flushMs', async () => {
    const { connection } = watched(world.reader, () => new Promise<void>(() => undefined));
    const { calls, fence } = catchUps(world, [], { connection: () => connection, flushMs: 50 });
    for (let i = 0; i < 2; i++) expect(await fence.wait()).toBe('current');
    expect({ checks: calls.count, fenced: fence.fenced }).toEqual({ checks: 2, fenced: false });
  });

  it('checks before every read without a connection, never fencing', async () => {
    const { calls, fence } = catchUps(world, [], { connection: () => undefined, otherwise: 'unavailable' });
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
      const { calls, fence } = catchUps(world, [], { connection: () => connection });
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
