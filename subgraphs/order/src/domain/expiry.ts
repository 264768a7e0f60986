import { unitOfWork } from '@commerce-supergraph/shared/db/unit-of-work';
import { internalCause } from '@commerce-supergraph/shared/events/cause';
import type { Logger } from '@commerce-supergraph/shared/logging';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { CancellationReason, Order } from '../entities/index.js';
import { OrderSubjects, recordOrderEvent } from '../events/contracts/published.js';

const BATCH = 100;

/**
 * Cancels up to `limit` CONFIRMED orders left unpaid for `timeoutSeconds` (database clock), with
 * reason EXPIRED, each with its cancelled event (which releases the stock), in one transaction.
 * SKIP LOCKED leaves an order that payOrder holds right now to that payment, and lets several
 * instances sweep at once without waiting for or doubling each other. Returns how many expired.
 */
export function expireUnpaidOrders(em: EntityManager, timeoutSeconds: number, limit = BATCH): Promise<number> {
  const cause = internalCause('expiry');
  return unitOfWork(em, async (tx) => {
    const rows = await tx.execute(
      `update orders o
          set status = 'CANCELLED', cancellation_reason = 'EXPIRED', version = o.version + 1, updated_at = now()
         from (select id from orders
                where status = 'CONFIRMED' and confirmed_at <= now() - ? * interval '1 second'
                order by confirmed_at limit ? for update skip locked) due
        where o.id = due.id and o.status = 'CONFIRMED'
      returning o.*`,
      [timeoutSeconds, limit],
    );
    for (const order of rows.map((row) => tx.map(Order, row))) {
      const data = { orderId: order.id, customerId: order.customerId, reason: CancellationReason.EXPIRED };
      recordOrderEvent(tx, cause, OrderSubjects.cancelled, data);
    }
    return rows.length;
  });
}

/** What the customer reads on an order rejected at its PENDING deadline. */
export const unansweredReason = (timeoutSeconds: number): string =>
  `Stock could not be reserved in time (no answer within ${timeoutSeconds} seconds)`;

/**
 * Rejects up to `limit` orders still PENDING `timeoutSeconds` after they were placed, each with its
 * rejected event, in one transaction: the saga's answer was lost (a dead-lettered reservation or
 * reply, a service away too long) and the order must not stay PENDING for good. The rejected event
 * makes the product subgraph give back whatever it reserved (or hold nothing if its answer comes
 * later). SKIP LOCKED leaves an order an answer is being applied to right now to that answer.
 */
export function rejectUnansweredOrders(em: EntityManager, timeoutSeconds: number, limit = BATCH): Promise<number> {
  const cause = internalCause('expiry');
  const reason = unansweredReason(timeoutSeconds);
  return unitOfWork(em, async (tx) => {
    const rows = await tx.execute(
      `update orders o
          set status = 'REJECTED', rejection_reason = ?, version = o.version + 1, updated_at = now()
         from (select id from orders
                where status = 'PENDING' and created_at <= now() - ? * interval '1 second'
                order by created_at limit ? for update skip locked) due
        where o.id = due.id and o.status = 'PENDING'
      returning o.*`,
      [reason, timeoutSeconds, limit],
    );
    for (const order of rows.map((row) => tx.map(Order, row))) {
      recordOrderEvent(tx, cause, OrderSubjects.rejected, { orderId: order.id, customerId: order.customerId, reason });
    }
    return rows.length;
  });
}

export interface ExpirySettings {
  /** CONFIRMED orders unpaid this long after confirmation are cancelled (EXPIRED). */
  paymentTimeoutSeconds: number;
  /** PENDING orders unanswered this long after they were placed are rejected. */
  pendingTimeoutSeconds: number;
  intervalMs: number;
}

/**
 * Runs the expiry on an interval: unpaid confirmed orders are cancelled, unanswered pending ones
 * rejected. A round that finds a full batch of either goes straight on to the next.
 */
export class ExpirySweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly orm: MikroORM,
    private readonly settings: ExpirySettings,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.sweep(), this.settings.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** One sweep at a time per instance: a slow round is not overlapped by the next tick. */
  private sweep(): void {
    if (this.running || this.stopped) return;
    this.running = this.drain()
      .catch((error: unknown) => this.log.error({ err: error }, 'order expiry sweep failed; the next one retries'))
      .finally(() => {
        this.running = undefined;
      });
  }

  private async drain(): Promise<void> {
    for (;;) {
      const expired = await expireUnpaidOrders(this.orm.em.fork(), this.settings.paymentTimeoutSeconds);
      if (expired > 0) this.log.info({ expired }, 'unpaid orders expired');
      const rejected = await rejectUnansweredOrders(this.orm.em.fork(), this.settings.pendingTimeoutSeconds);
      if (rejected > 0) {
        const seconds = this.settings.pendingTimeoutSeconds;
        this.log.warn({ rejected, pendingTimeoutSeconds: seconds }, 'orders left PENDING past their deadline rejected');
      }
      if ((expired < BATCH && rejected < BATCH) || this.stopped) return;
    }
  }
}
