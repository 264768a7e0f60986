import type { EntityManager, MikroORM } from '@mikro-orm/core';
import type { Logger } from 'pino';
import { outsideRequestScope } from '../request-scope.js';
import type { EventBus } from './bus.js';
import type { EventEnvelope } from './envelope.js';
import { KickAfterCommit } from './kick-after-commit.js';
import { OutboxMessage } from './outbox.js';
import { claimDue, isPublished, markFailed, markPublished, prunePublished } from './outbox-store.js';

export interface OutboxRelayOptions {
  log: Logger;
  /** Rows claimed and published per round. */
  batchSize?: number;
  /**
   * How long a claimed row stays reserved for the relay that claimed it: a relay that dies holding
   * rows delays them this long. Short on purpose: a publish that outlives it may be repeated by
   * another relay, and the server drops the copy (same Nats-Msg-Id, inside the duplicate window).
   */
  leaseMs?: number;
  /** How often leftovers are looked for (crash between commit and publish, NATS away). */
  sweepIntervalMs?: number;
  /** Backoff after a failed publish: base * 2^(attempts-1), capped, with jitter. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Published rows are deleted this long after publishing; 0 deletes them at once. */
  retentionMs?: number;
  pruneIntervalMs?: number;
  /**
   * Told of each acknowledged publish: `duplicate` when the server already had the event (a relay
   * re-published a row after a crash or after its lease ran out) and dropped this copy.
   */
  onPublished?: (duplicate: boolean) => void;
}

const DAY = 86_400_000;

/**
 * Moves committed events from the outbox to the bus. The commit that wrote an event kicks the relay
 * (no polling delay on the happy path); a sweep picks up whatever a crash or an outage left behind.
 * Rows are claimed with FOR UPDATE SKIP LOCKED plus a lease, so several instances never publish one
 * row at once; the event id as the msg id makes the server drop the rare re-publish after a crash.
 */
export class OutboxRelay {
  private readonly settings: Required<Omit<OutboxRelayOptions, 'log' | 'onPublished'>>;
  private readonly onPublished: (duplicate: boolean) => void;
  private readonly log: Logger;
  private readonly commitHook = new KickAfterCommit(OutboxMessage, () => this.kick());
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private lastPrune = 0;
  /** Callers of whenPublished, by event id, told as soon as this relay's publish of it is acknowledged. */
  private readonly waiting = new Map<string, Set<() => void>>();

  constructor(
    private readonly orm: MikroORM,
    private readonly bus: EventBus,
    options: OutboxRelayOptions,
  ) {
    this.log = options.log.child({ component: 'outbox-relay' });
    this.onPublished = options.onPublished ?? (() => undefined);
    this.settings = {
      batchSize: options.batchSize ?? 100,
      leaseMs: options.leaseMs ?? 5_000,
      sweepIntervalMs: options.sweepIntervalMs ?? 5_000,
      retryBaseMs: options.retryBaseMs ?? 1_000,
      retryMaxMs: options.retryMaxMs ?? 60_000,
      retentionMs: options.retentionMs ?? 3 * DAY,
      pruneIntervalMs: options.pruneIntervalMs ?? 3_600_000,
    };
  }

  /** Starts sweeping and kicking after every commit that wrote an outbox row. */
  start(): void {
    this.orm.em.getEventManager().registerSubscriber(this.commitHook);
    this.timer = setInterval(() => this.sweep(), this.settings.sweepIntervalMs);
    this.timer.unref();
    this.kick();
  }

