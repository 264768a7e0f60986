import { KickAfterCommit } from '@commerce-supergraph/shared/events/kick-after-commit';
import { MarkBatcher } from '@commerce-supergraph/shared/events/mark-batcher';
import type { Logger } from '@commerce-supergraph/shared/logging';
import { outsideRequestScope } from '@commerce-supergraph/shared/request-scope';
import { deadline } from '@commerce-supergraph/shared/time';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { Notification } from '../entities/index.js';
import type { Notifier, OutgoingNotification } from '../ports/notifier.js';

export interface NotificationDispatcherOptions {
  log: Logger;
  /** How often notifications still unsent are looked for (failed sends, a crash, another instance's). */
  sweepIntervalMs?: number;
  /** How long a claimed notification stays with the dispatcher that claimed it. */
  leaseMs?: number;
  /** How long a notification nobody tried to send yet is left to the process that stored it (it sends from memory). */
  freshMs?: number;
  /** Backoff after a failed send: base * 2^(attempts-1), capped, with jitter. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  batchSize?: number;
}

interface DueNotification {
  id: string;
  customer_id: string;
  subject: string;
  body: string;
  send_attempts: number;
  email: string;
}

/**
 * Sends stored notifications once their transaction has committed: the commit hands them over and
 * they go from memory, with no claim, and are marked sent (many a statement under load). A sweep
 * picks up failed sends with backoff, and whatever a crash left, once `freshMs` has passed; it claims
 * with FOR UPDATE SKIP LOCKED and a lease, so two instances never send one at once. A crash between
 * the send and the mark sends it again after the lease, with the same id as idempotency key
 * (see Notifier): at least once from here, exactly once for a transport that honours the key.
 */
export class NotificationDispatcher {
  private readonly settings: Required<Omit<NotificationDispatcherOptions, 'log'>>;
  private readonly log: Logger;
  private readonly commitHook = new KickAfterCommit(Notification, (rows) => this.sendCommitted(rows));
  private readonly marks: MarkBatcher;
  private readonly inFlight = new Set<Promise<void>>();
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly orm: MikroORM,
    private readonly notifier: Notifier,
    options: NotificationDispatcherOptions,
  ) {
    this.log = options.log.child({ component: 'notification-dispatcher' });
    this.settings = {
      sweepIntervalMs: options.sweepIntervalMs ?? 5_000,
      leaseMs: options.leaseMs ?? 60_000,
      freshMs: options.freshMs ?? 2_000,
      retryBaseMs: options.retryBaseMs ?? 1_000,
      retryMaxMs: options.retryMaxMs ?? 600_000,
      batchSize: options.batchSize ?? 20,
    };
    this.marks = new MarkBatcher(async (ids) => {
      await this.orm.em
        .fork()
        .getConnection()
        .execute(
          // A send from memory was not counted by a claim: it counts as the first attempt.
          `update notifications set sent_at = now(), last_error = null, send_attempts = greatest(send_attempts, 1)
              where id in (${ids.map(() => '?').join(', ')})`,
          ids,
          'run',
        );
    }, this.log);
  }

  start(): void {
    this.orm.em.getEventManager().registerSubscriber(this.commitHook);
    this.timer = setInterval(() => this.kick(), this.settings.sweepIntervalMs);
    this.timer.unref();
    this.kick();
  }

  /** Sends what is due now; kicks during a round are folded into one more round. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    // A kick comes from the commit of some request or event; its round is not that work's.
    this.running = outsideRequestScope(() => this.drain()).finally(() => {
      this.running = undefined;
      if (this.again) this.kick();
    });
  }

  /** Stops sending; waits at most `timeoutMs` for a round in progress (what is unsent waits for the next start). */
  async stop(timeoutMs = 5_000): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.orm.em.getEventManager().getSubscribers().delete(this.commitHook);
    const rounds = Promise.all([this.running, ...this.inFlight]).then(() => this.marks.settled());
    await deadline(rounds, timeoutMs, 'the notification round').catch((error: unknown) =>
      this.log.warn({ err: error }, 'notification round still running at shutdown'),
    );
  }

  /**
   * The happy path: notifications a commit just stored, with their customer's address read as they
   * were (`to`: notifications.ts always reads it), are sent at once. Any other waits for the sweep.
   */
  private sendCommitted(rows: Notification[]): void {
    if (this.stopped) return;
    const due: DueNotification[] = [];
    for (const row of rows) {
      if (row.sentAt != null || row.to === undefined) continue;
      due.push({ ...row, customer_id: row.customerId, send_attempts: 0, email: row.to });
    }
    if (due.length === 0) return;
    const sending = outsideRequestScope(async () => {
      const em = this.orm.em.fork();
      for (const row of due) await this.send(em, row);
    });
    this.inFlight.add(sending);
    void sending.finally(() => this.inFlight.delete(sending));
  }

  private async drain(): Promise<void> {
    do {
      this.again = false;
      try {
        while (!this.stopped) {
          const em = this.orm.em.fork();
          const due = await this.claim(em);
          for (const row of due) await this.send(em, row);
          if (due.length < this.settings.batchSize) break;
        }
      } catch (error) {
        this.log.error({ err: error }, 'notification round failed; the sweep will retry');
      }
    } while (this.again && !this.stopped);
  }

  private claim(em: EntityManager): Promise<DueNotification[]> {
    return em.getConnection().execute(
      `with claimed as (
         update notifications n
            set send_attempts = n.send_attempts + 1, next_attempt_at = now() + ? * interval '1 millisecond'
           from (select id from notifications
                  where sent_at is null and next_attempt_at <= now()
                    and (send_attempts > 0 or created_at <= now() - ? * interval '1 millisecond')
                  order by created_at, id limit ? for update skip locked) due
          where n.id = due.id
      returning n.id, n.customer_id, n.subject, n.body, n.send_attempts, n.created_at)
       select c.id, c.customer_id, c.subject, c.body, c.send_attempts, cu.email
         from claimed c join customers cu on cu.id = c.customer_id
        order by c.created_at, c.id`,
      [this.settings.leaseMs, this.settings.freshMs, this.settings.batchSize],
    );
  }

  private async send(em: EntityManager, row: DueNotification): Promise<void> {
    const notification: OutgoingNotification = {
      notificationId: row.id,
      customerId: row.customer_id,
      to: row.email,
      subject: row.subject,
      body: row.body,
    };
    try {
      await this.notifier.send(notification);
    } catch (error) {
      const retryInMs = this.backoff(row.send_attempts);
      this.log.warn(
        { err: error, notificationId: row.id, attempts: row.send_attempts, retryInMs },
        'notification not sent; will retry',
      );
      await em.getConnection().execute(
        `update notifications set next_attempt_at = now() + ? * interval '1 millisecond', last_error = ?,
                send_attempts = greatest(send_attempts, ?)
            where id = ? and sent_at is null`,
        [retryInMs, String((error as Error)?.message ?? error).slice(0, 1_000), Math.max(row.send_attempts, 1), row.id],
        'run',
      );
      return;
    }
    this.marks.add([row.id]);
  }

  private backoff(attempts: number): number {
    const { retryBaseMs, retryMaxMs } = this.settings;
    const delay = Math.min(retryMaxMs, retryBaseMs * 2 ** Math.max(0, attempts - 1));
    return Math.round(delay * (0.8 + Math.random() * 0.4));
  }
}
