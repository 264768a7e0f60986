import type { Databases } from '../faults/inspect.ts';
import { type MachineMark, machineTicks } from './machine.ts';
import { cpuMs, switchesBetween, threadSwitches } from './processes.ts';

/** A process whose cost the orders bench reads; `database`: the service's own, for its SQL counts. */
export interface Costed {
  name: string;
  pid: () => number | undefined;
  database?: string;
}

/**
 * How long after the last order a window stays open. pg_stat_statements counts each statement as
 * it ends, but PostgreSQL 15 moves a backend's transaction counts into pg_stat_database at most
 * once a second while it is busy, and within PGSTAT_IDLE_INTERVAL (10 s) after it goes idle; and
 * pg_stat_force_next_flush() flushes only the backend that calls it, not the services'. So every
 * figure (CPU too, to stay comparable) covers the phase plus this wait, which includes the
 * services' background work (sweeps, health checks): `npm run bench:orders` prints its rate apart.
 */
export const PG_STATS_SETTLE_MS = 11_000;

/** Transaction control, counted as transactions and not again as statements. */
const TRANSACTION_CONTROL = String.raw`^\s*(begin|commit|rollback|start transaction|end)\y`;

export interface Window {
  startedAt: number;
  cpu: Map<string, number>;
  /** Per process, each thread's voluntary context switches so far (processes.ts). */
  switches: Map<string, Map<number, number>>;
  transactions: Map<string, number>;
  sessions: Map<string, number>;
  benchCpu: NodeJS.CpuUsage;
}

export interface ProcessCost {
  name: string;
  cpuMs: number;
  /** Times a thread of the process (or of one below it) waited and was woken again. */
  wakeUps: number;
  statements?: number;
  transactions?: number;
  /** Connections opened to the service's database: each a backend forked, its caches cold. */
  sessions?: number;
}

export interface WindowCost {
  ms: number;
  rows: ProcessCost[];
  /** The bench's own process (the clients and the watcher): on the same cores, but not in the total. */
  benchCpuMs: number;
}

/**
 * CPU per process from /proc (processes.ts: PostgreSQL's postmaster with every backend, live or
 * exited), SQL statements from pg_stat_statements and transactions from pg_stat_database, per
 * service database, over a window. The private PostgreSQL must preload pg_stat_statements.
 */
export class CostMeter {
  private readonly db: Databases;
  private readonly processes: Costed[];

  constructor(db: Databases, processes: Costed[]) {
    this.db = db;
    this.processes = processes;
  }

  /** The view lives in the database that creates the extension, and shows every database's statements. */
  async prepare(): Promise<void> {
    await this.db.query('postgres', 'create extension if not exists pg_stat_statements');
  }

  async begin(): Promise<Window> {
    await this.db.query('postgres', 'select pg_stat_statements_reset()');
    return {
      startedAt: performance.now(),
      cpu: this.cpu(),
      switches: this.switches(),
      transactions: await this.transactions(),
      sessions: await this.sessions(),
      benchCpu: process.cpuUsage(),
    };
  }

  async end(window: Window): Promise<WindowCost> {
    const ms = performance.now() - window.startedAt;
    const benchCpu = process.cpuUsage(window.benchCpu);
    const cpu = this.cpu();
    const switches = this.switches();
    const statements = await this.statements();
    const transactions = await this.transactions();
    const sessions = await this.sessions();
    const rows = this.processes.map((p): ProcessCost => {
      const cost: ProcessCost = {
        name: p.name,
        cpuMs: (cpu.get(p.name) ?? 0) - (window.cpu.get(p.name) ?? 0),
        wakeUps: switchesBetween(window.switches.get(p.name) ?? new Map(), switches.get(p.name) ?? new Map()),
      };
      if (!p.database) return cost;
      return {
        ...cost,
        statements: statements.get(p.database) ?? 0,
        transactions: (transactions.get(p.database) ?? 0) - (window.transactions.get(p.database) ?? 0),
        sessions: (sessions.get(p.database) ?? 0) - (window.sessions.get(p.database) ?? 0),
      };
    });
    return { ms, rows, benchCpuMs: (benchCpu.user + benchCpu.system) / 1000 };
  }

  /**
   * The `limit` statements each service database ran most since the window began (pg_stat_statements'
   * normalised text), per order: where a change moved the statement count shows here.
   */
  async topStatements(limit: number, orders: number): Promise<string[]> {
    const rows = await this.db.query<{ datname: string; query: string; calls: string; ms: string }>(
      'postgres',
      `select datname, query, calls::text, mean_exec_time::text as ms from (
         select d.datname, s.query, s.calls, s.mean_exec_time,
                row_number() over (partition by d.datname order by s.calls desc) as rank
           from pg_stat_statements s join pg_database d on d.oid = s.dbid
          where s.query !~* '${TRANSACTION_CONTROL}') ranked
        where rank <= ? order by datname, calls desc`,
      [limit],
    );
    const oneLine = (query: string) => query.replace(/\s+/g, ' ').slice(0, 140);
    return rows.map(
      (row) =>
        `  ${row.datname}: ${(Number(row.calls) / Math.max(orders, 1)).toFixed(2)}/order, ${Number(row.ms).toFixed(3)} ms: ${oneLine(row.query)}`,
    );
  }

