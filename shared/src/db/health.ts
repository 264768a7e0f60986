import type { Logger } from 'pino';
import { deadline } from '../time.js';
import type { Orm } from './orm.js';

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
}

/**
 * Whether the service can use its database: a `select 1` through the pool (so a pool that cannot
 * hand out a connection fails it too), with a deadline. `/ready` asks it; a watchdog asks it every
 * few seconds and, after a long unbroken failure, gives up, so the supervisor restarts the service
 * instead of it idling forever in a state it cannot leave on its own. Changes are logged once.
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

  constructor(private readonly options: DatabaseHealthOptions) {
    this.probeTimeoutMs = options.probeTimeoutMs ?? 1_500;
    this.intervalMs = options.intervalMs ?? 5_000;
    this.giveUpAfterMs = options.giveUpAfterMs ?? 60_000;
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
    this.timer = setInterval(() => void this.check().catch(() => undefined), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
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
    if (this.timer && this.giveUpAfterMs > 0 && downForMs >= this.giveUpAfterMs && !this.gaveUp) {
      this.gaveUp = true;
      this.options.onGiveUp?.(
        new Error(`database unavailable for ${Math.round(downForMs / 1_000)} s (${error.message}); giving up`),
      );
    }
  }
}
