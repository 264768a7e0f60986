import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { lockCustomer } from '../src/domain/open-order-cap.js';
import { placeOrder } from '../src/domain/place-order.js';
import { PlacementGroups } from '../src/domain/placement-groups.js';
import { Order } from '../src/entities/index.js';
import { OrderSubjects } from '../src/events/contracts/published.js';
import { cause, outboxFor, twoInstances } from './helpers.js';

const world = twoInstances('5.00');

type Placed = Awaited<ReturnType<typeof placeOrder>>;
const codes = (result: Placed) => (result.ok ? [] : result.errors.map((e) => e.code));

/**
 * Placements through `groups` that arrive while another customer's placement is held up (its
 * customer lock taken by another connection): they wait, then go together once it is let go.
 */
async function whileHeldUp(groups: PlacementGroups, send: () => Promise<Placed>[]) {
  const blocker = randomUUID();
  let first: Promise<Placed> | undefined;
  let rest: Promise<Placed>[] = [];
  await world.other.em.fork().transactional(async (tx) => {
    await lockCustomer(tx, blocker);
    first = placeOrder(
      world.orm.em.fork(),
      blocker,
      { items: [{ productId: world.productId, quantity: 1 }] },
      cause(),
      { together: groups },
    );
    await sleep(100); // the first is now waiting for the lock, alone in its transaction
    rest = send();
    await sleep(100); // and the rest are waiting for it
  });
  const settled = await Promise.allSettled(rest);
  const failed = settled.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as Error] : []));
  const answers = settled.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
  return { first: await (first as Promise<Placed>), rest: answers, failed };
}

const place = (groups: PlacementGroups, customerId: string, maxOpenOrders = 10, product = world.productId) =>
  placeOrder(world.orm.em.fork(), customerId, { items: [{ productId: product, quantity: 2 }] }, cause(), {
    together: groups,
    limits: { maxOpenOrders },
  });

/** The transaction that inserted each order (PostgreSQL's xmin): one value for one commit. */
async function insertedBy(orders: Placed[]): Promise<string[]> {
  const ids = orders.map((result) => (result.ok ? result.value.id : 'refused'));
  const rows = await world.orm.em
    .fork()
    .execute<{ id: string; xmin: string }[]>(`select id, xmin::text from orders where id = any(array[?]::uuid[])`, [
      ids.filter((id) => id !== 'refused'),
    ]);
  return ids.map((id) => rows.find((row) => row.id === id)?.xmin ?? 'none');
}

describe('placement groups (group commit of placeOrder)', () => {
  it('commits the placements that waited together in one transaction, each with its own order and event', async () => {
    const groups = new PlacementGroups();
    const customers = Array.from({ length: 5 }, () => randomUUID());
    const { first, rest } = await whileHeldUp(groups, () => customers.map((c) => place(groups, c)));

    expect(rest.every((result) => result.ok)).toBe(true);
    const [firstXmin] = await insertedBy([first]);
    const xmins = await insertedBy(rest);
    expect(new Set(xmins).size).toBe(1);
    expect(xmins[0]).not.toBe(firstXmin);
    for (const [i, result] of rest.entries()) {
      if (!result.ok) continue;
      expect(result.value).toMatchObject({ customerId: customers[i], totalAmount: '10.00' });
      const [[subject, data] = []] = await outboxFor(world.orm, result.value.id);
      expect([subject, data?.customerId]).toEqual([OrderSubjects.created, customers[i]]);
    }
  });

  it('keeps a refusal its own: the others are stored, the refused placement stores nothing', async () => {
    const groups = new PlacementGroups();
    const atCap = randomUUID();
    await place(groups, atCap, 1);
    const unknown = randomUUID();
    const { rest } = await whileHeldUp(groups, () => [
      place(groups, atCap, 1),
      place(groups, unknown, 10, randomUUID()),
      place(groups, randomUUID()),
      place(groups, randomUUID()),
    ]);
    expect(rest.map(codes)).toEqual([['TOO_MANY_OPEN_ORDERS'], ['UNKNOWN_PRODUCT'], [], []]);
    const xmins = await insertedBy(rest.slice(2));
    expect(xmins[0]).toBe(xmins[1]);
    expect(await world.orm.em.fork().count(Order, { customerId: [atCap, unknown] })).toBe(1);
  });

  it('puts one placement per customer in a group, so the next one counts the first at the cap', async () => {
    const groups = new PlacementGroups();
    const customerId = randomUUID();
    const { rest } = await whileHeldUp(groups, () => [place(groups, customerId, 1), place(groups, customerId, 1)]);
    expect(rest.map(codes)).toEqual([[], ['TOO_MANY_OPEN_ORDERS']]);
    expect(await world.orm.em.fork().count(Order, { customerId })).toBe(1);
  });

  it('runs each placement of a failed group again alone: the others are stored, the failing one gets its error', async () => {
    const groups = new PlacementGroups();
    const failing = randomUUID();
    const { rest, failed } = await whileHeldUp(groups, () => [
      place(groups, randomUUID()),
      groups.run(world.orm.em.fork(), failing, async (tx) => {
        // It writes, then fails: none of its rows may stay, in the group or alone.
        tx.create(Order, { customerId: failing, totalAmount: '1.00', currency: 'USD' });
        throw new Error('this placement fails');
      }),
      place(groups, randomUUID()),
    ]);
    expect(failed.map((error) => error.message)).toEqual(['this placement fails']);
    // The two others were stored, each in its own transaction once the group failed.
    expect(rest.map(codes)).toEqual([[], []]);
    const xmins = await insertedBy(rest);
    expect(xmins).not.toContain('none');
    expect(xmins[0]).not.toBe(xmins[1]);
    expect(await world.orm.em.fork().count(Order, { customerId: failing })).toBe(0);
  });
});
