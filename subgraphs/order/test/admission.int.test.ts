import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Orm } from '@commerce-supergraph/shared/db/orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKLOG_SAMPLE_MS, PlaceOrderAdmission, type PlaceOrderAdmissionLimits } from '../src/domain/admission.js';
import { placeOrder } from '../src/domain/place-order.js';
import { confirmOrder } from '../src/domain/transitions.js';
import { Order, OrderStatus } from '../src/entities/index.js';
import { cause, openTestDatabase, priceProduct, type TestDatabase } from './helpers.js';

let db: TestDatabase;
let orm: Orm;
let productId: string;

beforeAll(async () => {
  db = await openTestDatabase();
  orm = db.orm;
  productId = (await priceProduct(orm)).id;
});
afterAll(() => db?.dispose());

const limits = (overrides: Partial<PlaceOrderAdmissionLimits>): PlaceOrderAdmissionLimits => ({
  maxConcurrent: 1,
  maxQueued: 0,
  maxWaitMs: 5_000,
  maxPending: 0,
  ...overrides,
});
const place = (customerId: string, before?: Promise<unknown>) => async () => {
  await before;
  return placeOrder(orm.em.fork(), customerId, { items: [{ productId, quantity: 1 }] }, cause());
};
const codes = (result: Awaited<ReturnType<ReturnType<typeof place>>>) =>
  result.ok ? [] : result.errors.map((e) => [e.field?.join('.'), e.code]);
const stored = (customerId: string) => orm.em.fork().count(Order, { customerId });

describe('placeOrder back-pressure', () => {
  it('refuses at once, storing nothing, a placement that finds no slot and no room to wait', async () => {
    const admission = new PlaceOrderAdmission(orm, limits({ maxQueued: 1 }));
    const customerId = randomUUID();
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const running = admission.run(place(customerId, held));
    const waiting = admission.run(place(customerId));
    const started = performance.now();
    const refused = await admission.run(place(customerId));
    expect(performance.now() - started).toBeLessThan(100);
    expect(codes(refused)).toEqual([['input', 'TOO_MANY_REQUESTS']]);
    release();
    expect((await running).ok && (await waiting).ok).toBe(true);
    expect(await stored(customerId)).toBe(2);
  });

  it('refuses a placement that waited maxWaitMs for a slot', async () => {
    const admission = new PlaceOrderAdmission(orm, limits({ maxQueued: 5, maxWaitMs: 150 }));
    const customerId = randomUUID();
    const running = admission.run(place(customerId, sleep(600)));
    const started = performance.now();
    expect(codes(await admission.run(place(customerId)))).toEqual([['input', 'TOO_MANY_REQUESTS']]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect((await running).ok).toBe(true);
    expect(await stored(customerId)).toBe(1);
  });

  it('refuses every placement while the saga holds maxPending PENDING orders, and admits again as it drains', async () => {
    const pendingNow = await orm.em.fork().count(Order, { status: OrderStatus.PENDING });
    const admission = new PlaceOrderAdmission(orm, limits({ maxConcurrent: 8, maxPending: pendingNow + 2 }));
    const customerId = randomUUID();
    const first = await admission.run(place(customerId));
    await sleep(BACKLOG_SAMPLE_MS);
    expect((await admission.run(place(customerId))).ok).toBe(true);
    await sleep(BACKLOG_SAMPLE_MS);
    const another = randomUUID();
    expect(codes(await admission.run(place(another)))).toEqual([['input', 'TOO_MANY_REQUESTS']]);
    expect(await stored(another)).toBe(0);

    // The product subgraph answered one: the backlog has room again at the next count.
    await confirmOrder(orm.em.fork(), first.ok ? first.value.id : '', cause());
    await sleep(BACKLOG_SAMPLE_MS);
    expect((await admission.run(place(another))).ok).toBe(true);
    expect(await stored(another)).toBe(1);
  });
});
