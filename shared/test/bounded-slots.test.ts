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
});
