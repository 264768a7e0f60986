import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { BoundedSlots, BUSY } from '../src/bounded-slots.js';

// The queue's bounds and order are covered through the password hashing that uses it
// (subgraphs/customer/test/password-hashing.test.ts); this is the refusal by expected wait.
describe('bounded slots', () => {
  it('refuses at once a newcomer whose wait, at the recent run time, would exceed maxWaitMs', async () => {
    const slots = new BoundedSlots({ maxConcurrent: 1, maxQueued: 100, maxWaitMs: 300 });
    const run = () => slots.run(() => sleep(200, 'done'));
    for (let n = 0; n < 2; n++) expect(await run()).toBe('done'); // runs take about 200 ms

    const running = run();
    const queued = run(); // a wait of about 200 ms: within the bound
    const started = performance.now();
    expect(await run()).toBe(BUSY); // about 400 ms: refused without waiting
    expect(performance.now() - started).toBeLessThan(30);
    expect(await Promise.all([running, queued])).toEqual(['done', 'done']);
  });

  it('queues without a guess until a run has finished', async () => {
    const slots = new BoundedSlots({ maxConcurrent: 1, maxQueued: 10, maxWaitMs: 1_000 });
    const runs = Array.from({ length: 4 }, () => slots.run(() => sleep(20, 'done')));
    expect(await Promise.all(runs)).toEqual(['done', 'done', 'done', 'done']);
  });

  it('after narrow(n) runs at most n at once, one more for each run that succeeds, up to maxConcurrent', async () => {
    const slots = new BoundedSlots({ maxConcurrent: 4, maxQueued: 100, maxWaitMs: 5_000 });
    let inFlight = 0;
    let most = 0;
    const mostAtOnce = async (runs: number, fail = false) => {
      most = 0;
      const work = async () => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await sleep(20);
        inFlight -= 1;
        if (fail) throw new Error('unreachable');
        return 'done';
      };
      await Promise.allSettled(Array.from({ length: runs }, () => slots.run(work)));
      return most;
    };
    expect(await mostAtOnce(8)).toBe(4);

    slots.narrow(1);
    expect(slots.bound).toBe(1);
    expect(await mostAtOnce(3, true)).toBe(1); // failures do not widen it
    expect(slots.bound).toBe(1);
    // 1 at first; each success lets one more in: 1, then 2, then 4 (the bound) at once.
    expect(await mostAtOnce(1)).toBe(1);
    expect(slots.bound).toBe(2);
    expect(await mostAtOnce(2)).toBe(2);
    expect(slots.bound).toBe(4);
    expect(await mostAtOnce(8)).toBe(4);
    expect(slots.bound).toBe(4);
  });

  it('lets waiters in as the bound widens, not only one per finished run', async () => {
    const slots = new BoundedSlots({ maxConcurrent: 3, maxQueued: 100, maxWaitMs: 5_000 });
    slots.narrow(1);
    let inFlight = 0;
    let most = 0;
    const work = async () => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await sleep(20);
      inFlight -= 1;
      return 'done';
    };
    expect(await Promise.all(Array.from({ length: 6 }, () => slots.run(work)))).toEqual(Array(6).fill('done'));
    expect(most).toBe(3); // 1, then 2 after the first success, then 3: one run finishing let two in
  });
});
