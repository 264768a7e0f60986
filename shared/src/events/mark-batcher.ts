import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';

/**
 * Writes marks (outbox rows published, notifications sent) in few statements: the first id waits
 * `lingerMs` for company, one statement runs at a time, and the ids that arrive meanwhile go together
 * in the next. A mark mostly keeps sweeps from sending the row again, so the linger costs no
 * latency: a service publishing 100 events a second marks them about 25 a statement. (The relay's
 * `whenPublished` tells its waiters from the publish itself; only one that asks after the publish,
 * or about another instance's row, reads the mark, up to the linger later.) The linger stays well
 * below the relay's and the dispatcher's `freshMs` (2 s), before which no sweep takes an unmarked
 * row; a crash inside it sends those rows again, as any crash before a mark does, and the server
 * (or the notifier's idempotency key) drops the copies.
 */
export class MarkBatcher {
  private queued: string[] = [];
  private running: Promise<void> | undefined;

  constructor(
    private readonly write: (ids: string[]) => Promise<void>,
    private readonly log: Logger,
    private readonly lingerMs = 250,
    private readonly maxBatch = 500,
  ) {}

  add(ids: string[]): void {
    this.queued.push(...ids);
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
    });
  }

  /** Resolves once every id added so far has had its statement (written or given up on). */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    if (this.lingerMs > 0) await sleep(this.lingerMs);
    while (this.queued.length > 0) {
      const ids = this.queued.splice(0, this.maxBatch);
      try {
        await this.write(ids);
      } catch (error) {
        // Not lost: the rows stay unpublished, a sweep publishes them again, the server drops the copies.
        this.log.warn({ err: error, count: ids.length }, 'marking published outbox rows failed; a sweep re-sends them');
      }
    }
  }
}
