import { BoundedSlots, BUSY, type SlotLimits } from '@commerce-supergraph/shared/bounded-slots';
import { userError } from '@commerce-supergraph/shared/graphql/errors';
import { type Result, refused } from '@commerce-supergraph/shared/graphql/payloads';
import type { MikroORM } from '@mikro-orm/postgresql';

export interface PlaceOrderAdmissionLimits extends SlotLimits {
  /**
   * PENDING orders (placed, their stock not answered yet) in the whole database at most; past it,
   * new ones are refused until the saga has caught up. 0: no cap.
   */
  maxPending: number;
}

/** How old the PENDING count may be: one count per instance this often, whatever the load. */
export const BACKLOG_SAMPLE_MS = 250;

const busy = () =>
  userError(
    ['input'],
    'TOO_MANY_REQUESTS',
    'Too many orders are being placed right now; this request was not taken. Try again in a moment (the same idempotencyKey is safe)',
  );

/**
 * Back-pressure for placeOrder, so a flash sale beyond capacity gets quick answers and a saga that
 * drains, instead of answers that take ever longer and orders that time out PENDING:
 * - at most `maxConcurrent` placements run at once in this instance; `maxQueued` more wait, each
 *   at most `maxWaitMs`; the rest are refused at once;
 * - while the saga's backlog (PENDING orders, counted every BACKLOG_SAMPLE_MS) is at `maxPending`,
 *   every placement is refused.
 * A refusal is TOO_MANY_REQUESTS with nothing stored (the backlog count is the only read).
 */
export class PlaceOrderAdmission {
  private readonly slots: BoundedSlots;
  private backlog = { count: 0, at: Number.NEGATIVE_INFINITY };
  private counting: Promise<void> | undefined;

  constructor(
    private readonly orm: MikroORM,
    private readonly limits: PlaceOrderAdmissionLimits,
  ) {
    this.slots = new BoundedSlots(limits);
  }

  async run<T>(place: () => Promise<Result<T>>): Promise<Result<T>> {
    if (await this.backlogFull()) return refused([busy()]);
    const result = await this.slots.run(place);
    return result === BUSY ? refused([busy()]) : result;
  }

  private async backlogFull(): Promise<boolean> {
    const { maxPending } = this.limits;
    if (maxPending === 0) return false;
    if (performance.now() - this.backlog.at >= BACKLOG_SAMPLE_MS) {
      this.counting ??= this.count(maxPending).finally(() => {
        this.counting = undefined;
      });
      await this.counting;
    }
    return this.backlog.count >= maxPending;
  }

  /** Counts up to `limit` PENDING orders (a partial index holds them): the cost stays bounded. */
  private async count(limit: number): Promise<void> {
    const [row] = await this.orm.em
      .fork()
      .execute<{ count: string }[]>(
        `select count(*) from (select 1 from orders where status = 'PENDING' limit ?) as pending`,
        [limit],
      );
    this.backlog = { count: Number(row?.count ?? 0), at: performance.now() };
  }
}
