import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Linux reports process CPU in clock ticks (`getconf CLK_TCK`, 100 a second on every platform seen here). */
export const TICKS_PER_SECOND = clockTicks();

function clockTicks(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

/** One service of the benchmark as a process of its own, so its CPU can be read apart from the rest. */
export interface BenchProcess {
  name: string;
  child: ChildProcess;
  logFile: string;
}

export function startProcess(name: string, script: string, env: Record<string, string>, logDir: string): BenchProcess {
  const logFile = join(logDir, `${name}.log`);
  const log = openSync(logFile, 'a');
  const child = spawn(process.execPath, ['--enable-source-maps', ...nodeFlags(name, logDir), script], {
    stdio: ['ignore', log, log],
    env: { ...process.env, ...env },
  });
  closeSync(log);
  return { name, child, logFile };
}

/** BENCH_CPU_PROF=gateway,product writes a CPU profile of those services into the log directory. */
function nodeFlags(name: string, logDir: string): string[] {
  const profiled = (process.env.BENCH_CPU_PROF ?? '').split(',');
  return profiled.includes(name) ? ['--cpu-prof', `--cpu-prof-dir=${join(logDir, 'profiles')}`] : [];
}

export async function waitReady(
  service: BenchProcess,
  url: string,
  init?: RequestInit,
  timeoutMs = 90_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null) throw new Error(`${service.name} exited; see ${service.logFile}`);
    try {
      if ((await fetch(url, init)).ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(200);
  }
  throw new Error(`${service.name} was not ready in ${timeoutMs} ms; see ${service.logFile}`);
}

export async function stopProcess(service: BenchProcess): Promise<void> {
  const { child } = service;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(15_000)]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/**
 * CPU milliseconds (user + system) used so far by the process and every process below it: a
 * service run as several workers (node:cluster) counts them all, PostgreSQL's postmaster its
 * backends. A child that has exited and been reaped is counted through its parent's cutime and
 * cstime, so every tick is counted once however many children come and go (PostgreSQL backends
 * do, as pools close idle connections); a measurement takes the difference across a run.
 */
export function cpuMs(pid: number): number {
  // From the fields after the command name: [11] utime, [12] stime, [13] cutime, [14] cstime (proc(5)).
  const ticks = processesBelow(pid).reduce(
    (total, { fields }) => total + Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]),
    0,
  );
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/**
 * Voluntary context switches so far, thread by thread (task id -> count), of the process and every
 * process below it. Each is a thread that gave its core up to wait (for a socket, a timer, a lock,
 * a disk write) and was woken again later; on this machine a wake-up costs far more CPU than the
 * little work most of them wake for (docs/performance.md), so their number an order shows where
 * the hops between processes cost.
 */
export function threadSwitches(pid: number): Map<number, number> {
  const counts = new Map<number, number>();
  for (const { pid: below } of processesBelow(pid)) {
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${below}/task`);
    } catch {
      // The process ended while /proc was read.
    }
    for (const task of tasks) {
      let status: string;
      try {
        status = readFileSync(`/proc/${below}/task/${task}/status`, 'utf8');
      } catch {
        continue; // The thread ended while /proc was read: its siblings still count.
      }
      counts.set(Number(task), voluntarySwitches(status));
    }
  }
  return counts;
}

/** `voluntary_ctxt_switches` of a /proc status text. */
export function voluntarySwitches(status: string): number {
  const found = /^voluntary_ctxt_switches:\s+(\d+)$/m.exec(status);
  if (!found) throw new Error('no voluntary_ctxt_switches line in the status text');
  return Number(found[1]);
}

/**
 * The switches between two readings: each thread's own difference, a thread that started
 * meanwhile from 0. A thread that ended meanwhile took its count with it (not counted, rather
 * than counted back below its start); PostgreSQL backends that exit do, the sessions line says when.
 */
export function switchesBetween(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [task, count] of after) total += Math.max(0, count - (before.get(task) ?? 0));
  return total;
}

/** The process and every live process below it, with its /proc stat fields after the command name. */
function processesBelow(pid: number): { pid: number; fields: string[] }[] {
  const parents = new Map<number, number>();
  const fields = new Map<number, string[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: the fields start after the last ')'; [1] is the ppid.
      const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), Number(after[1]));
      fields.set(Number(entry), after);
    } catch {
      // The process ended while /proc was read.
    }
  }
  const below: { pid: number; fields: string[] }[] = [];
  for (const [candidate, its] of fields) {
    for (let at: number | undefined = candidate; at !== undefined && at > 1; at = parents.get(at)) {
      if (at === pid) {
        below.push({ pid: candidate, fields: its });
        break;
      }
    }
  }
  return below;
}

// The fault suite's: a port the OS picks, released for the service to take.
export { freePort } from '../faults/cluster.ts';
