import type { Viewer } from '@commerce-supergraph/shared/auth/jwt';
import { GraphQLError } from 'graphql';
import { Channel } from './channel.js';
import type { OrderFeed } from './feed.js';
import { type OrderStatus, type OrderUpdate, progressOf } from './updates.js';

export interface LiveLimits {
  /** Subscriptions one WebSocket may hold at once. */
  perConnection: number;
  /** Subscriptions one customer may hold at once on this gateway, over all their connections. */
  perCustomer: number;
  /** Updates queued for one subscriber before it is ended as too slow. */
  queue: number;
}

/** The order as the caller may see it now, through the supergraph (the order subgraph authorizes). */
export type OrderSnapshot = (orderId: string, authorization: string) => Promise<OrderUpdate>;

export interface LiveCaller {
  viewer: Viewer;
  authorization: string;
  /** Subscriptions held by this caller's connection. */
  active: { count: number };
}

const tooMany = (message: string) => new GraphQLError(message, { extensions: { code: 'TOO_MANY_REQUESTS' } });

/**
 * The Subscription root: each field returns an async iterator of `{ <field>: OrderUpdate }`, fed by
 * the gateway's one order feed and filtered to the caller's orders. Limits are counted as iterators
 * start and released when they end, however they end (client stop, socket close, shutdown).
 */
export function createSubscriptionRoot(
  feed: OrderFeed,
  snapshotFor: (viewer: Viewer) => OrderSnapshot,
  limits: LiveLimits,
) {
  const perCustomer = new Map<string, number>();

  function open(caller: LiveCaller, wanted: (update: OrderUpdate) => boolean): Channel<OrderUpdate> {
    const customerId = caller.viewer.customerId;
    if (caller.active.count >= limits.perConnection) {
      throw tooMany(`At most ${limits.perConnection} subscriptions per connection`);
    }
    if ((perCustomer.get(customerId) ?? 0) >= limits.perCustomer) {
      throw tooMany(`At most ${limits.perCustomer} live subscriptions per customer`);
    }
    caller.active.count += 1;
    perCustomer.set(customerId, (perCustomer.get(customerId) ?? 0) + 1);
    let unsubscribe = () => {};
    const channel = new Channel<OrderUpdate>(limits.queue, () => {
      unsubscribe();
      caller.active.count -= 1;
      const left = (perCustomer.get(customerId) ?? 1) - 1;
      if (left > 0) perCustomer.set(customerId, left);
      else perCustomer.delete(customerId);
    });
    unsubscribe = feed.subscribe((update) => wanted(update) && channel.push(update));
    return channel;
  }

  return {
    /** Counted for tests and logs: how many subscriptions each customer holds. */
    customers: perCustomer,
    orderUpdated: async (args: { orderId: string }, caller: LiveCaller) => {
      // Updates that arrive while the snapshot is read are held back, then filtered against it.
      const held: OrderUpdate[] = [];
      let ready = false;
      const progress = newProgress();
      const channel = open(caller, (update) => update.orderId === args.orderId);
      const out = new Channel<{ orderUpdated: OrderUpdate }>(limits.queue, () => void channel.return());
      void (async () => {
        for await (const update of channel) {
          if (!ready) held.push(update);
          else if (progress.accepts(update)) out.push({ orderUpdated: update });
        }
      })().catch((error: Error) => out.fail(error));
      try {
        // The snapshot is read once the feed reads from after this subscribe: no change falls between.
        await feed.reading();
        const current = await snapshotFor(caller.viewer)(args.orderId, caller.authorization);
        progress.accepts(current);
        out.push({ orderUpdated: current });
      } catch (error) {
        await channel.return();
        throw error;
      }
      ready = true;
      for (const update of held.splice(0)) if (progress.accepts(update)) out.push({ orderUpdated: update });
      return out;
    },
    myOrderUpdates: async (_args: unknown, caller: LiveCaller) => {
      const progress = new Map<string, ReturnType<typeof newProgress>>();
      const channel = open(caller, (update) => update.customerId === caller.viewer.customerId);
      const out = new Channel<{ myOrderUpdates: OrderUpdate }>(limits.queue, () => void channel.return());
      void (async () => {
        for await (const update of channel) {
          const order = progress.get(update.orderId) ?? newProgress();
          progress.set(update.orderId, order);
          if (order.accepts(update)) out.push({ myOrderUpdates: update });
        }
      })().catch((error: Error) => out.fail(error));
      // Acknowledged once the feed reads: from then on, every change of the caller's orders comes.
      await feed.reading();
      return out;
    },
  };
}

/** Accepts an update only when it moves the order on, or tells something new at the same step. */
function newProgress() {
  let last: { status: OrderStatus; paymentStatus: string | null } | undefined;
  return {
    accepts(update: OrderUpdate): boolean {
      if (last) {
        const [before, after] = [progressOf(last.status), progressOf(update.status)];
        if (after < before) return false;
        if (after === before && last.status === update.status && last.paymentStatus === update.paymentStatus)
          return false;
      }
      last = { status: update.status, paymentStatus: update.paymentStatus };
      return true;
    },
  };
}
