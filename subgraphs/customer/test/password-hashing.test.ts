import { describe, expect, it } from 'vitest';
import { BUSY, type PasswordFunctions, PasswordHashing } from '../src/domain/password-hashing.js';

/** Password functions that run until the test finishes them, and count how many run at once. */
function heldFunctions() {
  const held: (() => void)[] = [];
  const stats = { started: 0, running: 0, peak: 0 };
  const run = <T>(value: T) =>
    new Promise<T>((resolve) => {
      stats.started += 1;
      stats.running += 1;
      stats.peak = Math.max(stats.peak, stats.running);
      held.push(() => {
        stats.running -= 1;
        resolve(value);
      });
    });
  const functions: PasswordFunctions = { hash: (password) => run(`hash:${password}`), verify: () => run(true) };
  /** Finishes the oldest running call, then lets the promise chain move on. */
  const finishOne = async () => {
    held.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { functions, stats, finishOne };
}

describe('password hashing with a bounded number in flight', () => {
  it('never runs more than the bound at once, and runs the queued ones first come, first served', async () => {
    const { functions, stats, finishOne } = heldFunctions();
    const hashing = new PasswordHashing({ maxConcurrent: 2, maxQueued: 10, maxWaitMs: 10_000 }, functions);
    const results = Array.from({ length: 6 }, (_, i) => hashing.hash(`p${i}`));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stats).toEqual({ started: 2, running: 2, peak: 2 });
    for (let n = 0; n < 6; n++) await finishOne();
    expect(await Promise.all(results)).toEqual(['hash:p0', 'hash:p1', 'hash:p2', 'hash:p3', 'hash:p4', 'hash:p5']);
    expect(stats).toEqual({ started: 6, running: 0, peak: 2 });
  });

  it('answers BUSY at once beyond the queue, without running the function', async () => {
    const { functions, stats, finishOne } = heldFunctions();
    const hashing = new PasswordHashing({ maxConcurrent: 1, maxQueued: 1, maxWaitMs: 10_000 }, functions);
    const first = hashing.verify('a', 'h');
    const queued = hashing.verify('b', 'h');
    const started = performance.now();
    expect(await hashing.verify('c', 'h')).toBe(BUSY);
    expect(performance.now() - started).toBeLessThan(50);
    expect(stats.started).toBe(1);
    await finishOne();
    await finishOne();
    expect(await Promise.all([first, queued])).toEqual([true, true]);
  });

  it('answers BUSY after the longest wait, and keeps its count right afterwards', async () => {
    const { functions, stats, finishOne } = heldFunctions();
    const hashing = new PasswordHashing({ maxConcurrent: 1, maxQueued: 5, maxWaitMs: 50 }, functions);
    const first = hashing.hash('slow');
    const started = performance.now();
    expect(await hashing.hash('waits')).toBe(BUSY);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    expect(stats.started).toBe(1);
    await finishOne();
    expect(await first).toBe('hash:slow');

    // The slot came back: the next one runs at once, and so does the one after it.
    const next = hashing.hash('next');
    await finishOne();
    expect(await next).toBe('hash:next');
    expect(stats).toEqual({ started: 2, running: 0, peak: 1 });
  });
});
