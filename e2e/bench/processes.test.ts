import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { switchesBetween, threadSwitches, voluntarySwitches } from './processes.ts';

// A thread's /proc status (this machine's, trimmed to the lines around the counts).
const STATUS = `Name:\tnode
State:\tS (sleeping)
Threads:\t11
voluntary_ctxt_switches:\t4821
nonvoluntary_ctxt_switches:\t377
`;

describe('voluntarySwitches', () => {
  it('reads the voluntary count, not the nonvoluntary one (preemptions are no wake-ups)', () => {
    expect(voluntarySwitches(STATUS)).toBe(4821);
  });

  it('refuses a text without the line rather than reading 0', () => {
    expect(() => voluntarySwitches('Name:\tnode\n')).toThrow(/no voluntary_ctxt_switches/);
  });
});

describe('switchesBetween', () => {
  it('adds each thread its own difference, a new thread from 0, and nothing for one that ended', () => {
    const before = new Map([
      [10, 100],
      [11, 50],
      [12, 7_000],
    ]);
    const after = new Map([
      [10, 130],
      [11, 50],
      [13, 4],
    ]);
    // 30 + 0 + 4: thread 12 (a backend that exited) neither counts nor takes its 7 000 back off.
    expect(switchesBetween(before, after)).toBe(34);
  });
});

describe('threadSwitches', () => {
  it('sees this process wait: its main thread switches out while the timers run', async () => {
    const before = threadSwitches(process.pid);
    expect(before.get(process.pid)).toBeGreaterThan(0);
    for (let i = 0; i < 5; i++) await sleep(5);
    expect(switchesBetween(before, threadSwitches(process.pid))).toBeGreaterThanOrEqual(5);
  });
});
