import { describe, expect, it, vi } from 'vitest';
import { MarkBatcher } from '../../src/events/mark-batcher.js';
import { silentLog } from './helpers.js';

/** A write that answers only when told, so a test sees what arrives while one statement runs. */
function controlledWrite(failing = new Set<number>()) {
  const calls: string[][] = [];
  const release: (() => void)[] = [];
  const write = (ids: string[]) => {
    const call = calls.push(ids) - 1;
    return new Promise<void>((resolve, reject) => {
      release.push(() => (failing.has(call) ? reject(new Error('database away')) : resolve()));
    });
  };
  return { calls, write, next: () => release.shift()?.() };
}

describe('MarkBatcher', () => {
  it('lets the first id wait for company', async () => {
    const { calls, write, next } = controlledWrite();
    const marks = new MarkBatcher(write, silentLog(), 30);
    marks.add(['a']);
    await new Promise((resolve) => setTimeout(resolve, 5));
    marks.add(['b']);
    expect(calls).toEqual([]);
    await vi.waitFor(() => expect(calls).toEqual([['a', 'b']]));
    next();
    await marks.settled();
  });

  it('marks at once when idle, and what arrives during a statement together in the next', async () => {
    const { calls, write, next } = controlledWrite();
    const marks = new MarkBatcher(write, silentLog(), 0);
    marks.add(['a']);
    marks.add(['b']);
    marks.add(['c', 'd']);
    expect(calls).toEqual([['a']]);
    next();
    await Promise.resolve();
    await Promise.resolve();
    expect(calls).toEqual([['a'], ['b', 'c', 'd']]);
    next();
    await marks.settled();
    expect(calls).toHaveLength(2);
  });

  it('goes on after a failed statement and caps a batch', async () => {
    const { calls, write, next } = controlledWrite(new Set([0]));
    const marks = new MarkBatcher(write, silentLog(), 0, 2);
    marks.add(['a']);
    marks.add(['b', 'c', 'd']);
    const settled = marks.settled();
    for (let i = 0; i < 6; i++) {
      next();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await settled;
    expect(calls).toEqual([['a'], ['b', 'c'], ['d']]);
  });
});
