import { AsyncLocalStorage } from 'node:async_hooks';
import { DeadlockException, type EntityManager, type MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { isDatabaseUnavailable } from '../db/unavailable.js';
import type { Delivery } from './bus.js';
import type { EventEnvelope } from './envelope.js';

/** inbox.ts's TransactionalHandler (declared there; repeated here so the two modules form no cycle). */
type GroupedHandler = (
  envelope: EventEnvelope,
  context: { em: EntityManager; log: Logger; delivery: Delivery },
) => Promise<void>;

/**
 * Takes, before any handler of a group runs, every lock those handlers will take, in the one order
 * every transaction of the service takes them (see the subscription's own). Without it, a group
 * takes its messages' locks in arrival order, and two groups (two subscriptions, two instances)
 * touching the same rows wait on each other until PostgreSQL breaks the deadlock a second later.
 */
export type GroupLock = (em: EntityManager, events: EventEnvelope[]) => Promise<void>;

/**
 * Handles a group's claimed messages in one call, with the effect of the subscription's handler
 * called for each in turn: for a handler whose work for one message is a statement that can take
 * them all (one UPDATE for the whole group, not one each). A message alone, and each message of a
 * group that failed, still goes to the handler, so the handler alone defines what a message does.
 */
export type GroupHandler = (
  em: EntityManager,
  messages: { envelope: EventEnvelope; delivery: Delivery }[],
) => Promise<void>;

/**
 * For a subscription no one waits on (a notification, not a saga step): an idle consumer holds its
 * first message up to `ms` for company, so a steady trickle is handled in groups too, not one
 * transaction a message. It stops holding as soon as `upTo` messages wait: the consumer hands out
 * no more than its concurrency at once, and a burst must not wait on the timer.
 */
export interface Linger {
  ms: number;
  upTo: number;
}

/** What a subscription's groups do besides calling its handler for each message. */
export interface GroupOptions {
  lockFirst?: GroupLock;
  handleGroup?: GroupHandler;
  linger?: Linger;
}

/** Tries a message alone gets when PostgreSQL picks it as a deadlock's victim: the other side has gone on. */
const DEADLOCK_TRIES = 3;

interface Waiting {
  /** When it arrived (performance.now()), for the linger. */
  at: number;
  envelope: EventEnvelope;
  delivery: Delivery;
  /** Runs a function in the caller's async context (its span, its request id), not the group's. */
  inContext: <R>(work: () => R) => R;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Messages at most in one transaction: a larger group holds its locks for longer. */
export const MAX_GROUP = 32;

/**
 * How long a transaction may run before another one starts beside it: a slow handler (waiting on a
 * lock, a busy database) holds up the others this long at most. While every transaction running is
 * slow, the waiting messages go one at a time beside them (a group would queue them behind each
 * other), up to the consumer's concurrency.
 */
export const SLOW_MS = 250;

/**
 * The inbox's transactions for one subscription, one at a time while they are quick: the messages
 * that arrive while one runs are handled together in the next, with one transaction and one inbox
 * insert for all of them. An idle consumer handles each message alone, as before; a busy one (a
 * burst, a backlog after an outage) saves a BEGIN, a COMMIT and an inbox statement per message. One
 * transaction at a time also keeps the groups of one process from waiting on each other's locks
 * (their messages lock rows in no common order); only past SLOW_MS does a second one start.
 *
 * Each message keeps its own outcome: when a group fails (a handler threw, a deadlock, a failed
 * commit), nothing of it stays, and each of its messages is handled again alone, so only the
 * message at fault fails, and dispatch.ts retries or dead-letters it as ever.
 */
export class InboxGroups {
  private readonly waiting: Waiting[] = [];
  /** When each running transaction started. */
  private readonly running = new Set<{ at: number }>();
  private timer: NodeJS.Timeout | undefined;
  /** Whether `timer` is a linger (see Linger), which a full group ends early. */
  private lingering = false;

  constructor(
    private readonly orm: MikroORM,
    private readonly handler: GroupedHandler,
    private readonly options: GroupOptions = {},
  ) {}

  handle(envelope: EventEnvelope, delivery: Delivery): Promise<void> {
    return new Promise((resolve, reject) => {
      const at = performance.now();
      this.waiting.push({ at, envelope, delivery, inContext: AsyncLocalStorage.snapshot(), resolve, reject });
      this.pump();
    });
  }

  /**
   * Starts a transaction for what waits: at once when none runs (after the linger, if any), else
   * once the last one started is slow.
   */
  private pump(): void {
    if (this.waiting.length === 0) return;
    if (this.timer) {
      // A linger ends early once the group is as full as it can get; a wait for a slow one does not.
      if (!this.lingering || this.lingerLeft(performance.now()) > 0) return;
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    let youngest = Number.NEGATIVE_INFINITY;
    for (const { at } of this.running) youngest = Math.max(youngest, at);
    const now = performance.now();
    const waitFor = this.running.size > 0 ? youngest + SLOW_MS - now : this.lingerLeft(now);
    if (waitFor > 0) {
      this.lingering = this.running.size === 0;
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, waitFor + 1);
      return;
    }
    // Beside slow transactions, one message alone: a group would queue its messages behind each other.
    const group = this.running.size > 0 ? this.waiting.splice(0, 1) : this.takeGroup();
    const started = { at: performance.now() };
    this.running.add(started);
    void this.run(group).finally(() => {
      this.running.delete(started);
      clearTimeout(this.timer);
      this.timer = undefined;
      this.pump();
    });
    this.pump(); // what still waits: a timer until this one is slow
  }

  /** How much longer an idle subscription holds its oldest message for company (0: start now). */
  private lingerLeft(now: number): number {
    const { linger } = this.options;
    if (!linger || this.waiting.length >= Math.min(linger.upTo, MAX_GROUP)) return 0;
    return (this.waiting[0] as Waiting).at + linger.ms - now;
  }

  private async run(group: Waiting[]): Promise<void> {
    if (group.length === 1) return this.settle(group[0] as Waiting);
    try {
      await this.inGroup(group);
      for (const message of group) message.resolve();
    } catch {
      for (const message of group) await this.settle(message);
    }
  }

  /** The oldest waiting messages, one per event id (a second copy of one event waits for the next group). */
  private takeGroup(): Waiting[] {
    const group: Waiting[] = [];
    const ids = new Set<string>();
    for (let i = 0; i < this.waiting.length && group.length < MAX_GROUP; ) {
      const message = this.waiting[i] as Waiting;
      if (ids.has(message.envelope.id)) {
        i += 1;
        continue;
      }
      ids.add(message.envelope.id);
      group.push(message);
      this.waiting.splice(i, 1);
    }
    return group;
  }

  /**
   * One message alone. A deadlock's victim is tried again at once: its rival has its locks and goes
   * on, and a redelivery would wait the retry policy's first delay for nothing.
   */
  private async settle(message: Waiting): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.alone(message);
        return message.resolve();
      } catch (error) {
        // The claim failed the transaction: another delivery of the event committed it first.
        if (!isDatabaseUnavailable(error) && (await handledBefore(this.orm.em.fork(), message))) {
          return message.resolve();
        }
        if (!(error instanceof DeadlockException) || attempt >= DEADLOCK_TRIES) return message.reject(error);
        message.delivery.log.warn({ attempt }, 'deadlock victim; trying again at once');
      }
    }
  }

  /**
   * One message in its own transaction. Its claim is a plain insert, which the connection guard
   * sends with the handler's first statement (held-statements.ts): no round trip of its own. A
   * duplicate fails the transaction on the inbox's key, and settle() finds the row and skips it.
   */
  private async alone({ envelope, delivery, inContext }: Waiting): Promise<void> {
    await this.orm.em.fork().transactional(async (em) => {
      await em
        .getConnection()
        .execute(
          'insert into "inbox_messages" ("consumer", "event_id", "subject", "stream_seq") values (?, ?, ?, ?)',
          claimRow({ envelope, delivery }),
          'run',
          em.getTransactionContext(),
        );
      await inContext(() => this.handler(envelope, { em, log: delivery.log, delivery }));
    });
  }

  /**
   * A group's transaction: claims every message's `(consumer, event id)` in one statement, takes
   * the group's locks (`lockFirst`), then runs the handler for each one claimed, in arrival order,
   * each in its caller's context, or `handleGroup` once for them all. A duplicate finds its row
   * taken and is skipped.
   */
  private async inGroup(group: Waiting[]): Promise<void> {
    const { lockFirst, handleGroup } = this.options;
    await this.orm.em.fork().transactional(async (em) => {
      const claimed = await claim(em, group);
      const fresh = group.filter(({ envelope, delivery }) => {
        if (!claimed.has(envelope.id)) delivery.log.info('event already handled; skipped');
        return claimed.has(envelope.id);
      });
      if (lockFirst && fresh.length > 1)
        await lockFirst(
          em,
          fresh.map(({ envelope }) => envelope),
        );
      if (handleGroup && fresh.length > 1) return handleGroup(em, fresh);
      for (const { envelope, delivery, inContext } of fresh) {
        await inContext(() => this.handler(envelope, { em, log: delivery.log, delivery }));
      }
    });
  }
}

