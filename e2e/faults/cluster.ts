import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from './clock.ts';
import { type ReadyAnswer, ReadyProber } from './ready-prober.ts';

export type ServiceName = 'gateway' | 'customer' | 'product' | 'order' | 'credit-status';
export const SUBGRAPHS = ['customer', 'product', 'order', 'credit-status'] as const;

export interface ServiceSpec {
  name: ServiceName;
  /** Which process of several of one service, e.g. `product-2` (the cluster test); default the name. */
  label?: string;
  /** The built entry point, e.g. subgraphs/product/dist/index.js. */
  script: string;
  port: number;
  env: Record<string, string>;
}

/** Something that happened to a service process, for the run's figures. */
export interface ProcessEvent {
  at: number;
  service: ServiceName;
  /** The process's label (see ServiceSpec). */
  label: string;
  generation: number;
  pid: number | undefined;
  what: string;
}

export type { ReadyAnswer, ReadyOutcome } from './ready-prober.ts';

/** One probing thread for every service's `/ready`, started on first use. */
let prober: ReadyProber | undefined;

/**
 * One service of the supergraph as a separate Node process, started from its built `dist/`, with
 * its output appended to a log file of its own. Like an orchestrator, it restarts a process that
 * exits on its own (after a pause), and it can be killed and started again by the fault schedule.
 */
export class ServiceProcess {
  generation = 0;
  /** When the current generation was spawned (clock ms). */
  spawnedAt = 0;
  private child: ChildProcess | undefined;
  /** Exits we caused (kill, stop): not restarted, not reported as crashes. */
  private readonly expectedExits = new WeakSet<ChildProcess>();
  private stopping = false;
  private crashRestarts = 0;
  /** When each generation was sent a kill or exited, whichever came first (clock ms). */
  private readonly ended = new Map<number, number>();
  readonly logFile: string;
  readonly label: string;
  readonly spec: ServiceSpec;
  private readonly dirs: { logs: string; reports: string };
  private readonly clock: Clock;
  private readonly record: (event: ProcessEvent) => void;

  constructor(
    spec: ServiceSpec,
    dirs: { logs: string; reports: string },
    clock: Clock,
    record: (event: ProcessEvent) => void,
  ) {
    this.spec = spec;
    this.dirs = dirs;
    this.clock = clock;
    this.record = record;
    this.label = spec.label ?? spec.name;
    this.logFile = join(dirs.logs, `${this.label}.log`);
  }

  get name(): ServiceName {
    return this.spec.name;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  alive(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** When `generation` was sent a kill or exited; undefined while it runs untouched. */
  endedAt(generation: number): number | undefined {
    return this.ended.get(generation);
  }

  /** Spawns a new generation (the previous one must be gone). */
  start(reason = 'start'): void {
    if (this.stopping) return;
    if (this.alive()) throw new Error(`${this.name} is already running (pid ${this.pid})`);
    this.generation += 1;
    this.spawnedAt = this.clock.now();
    const log = openSync(this.logFile, 'a');
    writeSync(log, `\n=== ${this.label} generation ${this.generation} (${reason}) at ${this.clock.stamp()}\n`);
    const child = spawn(
      process.execPath,
      [
        '--enable-source-maps',
        // A wedged process is asked for a diagnostic report (stack, handles, sockets) with SIGUSR2.
        '--report-on-signal',
        '--report-signal=SIGUSR2',
        `--report-directory=${this.dirs.reports}`,
        this.spec.script,
      ],
      { stdio: ['ignore', log, log], env: { ...process.env, ...this.spec.env } },
    );
    closeSync(log);
    this.child = child;
    const generation = this.generation;
    this.record({
      at: this.spawnedAt,
      service: this.name,
      label: this.label,
      generation,
      pid: child.pid,
      what: `spawned (${reason})`,
    });
    child.once('exit', (code, signal) => {
      if (!this.ended.has(generation)) this.ended.set(generation, this.clock.now());
      const expected = this.expectedExits.has(child);
      const what = `exited (${signal ?? `code ${code}`})${expected ? '' : ' on its own'}`;
      this.record({ at: this.clock.now(), service: this.name, label: this.label, generation, pid: child.pid, what });
      if (expected || this.stopping || this.child !== child) return;
      // What an orchestrator does with a crashed container: start it again, with a growing pause.
      this.crashRestarts += 1;
      const pause = Math.min(1000 * 2 ** (this.crashRestarts - 1), 5000);
      setTimeout(() => {
        if (!this.stopping && this.child === child && !this.alive()) this.start(`restart after exit, ${pause} ms`);
      }, pause).unref();
    });
  }

  /** Sends a signal and waits for the exit; the exit is expected, so nothing restarts it. */
  async kill(signal: NodeJS.Signals = 'SIGKILL', graceMs = 10_000): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.expectedExits.add(child);
    if (!this.ended.has(this.generation)) this.ended.set(this.generation, this.clock.now());
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = signal === 'SIGKILL' ? undefined : setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  /** From now on a process that exits is not started again: the run is ending. */
  hold(): void {
    this.stopping = true;
  }

  /** Stops for good (SIGTERM, then SIGKILL after a grace period): the end of the run. */
  async shutdown(): Promise<void> {
    this.stopping = true;
    await this.kill('SIGTERM', 5000);
  }

  /** GET /ready on this service's port, timed on the probing thread (ready-prober.ts). */
  ready(capMs: number): Promise<ReadyAnswer> {
    prober ??= new ReadyProber();
    return prober.ready(this.spec.port, capMs);
  }

  /** Polls until /ready is 200, the process is replaced, or the deadline (clock ms) passes. */
  async waitReady(deadline: number, capMs = 2000): Promise<'ready' | 'replaced' | 'timeout'> {
    const generation = this.generation;
    while (this.clock.now() < deadline) {
      if (this.generation !== generation) return 'replaced';
      if (this.alive() && (await this.ready(capMs)).outcome === 'ready') return 'ready';
      await sleep(100);
    }
    return 'timeout';
  }

  /**
   * Asks the running process for a Node diagnostic report (SIGUSR2, --report-on-signal) and
   * returns the parsed report, or undefined when none appears within `timeoutMs`.
   */
  async diagnosticReport(timeoutMs = 5000): Promise<NodeReport | undefined> {
    const pid = this.pid;
    if (!pid || !this.alive()) return undefined;
    const mine = () => readdirSync(this.dirs.reports).filter((file) => file.includes(`.${pid}.`));
    const before = new Set(mine());
    process.kill(pid, 'SIGUSR2');
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const fresh = mine().find((file) => !before.has(file));
      if (fresh) {
        await sleep(200); // the report is written synchronously, but give the file a moment to close
        try {
          return {
            file: join(this.dirs.reports, fresh),
            ...JSON.parse(readFileSync(join(this.dirs.reports, fresh), 'utf8')),
          };
        } catch {
          // still being written
        }
      }
      await sleep(100);
    }
    return undefined;
  }

  /** The last lines of this service's log that are warnings or errors (pino levels 40 and up). */
  logTail(lines = 8, sinceGeneration = this.generation): string[] {
    let text = '';
    try {
      text = readFileSync(this.logFile, 'utf8');
    } catch {
      return [];
    }
    const marker = `=== ${this.label} generation ${sinceGeneration} `;
    const from = text.lastIndexOf(marker);
    const relevant = (from >= 0 ? text.slice(from) : text).split('\n');
    return relevant
      .filter((line) => {
        const level = /"level":(\d+)/.exec(line)?.[1];
        return level ? Number(level) >= 40 : line.trim() !== '' && !line.startsWith('===');
      })
      .slice(-lines)
      .map(summarizeLogLine);
  }
}

/** A pino JSON line as `level msg (err.message)`; anything else as it is, shortened. */
export function summarizeLogLine(line: string): string {
  try {
    const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string; type?: string } };
    const level = { 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' }[entry.level ?? 0] ?? String(entry.level);
    const err = entry.err ? ` (${entry.err.type ?? 'Error'}: ${(entry.err.message ?? '').slice(0, 200)})` : '';
    return `${level} ${entry.msg ?? ''}${err}`;
  } catch {
    return line.slice(0, 300);
  }
}

