import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { askProjections } from '../../src/events/jetstream/projection-fence.js';
import { catchUps, fenceWorld, raised } from './fence-helpers.js';

// The writer's questions and the reader's checks; connections and subscriptions are in
// projection-fence-connection.int.test.ts.
const world = fenceWorld();

describe('read-your-writes paid by the writer: questions and checks', () => {
  it('tells a writer at once that no projection listens', async () => {
    const started = performance.now();
    expect(await askProjections(world.writer, world.subject, 2_000)).toBe('no-projection');
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('checks until caught up while listening, then skips the check until a question, answered once caught up', async () => {
    const { calls, fence } = catchUps(world, [{ outcome: 'current' }, { outcome: 'caught-up', ms: 300 }]);
    await raised(fence);
    for (let i = 0; i < 5; i++) expect(await fence.wait()).toBe('fenced');
    expect({ checks: calls.count, skipped: fence.skipped }).toEqual({ checks: 1, skipped: 5 });

    const started = performance.now();
    const asked = askProjections(world.writer, world.subject, 2_000);
    await expect.poll(() => fence.fenced, { timeout: 1_000, interval: 5 }).toBe(false);
    expect(await asked).toBe('caught-up');
    // The answer waited for the catch-up, and raised the fence again.
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(calls.count).toBe(2);
    expect(fence.fenced).toBe(true);
  });

  it('leaves the fence down after an answer that is not caught up, until a check is', async () => {
    const { calls, fence } = catchUps(world, [{ outcome: 'current' }, { outcome: 'behind' }, { outcome: 'current' }]);
    await raised(fence);
    expect(await askProjections(world.writer, world.subject, 2_000)).toBe('behind');
    expect(fence.fenced).toBe(false);
    await raised(fence);
    expect(calls.count).toBe(3);
  });

  it('raises no fence on an earlier question answered after a later one that was not caught up', async () => {
    const { fence } = catchUps(world, [{ outcome: 'current' }, { outcome: 'current', ms: 300 }, { outcome: 'behind' }]);
    await raised(fence);
    const first = askProjections(world.writer, world.subject, 2_000);
    await expect.poll(() => fence.fenced, { timeout: 1_000, interval: 5 }).toBe(false);
    expect(await askProjections(world.writer, world.subject, 2_000)).toBe('behind');
    expect(await first).toBe('current');
    expect(fence.fenced).toBe(false);
  });

  it('raises no fence on a check during which a question was heard', async () => {
    const { fence } = catchUps(world, [{ outcome: 'current', ms: 300 }, { outcome: 'behind' }]);
    const checking = fence.wait();
    await sleep(100);
    expect(await askProjections(world.writer, world.subject, 2_000)).toBe('behind');
    expect(await checking).toBe('current');
    expect(fence.fenced).toBe(false);
  });

  it('lets a fence lapse after holdMs without a check, whatever happened meanwhile', async () => {
    const { calls, fence } = catchUps(world, [], { holdMs: 200 });
    await raised(fence);
    expect(await fence.wait()).toBe('fenced');
    await sleep(250);
    expect(fence.fenced).toBe(false);
    await raised(fence);
    expect(calls.count).toBe(2);
  });
});