  /** The machine's CPU time now, with what the measured processes and this one had used (machine.ts). */
  mark(): MachineMark {
    const bench = process.cpuUsage();
    const oursMs = [...this.cpu().values()].reduce((total, ms) => total + ms, (bench.user + bench.system) / 1000);
    return { ticks: machineTicks(), oursMs };
  }

  private cpu(): Map<string, number> {
    return new Map(this.processes.map((p) => [p.name, cpuMsOf(p.pid())]));
  }

  private switches(): Map<string, Map<number, number>> {
    return new Map(this.processes.map((p) => [p.name, switchesOf(p.pid())]));
  }

  private async statements(): Promise<Map<string, number>> {
    const rows = await this.db.query<{ datname: string; calls: string }>(
      'postgres',
      `select d.datname, sum(s.calls)::text as calls
         from pg_stat_statements s join pg_database d on d.oid = s.dbid
        where s.query !~* '${TRANSACTION_CONTROL}'
        group by d.datname`,
    );
    return new Map(rows.map((row) => [row.datname, Number(row.calls)]));
  }

  private async transactions(): Promise<Map<string, number>> {
    const rows = await this.db.query<{ datname: string; n: string }>(
      'postgres',
      'select datname, (xact_commit + xact_rollback)::text as n from pg_stat_database where datname is not null',
    );
    return new Map(rows.map((row) => [row.datname, Number(row.n)]));
  }

  private async sessions(): Promise<Map<string, number>> {
    const rows = await this.db.query<{ datname: string; n: string }>(
      'postgres',
      'select datname, sessions::text as n from pg_stat_database where datname is not null',
    );
    return new Map(rows.map((row) => [row.datname, Number(row.n)]));
  }
}

/** How many connections each service opened to its database in the window. */
export function sessionsLine(cost: WindowCost): string {
  const opened = cost.rows.filter((row) => row.sessions !== undefined);
  return `  PostgreSQL connections opened: ${opened.map((row) => `${row.name} ${row.sessions}`).join(', ')}`;
}

const cpuMsOf = (pid: number | undefined): number => (pid === undefined ? 0 : cpuMs(pid));
const switchesOf = (pid: number | undefined) => (pid === undefined ? new Map<number, number>() : threadSwitches(pid));

/** process | CPU ms/order | wake-ups/order | SQL statements/order | transactions/order, and a total row. */
export function costTable(cost: WindowCost, orders: number): string[] {
  const per = (value: number | undefined, digits: number) =>
    value === undefined ? '-' : (value / Math.max(orders, 1)).toFixed(digits);
  const sum = (pick: (row: ProcessCost) => number | undefined) =>
    cost.rows.reduce((total, row) => total + (pick(row) ?? 0), 0);
  const line = (name: string, cpu: number, wakeUps: number, statements?: number, transactions?: number) =>
    `| ${name} | ${per(cpu, 2)} | ${per(wakeUps, 1)} | ${per(statements, 1)} | ${per(transactions, 1)} |`;
  return [
    '| process | CPU ms/order | wake-ups/order | SQL statements/order | transactions/order |',
    '|---|---|---|---|---|',
    ...cost.rows.map((row) => line(row.name, row.cpuMs, row.wakeUps, row.statements, row.transactions)),
    line(
      'total',
      sum((row) => row.cpuMs),
      sum((row) => row.wakeUps),
      sum((row) => row.statements),
      sum((row) => row.transactions),
    ),
  ];
}

/** The same figures per second of a window without orders: what the services do on their own. */
export function backgroundLine(cost: WindowCost): string {
  const perSecond = (value: number) => ((value / cost.ms) * 1000).toFixed(1);
  const total = (pick: (row: ProcessCost) => number | undefined) =>
    cost.rows.reduce((sum, row) => sum + (pick(row) ?? 0), 0);
  return (
    `background with no orders (${(cost.ms / 1000).toFixed(1)} s): CPU ${perSecond(total((r) => r.cpuMs))} ms/s, ` +
    `${perSecond(total((r) => r.wakeUps))} wake-ups/s, ` +
    `${perSecond(total((r) => r.statements))} SQL statements/s, ${perSecond(total((r) => r.transactions))} transactions/s across all processes ` +
    `(CPU ms/s: ${cost.rows.map((row) => `${row.name} ${perSecond(row.cpuMs)}`).join(', ')})`
  );
}
