import type { Logger } from 'pino';

/**
 * Writes marks (outbox rows published) in as few statements as the load allows: one statement runs
 * at a time, and the ids that arrive meanwhile go together in the next. An idle service marks each
 * row at once; a busy one marks a batch per round trip instead of a statement per row.
 */
export class MarkBatcher {
  private queued: string[] = [];
  private running: Promise<void> | undefined;

  constructor(
    private readonly write: (ids: string[]) => Promise<void>,
    private readonly log: Logger,
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
