import type { Logger } from 'pino';
import { deadline } from '../time.js';
import type { Orm } from './orm.js';
import { type PgPoolLike, ReadinessConnection } from './readiness-connection.js';

/** What `pg`'s pool tells of its progress: an event per connection handed out, and its queue. */
interface PoolProgress {
  on(event: 'acquire', listener: () => void): unknown;
  readonly waitingCount: number;
}

export interface DatabaseHealthOptions {
  orm: Orm;
  log: Logger;
  /** A probe that has not answered after this long counts as failed. Default 1.5 s. */
  probeTimeoutMs?: number;
  /** How often the watchdog probes on its own. Default 5 s. */
  intervalMs?: number;
  /** Unreachable for this long without a break: the service gives up (exits to be restarted). 0: never. Default 60 s. */
  giveUpAfterMs?: number;
  /** Called once when the service should give up. */
  onGiveUp?: (error: Error) => void;
  /** `/ready`'s own probe (connecting included) fails after this long. Default 1 s. */
  readyTimeoutMs?: number;
  /** `/ready` also fails once callers wait and the pool has handed out no connection for this long. Default 10 s. */
  poolStuckMs?: number;
}

/**
 * Whether the service can use its database. `check` is a `select 1` through the pool (so a pool
 * that cannot hand out a connection fails it too), with a deadline; a watchdog asks it every few
 * seconds and, after a long unbroken failure, gives up, so the supervisor restarts the service
 * instead of it idling forever in a state it cannot leave on its own. Changes are logged once.
 *
 * `ready` (what `/ready` asks) does not queue behind the work holding the pool's connections: it
 * asks PostgreSQL on a connection of its own, and adds the pool's state only once the pool is stuck:
 * callers waiting and no connection handed out for `poolStuckMs` (a burst that keeps every
 * connection busy, with callers queueing for seconds, is no outage).
 */
export class DatabaseHealth {
  private readonly probeTimeoutMs: number;
  private readonly intervalMs: number;
  private readonly giveUpAfterMs: number;
  private probing: Promise<void> | undefined;
  private failingSince: number | undefined;
  private lastError: Error | undefined;
  private timer: NodeJS.Timeout | undefined;
  private gaveUp = false;
  private readonly readyTimeoutMs: number;
  private readonly poolStuckMs: number;
  private readiness: Promise<ReadinessConnection> | undefined;
  private pool: PoolProgress | undefined;
  private lastHandOut = Date.now();

  constructor(private readonly options: DatabaseHealthOptions) {
    this.probeTimeoutMs = options.probeTimeoutMs ?? 1_500;
    this.intervalMs = options.intervalMs ?? 5_000;
    this.giveUpAfterMs = options.giveUpAfterMs ?? 60_000;
    this.readyTimeoutMs = options.readyTimeoutMs ?? 1_000;
    this.poolStuckMs = options.poolStuckMs ?? 10_000;
  }

  /** Resolves when the service can use its database now; rejects with the reason. For `/ready`. */
  async ready(): Promise<void> {
    await (await this.attach()).probe();
    if (this.failingSince === undefined) return;
    // PostgreSQL answers but the pool's last probe failed: ask the pool again for the next time.
    void this.check().catch(() => undefined);
    // A busy pool (callers waiting, connections still handed out) is no fault; a stuck one is.
    const now = Date.now();
    const stuckMs = Math.min(now - this.failingSince, now - this.lastHandOut);
    if ((this.pool?.waitingCount ?? 0) > 0 && stuckMs >= this.poolStuckMs) {
      const reason = this.lastError?.message ?? 'unknown';
      throw new Error(
        `the connection pool has handed out no connection for ${Math.round(stuckMs / 1_000)} s: ${reason}`,
      );
    }
  }

  /** Follows the pool's progress and opens `/ready`'s connection, once. */
  private attach(): Promise<ReadinessConnection> {
    this.readiness ??= this.options.orm.em
      .getConnection()
      .getNativeClient()
      .then((native) => {
        const pool = native as unknown as PgPoolLike & PoolProgress;
        // Every connection the pool hands out is progress, whoever it goes to.
        pool.on('acquire', () => {
          this.lastHandOut = Date.now();
        });
        this.pool = pool;
        return new ReadinessConnection(pool, this.readyTimeoutMs);
      });
    return this.readiness;
  }

  /** Resolves when the database answered; rejects with the reason. Concurrent callers share one probe. */
  check(): Promise<void> {
    this.probing ??= this.probe().finally(() => {
      this.probing = undefined;
    });
    return this.probing;
  }

  /** What `/health` shows: `up`, or `down` with the reason and since when. */
  state(): { status: 'up' } | { status: 'down'; since: string; reason: string } {
    if (this.failingSince === undefined) return { status: 'up' };
    return {
      status: 'down',
      since: new Date(this.failingSince).toISOString(),
      reason: this.lastError?.message ?? 'unknown',
    };
  }

  start(): void {
    // `/ready`'s connection is opened now rather than by the first probe, so a restarted service's
    // first answers cost one `select 1`, not a connection's start-up while the service catches up.
    this.attach().then(
      (readiness) => readiness.probe().catch(() => undefined),
      (error: unknown) => this.options.log.warn({ err: error }, 'database pool not followed'),
    );
    this.timer = setInterval(() => void this.check().catch(() => undefined), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    const readiness = this.readiness;
    this.readiness = undefined;
    await (await readiness?.catch(() => undefined))?.close();
  }

  private async probe(): Promise<void> {
    try {
      // MikroORM's own probe: a `select 1` through the pool, kept out of the query log (it is no work of the service).
      const result = await deadline(this.options.orm.checkConnection(), this.probeTimeoutMs, 'database check');
      if (!result.ok) throw result.error ?? new Error(result.reason);
    } catch (error) {
      this.failed(error instanceof Error ? error : new Error(String(error)));
      throw this.lastError;
    }
    if (this.failingSince !== undefined) {
      this.options.log.info({ downForMs: Date.now() - this.failingSince }, 'database available again');
    }
    this.failingSince = undefined;
    this.lastError = undefined;
  }

  private failed(error: Error): void {
    const now = Date.now();
    this.lastError = error;
    if (this.failingSince === undefined) {
      this.failingSince = now;
      this.options.log.warn({ err: error }, 'database unavailable');
    }
    const downForMs = now - this.failingSince;
    // A pool that keeps handing out connections is busy, not broken: its probe queued, and giving
    // up would drop every request in flight for nothing. Only no progress at all counts.
    const stalledMs = Math.min(downForMs, now - this.lastHandOut);
    if (this.timer && this.giveUpAfterMs > 0 && stalledMs >= this.giveUpAfterMs && !this.gaveUp) {
      this.gaveUp = true;
      this.options.onGiveUp?.(
        new Error(`database unavailable for ${Math.round(downForMs / 1_000)} s (${error.message}); giving up`),
      );
    }
  }
}
