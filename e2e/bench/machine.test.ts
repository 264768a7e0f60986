import { describe, expect, it } from 'vitest';
import { machineLine, machineShare, parseProcStat } from './machine.ts';

// A real /proc/stat's first lines (this machine's, trimmed): user nice system idle iowait irq softirq steal guest guest_nice.
const STAT = `cpu  129469 0 32499 331864 3489 0 4958 17944 0 0
cpu0 64000 0 16000 166000 1700 0 2400 9000 0 0
intr 123 4 5
`;

describe('parseProcStat', () => {
  it('reads the all-cores line: busy is user, nice, system, irq and softirq; idle includes iowait; steal apart', () => {
    expect(parseProcStat(STAT)).toEqual({ busy: 129469 + 32499 + 4958, idle: 331864 + 3489, steal: 17944 });
  });

  it('does not count guest time twice (the kernel already counts it in user)', () => {
    expect(parseProcStat('cpu  100 0 50 800 0 0 0 0 40 0\n').busy).toBe(150);
  });

  it('refuses a text without the aggregate line rather than reading a core as the machine', () => {
    expect(() => parseProcStat('cpu0 1 2 3 4\n')).toThrow(/no aggregate cpu line/);
  });
});

describe('machineShare', () => {
  const before = { ticks: { busy: 1_000, idle: 5_000, steal: 100 }, oursMs: 1_000 };
  const after = (ticks: { busy: number; idle: number; steal: number }, oursMs: number) => ({ ticks, oursMs });

  it('splits the window into our processes, other processes, idle and stolen time', () => {
    // 2 000 ticks in all: 1 000 busy (ours 600 ticks = 6 000 ms at 100 ticks a second), 800 idle, 200 stolen.
    const share = machineShare(before, after({ busy: 2_000, idle: 5_800, steal: 300 }, 7_000), 100);
    expect(share).toEqual({ busy: 50, ours: 30, others: 20, steal: 10 });
  });

  it('never reports more for ours than the machine was busy, nor a negative rest', () => {
    const share = machineShare(before, after({ busy: 1_500, idle: 5_500, steal: 100 }, 10_000), 100);
    expect(share.ours).toBe(50);
    expect(share.others).toBe(0);
  });

  it('reports nothing rather than dividing by zero for an empty window', () => {
    expect(machineShare(before, before, 100)).toEqual({ busy: 0, ours: 0, others: 0, steal: 0 });
  });

  it('prints the shares rounded, with the core count', () => {
    expect(machineLine({ busy: 71.6, ours: 60.2, others: 11.4, steal: 4.5 }, 2, 'while the orders ran')).toBe(
      '  the machine (2 cores) while the orders ran: 72 % busy (the measured processes and the bench 60 %, other processes 11 %), 5 % stolen by the hypervisor',
    );
  });
});