/** The parts of a Node diagnostic report the suite reads. */
export interface NodeReport {
  file: string;
  header?: { processId?: number; nodejsVersion?: string; commandLine?: string[] };
  javascriptStack?: { message?: string; stack?: string[] };
  libuv?: {
    type: string;
    is_active?: boolean;
    localEndpoint?: { port?: number };
    remoteEndpoint?: { host?: string; port?: number };
  }[];
  javascriptHeap?: { usedMemory?: number };
  resourceUsage?: { userCpuSeconds?: number; cpuConsumptionPercent?: number };
}

/** Key facts of a report: handles by type and the TCP connections by the port they go to. */
export function reportFacts(report: NodeReport, ports: Record<string, number>, ownPort: number): string[] {
  const handles = report.libuv ?? [];
  const byType = new Map<string, number>();
  for (const handle of handles) byType.set(handle.type, (byType.get(handle.type) ?? 0) + 1);
  const names = new Map(Object.entries(ports).map(([name, port]) => [port, name]));
  const tcp = new Map<string, number>();
  for (const handle of handles) {
    if (handle.type !== 'tcp' || !handle.remoteEndpoint?.port) continue;
    const to =
      handle.localEndpoint?.port === ownPort
        ? 'inbound HTTP clients (gateway, probes)'
        : (names.get(handle.remoteEndpoint.port) ?? `port ${handle.remoteEndpoint.port}`);
    tcp.set(to, (tcp.get(to) ?? 0) + 1);
  }
  const listening = handles.filter((h) => h.type === 'tcp' && !h.remoteEndpoint?.port && h.localEndpoint?.port);
  const stack = report.javascriptStack?.stack?.slice(0, 4).map((frame) => frame.trim()) ?? [];
  const timers = handles.filter((h) => h.type === 'timer' && h.is_active).length;
  return [
    `Node report ${report.file}`,
    `heap ${Math.round((report.javascriptHeap?.usedMemory ?? 0) / 1e6)} MB, cpu ${report.resourceUsage?.userCpuSeconds?.toFixed(1) ?? '?'} s user (${report.resourceUsage?.cpuConsumptionPercent?.toFixed(1) ?? '?'}% of its life), ${timers} active timers`,
    `libuv handles: ${[...byType].map(([type, n]) => `${type} ${n}`).join(', ') || 'none'}`,
    `TCP connections: ${[...tcp].map(([to, n]) => `${n} to ${to}`).join(', ') || 'none'}; listening on ${
      listening.map((h) => h.localEndpoint?.port).join(', ') || 'nothing'
    }`,
    `JS stack at the signal: ${stack.length > 0 ? stack.join(' <- ') : 'none (the event loop was idle: nothing is running, everything waits)'}`,
  ];
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
