import type { EntityManager, MikroORM } from '@mikro-orm/core';
import type { Logger } from 'pino';
import { outsideRequestScope } from '../request-scope.js';
import type { EventBus } from './bus.js';
import type { EventEnvelope } from './envelope.js';
import { KickAfterCommit } from './kick-after-commit.js';
import { MarkBatcher } from './mark-batcher.js';
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
  /**
   * How long a row nobody has tried to publish yet is left to the process that committed it, which
   * publishes it from memory right after the commit: periodic sweeps (of this or another instance)
   * take it only after that, so the happy path needs no claim statement and no row goes out twice.
   */
  freshMs?: number;
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
 * Moves committed events from the outbox to the bus. The commit that wrote events hands them to the
 * relay, which publishes them from memory at once and marks them published (many rows a statement
 * under load); a sweep picks up whatever a crash or an outage left behind, and rows whose publish
 * failed, with backoff. Swept rows are claimed with FOR UPDATE SKIP LOCKED plus a lease, so several
 * instances never publish one row at once; the event id as the msg id makes the server drop the
 * rare re-publish after a crash.
 */
export class OutboxRelay {
  private readonly settings: Required<Omit<OutboxRelayOptions, 'log' | 'onPublished'>>;
  private readonly onPublished: (duplicate: boolean) => void;
  private readonly log: Logger;
  private readonly commitHook = new KickAfterCommit(OutboxMessage, (rows) => this.publishCommitted(rows));
  private readonly marks: MarkBatcher;
  /** Publishes of just-committed rows still in flight: stopping waits for them. */
  private readonly inFlight = new Set<Promise<void>>();
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private followUp: NodeJS.Timeout | undefined;
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
      freshMs: options.freshMs ?? 2_000,
      retryBaseMs: options.retryBaseMs ?? 1_000,
      retryMaxMs: options.retryMaxMs ?? 60_000,
      retentionMs: options.retentionMs ?? 3 * DAY,
      pruneIntervalMs: options.pruneIntervalMs ?? 3_600_000,
    };
    const remove = this.settings.retentionMs === 0;
    this.marks = new MarkBatcher((ids) => markPublished(this.orm.em.fork(), ids, remove), this.log);
  }

  /** Starts sweeping and publishing after every commit that wrote an outbox row. */
  start(): void {
    this.orm.em.getEventManager().registerSubscriber(this.commitHook);
    this.timer = setInterval(() => this.sweep(), this.settings.sweepIntervalMs);
    this.timer.unref();
    this.kick();
  }

  /**
   * Publishes what is due now (at start, once NATS is back), and once more when the rows fresh now
   * are no longer: those of a process that died, or that this one could not publish while NATS was
   * away. Kicks during a round are folded into one more round.
   */
  kick(): void {
    if (this.stopped) return;
    if (!this.followUp) {
      // One more round, not another kick: a kick would schedule the next follow-up, for ever.
      this.followUp = setTimeout(() => {
        this.followUp = undefined;
        if (this.stopped) return;
        if (this.running) this.again = true;
        else this.startRound();
      }, this.settings.freshMs + 50);
      this.followUp.unref();
    }
    if (this.running) {
      this.again = true;
      return;
    }
    this.startRound();
  }

  private startRound(): void {
    // A round may start inside some request's work (a reconnect); it is not that request's.
    this.running = outsideRequestScope(() => this.drain()).finally(() => {
      this.running = undefined;
      // A kick that came after drain's last look but before this point would otherwise be lost.
      if (this.again && !this.stopped) this.startRound();
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
    clearTimeout(this.followUp);
    this.orm.em.getEventManager().getSubscribers().delete(this.commitHook);
    const flush = (async () => {
      await Promise.all([this.running, ...this.inFlight]);
      await this.marks.settled();
      // Fresh rows too: nothing of this process's is left behind (another instance's fresh row
      // taken here goes out twice, and the server drops the copy).
      await this.publishDue(0).catch((error: unknown) => this.log.warn({ err: error }, 'final flush failed'));
      await this.marks.settled();
    })();
    let timeout: NodeJS.Timeout | undefined;
    const expired = new Promise<void>((resolve) => {
      timeout = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([flush, expired]);
    clearTimeout(timeout);
  }

  /**
   * The happy path: rows a commit just made visible go out from memory, in the order they were
   * written, with no claim. One that fails stays unpublished and unclaimed; the sweep takes it once
   * it is `freshMs` old, with backoff from then on.
   */
  private publishCommitted(rows: OutboxMessage[]): void {
    if (this.stopped || !this.bus.isConnected()) return;
    const due = rows.filter((row) => row.publishedAt == null);
    if (due.length === 0) return;
    const sending = outsideRequestScope(async () => {
      const results = await this.send(due.map((row) => row.payload));
      for (const [i, result] of results.entries())
        if (result.status === 'rejected')
          this.log.warn(
            { err: result.reason, eventId: due[i]?.id, retryInMs: this.settings.freshMs },
            'publish failed; the sweep will retry',
          );
    });
    this.inFlight.add(sending);
    void sending.finally(() => this.inFlight.delete(sending));
  }

  /** Publishes back to back on one connection (the stream stores them in this order); marks what went out. */
  private async send(payloads: EventEnvelope[]) {
    const results = await Promise.allSettled(payloads.map((payload) => this.bus.publish(payload)));
    const done: string[] = [];
    for (const [i, result] of results.entries()) {
      if (result.status !== 'fulfilled') continue;
      const id = (payloads[i] as EventEnvelope).id;
      done.push(id);
      this.onPublished(result.value.duplicate);
      for (const tell of this.waiting.get(id) ?? []) tell();
    }
    if (done.length > 0) this.marks.add(done);
    return results;
  }

  /**
   * One full pass: claims and publishes batches until nothing is due, rows younger than `freshMs`
   * with no attempt yet included only when asked (0). Returns how many were published.
   */
  private async publishDue(freshMs: number): Promise<number> {
    let published = 0;
    while (this.bus.isConnected()) {
      const em = this.orm.em.fork();
      const rows = await claimDue(em, this.settings.batchSize, this.settings.leaseMs, freshMs);
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
        await this.publishDue(this.settings.freshMs);
      } catch (error) {
        this.log.error({ err: error }, 'outbox relay round failed; the sweep will retry');
      }
    } while (this.again && !this.stopped);
  }

  private async publish(em: EntityManager, rows: { id: string; payload: EventEnvelope; attempts: number }[]) {
    // Claimed oldest first.
    const results = await this.send(rows.map((row) => row.payload));
    let done = 0;
    for (const [i, result] of results.entries()) {
      if (result.status === 'fulfilled') {
        done += 1;
        continue;
      }
      const row = rows[i]!;
      const delayMs = this.backoff(row.attempts);
      this.log.warn(
        { err: result.reason, eventId: row.id, attempts: row.attempts, retryInMs: delayMs },
        'publish failed',
      );
      await markFailed(em, row.id, delayMs, String((result.reason as Error)?.message ?? result.reason));
    }
    return done;
  }

  private backoff(attempts: number): number {
    const { retryBaseMs, retryMaxMs } = this.settings;
    const delay = Math.min(retryMaxMs, retryBaseMs * 2 ** Math.max(0, attempts - 1));
    return Math.round(delay * (0.8 + Math.random() * 0.4));
  }

  private sweep(): void {
    if (!this.stopped && !this.running) this.startRound();
    if (Date.now() - this.lastPrune < this.settings.pruneIntervalMs || this.settings.retentionMs === 0) return;
    this.lastPrune = Date.now();
    prunePublished(this.orm.em.fork(), this.settings.retentionMs)
      .then((count) => count > 0 && this.log.info({ count }, 'pruned published outbox rows'))
      .catch((error: unknown) => this.log.warn({ err: error }, 'outbox prune failed'));
  }
}