  /** Publishes what is due now; kicks during a round are folded into one more round. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    // A kick comes from the commit of some request; the round it starts is not that request's work.
    this.running = outsideRequestScope(() => this.drain()).finally(() => {
      this.running = undefined;
      // A kick that came after drain's last look but before this point would otherwise be lost.
      if (this.again) this.kick();
    });
  }

  /**
   * Resolves true once the event with this id is on the bus (the server acknowledged its publish),
   * false after `timeoutMs`. For a writer whose readers elsewhere must see its change as soon as it
   * answers: call it after the commit. This relay's own publish tells at once; the outbox row is
   * also looked at, right away (published before the call) and every `pollMs` (another instance's
   * relay claimed it). Never rejects.
   */
  whenPublished(eventId: string, timeoutMs: number, pollMs = 50): Promise<boolean> {
    return new Promise((resolve) => {
      const waiters = this.waiting.get(eventId) ?? new Set();
      this.waiting.set(eventId, waiters);
      let poll: NodeJS.Timeout | undefined;
      let timeout: NodeJS.Timeout | undefined;
      const finish = (published: boolean) => {
        clearTimeout(timeout);
        clearTimeout(poll);
        waiters.delete(onPublished);
        if (waiters.size === 0 && this.waiting.get(eventId) === waiters) this.waiting.delete(eventId);
        resolve(published);
      };
      const onPublished = () => finish(true);
      waiters.add(onPublished);
      timeout = setTimeout(() => finish(false), timeoutMs);
      const look = () => {
        isPublished(this.orm.em.fork(), eventId)
          .catch(() => false)
          .then((published) => {
            if (published) finish(true);
            else if (waiters.has(onPublished)) poll = setTimeout(look, pollMs);
          });
      };
      look();
    });
  }

  /** Stops sweeping, then publishes what is pending if the bus is up, for at most `timeoutMs`. */
  async stop(timeoutMs = 5_000): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.orm.em.getEventManager().getSubscribers().delete(this.commitHook);
    const flush = (async () => {
      await this.running;
      await this.publishDue().catch((error: unknown) => this.log.warn({ err: error }, 'final flush failed'));
    })();
    let timeout: NodeJS.Timeout | undefined;
    const expired = new Promise<void>((resolve) => {
      timeout = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([flush, expired]);
    clearTimeout(timeout);
  }

  /** One full pass: claims and publishes batches until nothing is due. Returns how many were published. */
  private async publishDue(): Promise<number> {
    let published = 0;
    while (this.bus.isConnected()) {
      const em = this.orm.em.fork();
      const rows = await claimDue(em, this.settings.batchSize, this.settings.leaseMs);
      if (rows.length === 0) break;
      published += await this.publish(em, rows);
      if (rows.length < this.settings.batchSize) break;
    }
    return published;
  }

  private async drain(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.publishDue();
      } catch (error) {
        this.log.error({ err: error }, 'outbox relay round failed; the sweep will retry');
      }
    } while (this.again && !this.stopped);
  }

  private async publish(em: EntityManager, rows: { id: string; payload: EventEnvelope; attempts: number }[]) {
    // Sent back to back on one connection, so the stream stores them in claim order (oldest first).
    const results = await Promise.allSettled(rows.map((row) => this.bus.publish(row.payload)));
    const done = rows.filter((_, i) => results[i]?.status === 'fulfilled').map((row) => row.id);
    for (const result of results) if (result.status === 'fulfilled') this.onPublished(result.value.duplicate);
    for (const id of done) for (const tell of this.waiting.get(id) ?? []) tell();
    if (done.length > 0) await markPublished(em, done, this.settings.retentionMs === 0);
    for (const [i, result] of results.entries()) {
      if (result.status === 'fulfilled') continue;
      const row = rows[i]!;
      const delayMs = this.backoff(row.attempts);
      this.log.warn(
        { err: result.reason, eventId: row.id, attempts: row.attempts, retryInMs: delayMs },
        'publish failed',
      );
      await markFailed(em, row.id, delayMs, String((result.reason as Error)?.message ?? result.reason));
    }
    return done.length;
  }

  private backoff(attempts: number): number {
    const { retryBaseMs, retryMaxMs } = this.settings;
    const delay = Math.min(retryMaxMs, retryBaseMs * 2 ** Math.max(0, attempts - 1));
    return Math.round(delay * (0.8 + Math.random() * 0.4));
  }

  private sweep(): void {
    this.kick();
    if (Date.now() - this.lastPrune < this.settings.pruneIntervalMs || this.settings.retentionMs === 0) return;
    this.lastPrune = Date.now();
    prunePublished(this.orm.em.fork(), this.settings.retentionMs)
      .then((count) => count > 0 && this.log.info({ count }, 'pruned published outbox rows'))
      .catch((error: unknown) => this.log.warn({ err: error }, 'outbox prune failed'));
  }
}
