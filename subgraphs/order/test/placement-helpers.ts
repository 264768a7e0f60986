import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Orm } from '@commerce-supergraph/shared/db/orm';
import type { EntityManager } from '@mikro-orm/postgresql';
import { lockCustomer } from '../src/domain/open-order-cap.js';
import { placeOrder } from '../src/domain/place-order.js';
import type { PlacementGroups } from '../src/domain/placement-groups.js';
import { cause, type TwoInstances } from './helpers.js';

export type Placed = Awaited<ReturnType<typeof placeOrder>>;
export const codes = (result: Placed) => (result.ok ? [] : result.errors.map((e) => e.code));

/** A customer id that sorts where `digit` says ('0' first, 'f' last): a group's order is by id. */
export const sortedAs = (digit: string) => `${digit.repeat(8)}${randomUUID().slice(8)}`;

/**
 * What `send` starts while another customer's placement runs through `groups` (held up by its
 * customer's lock, taken by another connection): those placements queue behind it (they reach
 * `run` within microtasks, the first's transaction needs a round trip at least), then go together.
 * The lock is let go well within GROUP_LOCK_WAIT_MS, so the first does not go alone.
 */
export async function whileHeldUp<T>(world: TwoInstances, groups: PlacementGroups, send: () => Promise<T>[]) {
  const blocker = randomUUID();
  let first: Promise<Placed> | undefined;
  let rest: Promise<T>[] = [];
  await world.other.em.fork().transactional(async (tx) => {
    await lockCustomer(tx, blocker);
    first = placeOrder(
      world.orm.em.fork(),
      blocker,
      { items: [{ productId: world.productId, quantity: 1 }] },
      cause(),
      {
        together: groups,
      },
    );
    await sleep(20);
    rest = send();
    await sleep(20);
  });
  const settled = await Promise.allSettled(rest);
  const failed = settled.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as Error] : []));
  const answers = settled.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
  return { first: await (first as Promise<Placed>), rest: answers, failed };
}

/** One placement of two units through `groups`, with the cap at `maxOpenOrders`. */
export const placeVia = (world: TwoInstances, groups: PlacementGroups, customerId: string, maxOpenOrders = 10) =>
  placeOrder(world.orm.em.fork(), customerId, { items: [{ productId: world.productId, quantity: 2 }] }, cause(), {
    together: groups,
    limits: { maxOpenOrders },
  });

/** The transaction that inserted each order (PostgreSQL's xmin): one value for one commit; 'none' if not stored. */
export async function insertedBy(orm: Orm, orders: Placed[]): Promise<string[]> {
  const ids = orders.map((result) => (result.ok ? result.value.id : randomUUID()));
  const rows = await orm.em
    .fork()
    .execute<{ id: string; xmin: string }[]>('select id, xmin::text from orders where id = any(array[?]::uuid[])', [
      ids,
    ]);
  return ids.map((id) => rows.find((row) => row.id === id)?.xmin ?? 'none');
}

/**
 * An EntityManager whose transactions run their work and then lose the connection instead of
 * committing: a commit whose outcome the client cannot know.
 */
export function losingCommits(orm: Orm): EntityManager {
  const em = orm.em.fork();
  return Object.assign(Object.create(em), {
    fork() {
      const tx = em.fork();
      tx.transactional = (async (work: (tx: EntityManager) => Promise<unknown>) => {
        await work(tx);
        throw new Error('Connection terminated unexpectedly');
      }) as typeof tx.transactional;
      return tx;
    },
  }) as EntityManager;
}
