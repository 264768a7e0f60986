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

/** Runs the expiry on an interval; a round that finds a full batch goes straight on to the next. */
export class ExpirySweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly orm: MikroORM,
    private readonly settings: { timeoutSeconds: number; intervalMs: number },
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
      const expired = await expireUnpaidOrders(this.orm.em.fork(), this.settings.timeoutSeconds);
      if (expired > 0) this.log.info({ expired }, 'unpaid orders expired');
      if (expired < BATCH || this.stopped) return;
    }
  }
}
