import { readFileSync } from 'node:fs';

/**
 * The whole machine's CPU time, all cores, in clock ticks since boot, from the first line of
 * /proc/stat (proc(5)): what was busy, idle, and stolen (time the hypervisor gave this virtual
 * machine's cores to another guest while they had work).
 */
export interface MachineTicks {
  busy: number;
  idle: number;
  steal: number;
}

/**
 * The `cpu` line of /proc/stat: user nice system idle iowait irq softirq steal guest guest_nice.
 * Guest time is already inside user and nice, so it is not added again.
 */
export function parseProcStat(text: string): MachineTicks {
  const line = text.split('\n').find((l) => /^cpu\s/.test(l));
  if (!line) throw new Error('no aggregate cpu line in /proc/stat');
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return { busy: user + nice + system + irq + softirq, idle: idle + iowait, steal };
}

export const machineTicks = (): MachineTicks => parseProcStat(readFileSync('/proc/stat', 'utf8'));

/** The machine's ticks and the CPU ms the measured processes (and the bench) had used, at one instant. */
export interface MachineMark {
  ticks: MachineTicks;
  oursMs: number;
}

/** Shares of the machine's CPU time between two marks, in per cent of all its cores' time. */
export interface MachineShare {
  busy: number;
  /** Busy time spent by the processes the bench measures (and the bench itself). */
  ours: number;
  /** Busy time of everything else on the machine: what competed with the measured processes. */
  others: number;
  steal: number;
}

/**
 * `ticksPerSecond`: /proc/stat's unit. What other processes used is the machine's busy time less
 * ours, never below 0 (the two are read at slightly different instants).
 */
export function machineShare(before: MachineMark, after: MachineMark, ticksPerSecond: number): MachineShare {
  const busy = after.ticks.busy - before.ticks.busy;
  const steal = after.ticks.steal - before.ticks.steal;
  const total = busy + (after.ticks.idle - before.ticks.idle) + steal;
  const percent = (ticks: number) => (total > 0 ? (100 * ticks) / total : 0);
  const ours = Math.min(busy, ((after.oursMs - before.oursMs) * ticksPerSecond) / 1000);
  return { busy: percent(busy), ours: percent(ours), others: percent(Math.max(0, busy - ours)), steal: percent(steal) };
}

/** `when`: what the marks enclosed, e.g. `while the orders ran`. */
export function machineLine(share: MachineShare, cores: number, when: string): string {
  const p = (value: number) => `${value.toFixed(0)} %`;
  return (
    `  the machine (${cores} cores) ${when}: ${p(share.busy)} busy (the measured processes and the bench ${p(share.ours)}, ` +
    `other processes ${p(share.others)}), ${p(share.steal)} stolen by the hypervisor`
  );
}
