import { randomUUID } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { placeOrder } from '../src/domain/place-order.js';
import { PlacementGroups } from '../src/domain/placement-groups.js';
import { Order } from '../src/entities/index.js';
import { OrderSubjects } from '../src/events/contracts/published.js';
import { cause, outboxFor, priceProduct, silentLog, twoInstances } from './helpers.js';
import { codes, insertedBy, placeVia, whileHeldUp } from './placement-helpers.js';

const world = twoInstances('5.00');

describe('placement groups (group commit of placeOrder)', () => {
  it('commits the placements that waited together in one transaction, each with its own order and event', async () => {
    const groups = new PlacementGroups(silentLog);
    const customers = Array.from({ length: 5 }, () => randomUUID());
    const { first, rest } = await whileHeldUp(world, groups, () => customers.map((c) => placeVia(world, groups, c)));

    expect(rest.every((result) => result.ok)).toBe(true);
    const [firstXmin] = await insertedBy(world.orm, [first]);
    const xmins = await insertedBy(world.orm, rest);
    expect(new Set(xmins).size).toBe(1);
    expect(xmins[0]).not.toBe('none');
    expect(xmins[0]).not.toBe(firstXmin);
    for (const [i, result] of rest.entries()) {
      if (!result.ok) continue;
      expect(result.value).toMatchObject({ customerId: customers[i], totalAmount: '10.00' });
      expect(
        (await outboxFor(world.orm, result.value.id)).map(([subject, data]) => [subject, data.customerId]),
      ).toEqual([[OrderSubjects.created, customers[i]]]);
    }
  });

  it('keeps a refusal its own: the others are stored, the refused placement stores nothing', async () => {
    const groups = new PlacementGroups(silentLog);
    const atCap = randomUUID();
    await placeVia(world, groups, atCap, 1);
    const retired = await priceProduct(world.orm, { active: false });
    const unknown = randomUUID();
    const { rest } = await whileHeldUp(world, groups, () => [
      placeVia(world, groups, atCap, 1),
      placeVia({ ...world, productId: retired.id }, groups, unknown),
      placeVia(world, groups, randomUUID()),
      placeVia(world, groups, randomUUID()),
    ]);
    expect(rest.map(codes)).toEqual([['TOO_MANY_OPEN_ORDERS'], ['UNKNOWN_PRODUCT'], [], []]);
    const xmins = await insertedBy(world.orm, rest.slice(2));
    expect(xmins[0]).toBe(xmins[1]);
    expect(await world.orm.em.fork().count(Order, { customerId: [atCap, unknown] })).toBe(1);
  });

  it('puts one placement per customer in a group, so the next one counts the first at the cap', async () => {
    const groups = new PlacementGroups(silentLog);
    const customerId = randomUUID();
    const { rest } = await whileHeldUp(world, groups, () => [
      placeVia(world, groups, customerId, 1),
      placeVia(world, groups, customerId, 1),
    ]);
    expect(rest.map(codes)).toEqual([[], ['TOO_MANY_OPEN_ORDERS']]);
    expect(await world.orm.em.fork().count(Order, { customerId })).toBe(1);
  });

  it("joins a caller's open transaction rather than a group's: the caller's rollback takes the order too", async () => {
    const groups = new PlacementGroups(silentLog);
    const runs = vi.spyOn(groups, 'run');
    const customerId = randomUUID();
    const rolledBack = world.orm.em.fork().transactional(async (tx) => {
      const placed = await placeOrder(
        tx,
        customerId,
        { items: [{ productId: world.productId, quantity: 1 }] },
        cause(),
        {
          together: groups,
        },
      );
      expect(placed.ok).toBe(true);
      throw new Error('the caller changes its mind');
    });
    await expect(rolledBack).rejects.toThrow('the caller changes its mind');
    expect(runs).not.toHaveBeenCalled();
    expect(await world.orm.em.fork().count(Order, { customerId })).toBe(0);
  });
});
