import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@commerce-supergraph/shared/logging';
import { currentRequestId, runInRequestScope } from '@commerce-supergraph/shared/request-scope';
import { UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { describe, expect, it, vi } from 'vitest';
import { lockCustomer } from '../src/domain/open-order-cap.js';
import { placeOrder } from '../src/domain/place-order.js';
import { GROUP_LOCK_WAIT_MS, PlacementGroups } from '../src/domain/placement-groups.js';
import { Order } from '../src/entities/index.js';
import { OrderSubjects } from '../src/events/contracts/published.js';
import { cause, outboxFor, silentLog, twoInstances } from './helpers.js';
import { codes, insertedBy, losingCommits, type Placed, placeVia, sortedAs, whileHeldUp } from './placement-helpers.js';

const world = twoInstances('5.00');

/** Each stored order has exactly its one created event: nothing of a failed group went out, nothing twice. */
async function oneCreatedEventEach(orders: Placed[]) {
  for (const result of orders) {
    if (!result.ok) continue;
    expect((await outboxFor(world.orm, result.value.id)).map(([subject]) => subject)).toEqual([OrderSubjects.created]);
  }
}

describe('placement groups: a group that fails', () => {
  it('runs each placement again alone when one of them throws, for the answer it would have had alone', async () => {
    const groups = new PlacementGroups(silentLog);
    const failing = sortedAs('8');
    const scopes: (string | undefined)[] = [];
    const { rest, failed } = await whileHeldUp(world, groups, () => [
      // Before the failing one in the group: its refusal must not come back twice from the second run.
      placeOrder(world.orm.em.fork(), sortedAs('0'), { items: [{ productId: randomUUID(), quantity: 0 }] }, cause(), {
        together: groups,
      }),
      runInRequestScope('the-failing-request', () =>
        groups.run(world.orm.em.fork(), failing, async (tx) => {
          scopes.push(currentRequestId());
          tx.create(Order, { customerId: failing, totalAmount: '1.00', currency: 'USD' });
          throw new Error('this placement fails');
        }),
      ),
      placeVia(world, groups, sortedAs('f')),
    ]);
    expect(failed.map((error) => error.message)).toEqual(['this placement fails']);
    expect(rest.map(codes)).toEqual([['INVALID', 'UNKNOWN_PRODUCT'], []]);
    // It ran twice (in the group, then alone), each time under its own request.
    expect(scopes).toEqual(['the-failing-request', 'the-failing-request']);
    expect(await world.orm.em.fork().count(Order, { customerId: failing })).toBe(0);
    expect(await insertedBy(world.orm, rest.slice(1))).not.toContain('none');
    await oneCreatedEventEach(rest);
  });

  it('runs each placement again alone when PostgreSQL refuses the commit: nothing of the group stays', async () => {
    const groups = new PlacementGroups(silentLog);
    const taken = randomUUID();
    await placeOrder(
      world.orm.em.fork(),
      taken,
      { items: [{ productId: world.productId, quantity: 1 }], idempotencyKey: 'cart' },
      cause(),
    );
    const { rest, failed } = await whileHeldUp<Placed | string>(world, groups, () => [
      placeVia(world, groups, sortedAs('1')),
      // Its row goes with the commit, where the key `taken` already used refuses it.
      groups.run(world.orm.em.fork(), sortedAs('5'), async (tx) => {
        tx.create(Order, { customerId: taken, totalAmount: '1.00', currency: 'USD', idempotencyKey: 'cart' });
        return 'never stored';
      }),
      placeVia(world, groups, sortedAs('e')),
    ]);
    expect(failed.map((error) => error instanceof UniqueConstraintViolationException)).toEqual([true]);
    const placed = rest.filter((result): result is Placed => typeof result !== 'string');
    expect(placed.map(codes)).toEqual([[], []]);
    const xmins = await insertedBy(world.orm, placed);
    expect(xmins).not.toContain('none');
    expect(xmins[0]).not.toBe(xmins[1]);
    await oneCreatedEventEach(placed);
    expect(await world.orm.em.fork().count(Order, { customerId: taken })).toBe(1);
  });

  it('lets the placements behind one whose customer is locked elsewhere go after the lock wait, not the lock', async () => {
    const groups = new PlacementGroups(silentLog);
    const locked = randomUUID();
    const { held, behind } = await world.other.em.fork().transactional(async (tx) => {
      await lockCustomer(tx, locked);
      const held = placeVia(world, groups, locked);
      await sleep(20);
      // Settles while the lock is still held, some GROUP_LOCK_WAIT_MS in; without the bound it waits for the lock.
      const behind = await Promise.race([placeVia(world, groups, randomUUID()), sleep(10 * GROUP_LOCK_WAIT_MS)]);
      return { held, behind };
    });
    expect(behind && codes(behind)).toEqual([]);
    // The held one went alone, and got its lock once the other transaction ended.
    expect(codes(await held)).toEqual([]);
  });

  it("keeps a customer's next placement out of the groups while its last one runs again alone", async () => {
    const log = { info: vi.fn() };
    const groups = new PlacementGroups(log as unknown as Logger);
    const customer = randomUUID();
    const [first, second] = await world.orm.em.fork().transactional(async (held) => {
      await lockCustomer(held, customer);
      const first = placeVia(world, groups, customer, 1);
      await sleep(2 * GROUP_LOCK_WAIT_MS); // its transaction gave up on the lock: it waits alone now
      // Two more queue behind a third customer's placement; the next group must not hold the second.
      let second: Promise<Placed> | undefined;
      let other: Promise<Placed> | undefined;
      await world.other.em.fork().transactional(async (tx) => {
        const blocker = randomUUID();
        await lockCustomer(tx, blocker);
        void placeVia(world, groups, blocker);
        await sleep(20);
        second = placeVia(world, groups, customer, 1);
        other = placeVia(world, groups, randomUUID());
        await sleep(20);
      });
      expect(codes(await (other as Promise<Placed>))).toEqual([]);
      return [first, second as Promise<Placed>];
    });
    // The second counted the first: it waited for the first's end, not beside it in a group.
    expect([codes(await first), codes(await second)]).toEqual([[], ['TOO_MANY_OPEN_ORDERS']]);
    expect(log.info).not.toHaveBeenCalled();
  });

  it('gives a placement alone its own error, run once, as before there were groups', async () => {
    const groups = new PlacementGroups(silentLog);
    let runs = 0;
    const alone = groups.run(world.orm.em.fork(), randomUUID(), async () => {
      runs += 1;
      throw new Error('this placement fails');
    });
    await expect(alone).rejects.toThrow('this placement fails');
    expect(runs).toBe(1);
  });

  it('gives every placement the error, and runs none again, when the commit may have gone through', async () => {
    const groups = new PlacementGroups(silentLog);
    const losing = losingCommits(world.orm);
    let runs = 0;
    const work = async () => {
      runs += 1;
      return 'placed';
    };
    const { rest, failed } = await whileHeldUp(world, groups, () => [
      groups.run(losing, sortedAs('2'), work),
      groups.run(losing, sortedAs('3'), work),
    ]);
    expect(rest).toEqual([]);
    expect(failed.map((error) => error.message)).toEqual([
      'Connection terminated unexpectedly',
      'Connection terminated unexpectedly',
    ]);
    expect(runs).toBe(2);
  });
});