/** Rows inserted in event id order: two instances claiming overlapping groups never wait on each other in a circle. */
async function claim(em: EntityManager, group: Waiting[]): Promise<Set<string>> {
  const sorted = group.toSorted((a, b) => (a.envelope.id < b.envelope.id ? -1 : a.envelope.id > b.envelope.id ? 1 : 0));
  const rows: { event_id: string }[] = await em.getConnection().execute(
    `insert into inbox_messages (consumer, event_id, subject, stream_seq)
     values ${sorted.map(() => '(?, ?, ?, ?)').join(', ')} on conflict do nothing returning event_id`,
    sorted.flatMap(claimRow),
    'all',
    em.getTransactionContext(),
  );
  return new Set(rows.map((row) => row.event_id));
}

const claimRow = ({ envelope, delivery }: Pick<Waiting, 'envelope' | 'delivery'>) => [
  delivery.consumer,
  envelope.id,
  envelope.type,
  delivery.streamSequence ?? null,
];

/**
 * Whether the message's claim is committed: handled by an earlier delivery, so it is skipped. Asked
 * after any failure, whatever the error looks like (a handler may wrap it); when the answer cannot
 * be had, the failure stands and the message is retried as any other.
 */
async function handledBefore(em: EntityManager, { envelope, delivery }: Waiting): Promise<boolean> {
  try {
    const [row] = await em
      .getConnection()
      .execute<{ handled: boolean }[]>(
        'select exists(select 1 from inbox_messages where consumer = ? and event_id = ?) as handled',
        [delivery.consumer, envelope.id],
      );
    if (row?.handled) delivery.log.info('event already handled; skipped');
    return row?.handled === true;
  } catch {
    return false;
  }
}
