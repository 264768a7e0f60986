import { randomBytes } from 'node:crypto';
import { createLogger } from '@commerce-supergraph/shared/logging';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryResponseStore, RedisResponseStore, type ResponseStore } from '../src/response-store.js';

/** Both stores keep the same promises; the Redis one against the real Redis, under a prefix of this run's own. */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const log = createLogger('response-store-test', { LOG_LEVEL: 'silent' });
const stores: ResponseStore[] = [];
afterAll(() => Promise.all(stores.map((store) => store.close())));

const makers: [string, () => ResponseStore][] = [
  ['in-process', () => new MemoryResponseStore()],
  ['Redis', () => new RedisResponseStore(REDIS_URL, `test:response-store:${randomBytes(6).toString('hex')}:`, log)],
];

describe.each(makers)('the %s response store', (_name, make) => {
  const open = async () => {
    const store = make();
    stores.push(store);
    await connected(store);
    return store;
  };

  it('gives back what was kept under each key, in the order asked, and undefined for the rest', async () => {
    const store = await open();
    await store.setMany(
      [
        ['a', '{"name":"a"}'],
        ['b', 'null'],
      ],
      60_000,
    );
    expect(await store.getMany(['b', 'missing', 'a'])).toEqual(['null', undefined, '{"name":"a"}']);
  });

  it('forgets an entry after its TTL', async () => {
    const store = await open();
    await store.setMany([['short', '1']], 50);
    expect(await store.getMany(['short'])).toEqual(['1']);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(await store.getMany(['short'])).toEqual([undefined]);
  });

  it('forgets everything on clear, and only its own keys', async () => {
    const store = await open();
    const other = await open();
    await store.setMany([['k', 'mine']], 60_000);
    await other.setMany([['k', 'theirs']], 60_000);
    await store.clear();
    expect(await store.getMany(['k'])).toEqual([undefined]);
    expect(await other.getMany(['k'])).toEqual(['theirs']);
  });
});

describe('the Redis response store with Redis away', () => {
  it('misses instead of failing, and skips writes', async () => {
    const store = new RedisResponseStore('redis://127.0.0.1:1', 'test:away:', log);
    stores.push(store);
    await store.setMany([['k', 'v']], 60_000);
    expect(await store.getMany(['k', 'j'])).toEqual([undefined, undefined]);
  });
});

/** The Redis store fails commands at once while it connects (no offline queue): wait until one goes through. */
async function connected(store: ResponseStore): Promise<void> {
  const started = Date.now();
  for (;;) {
    await store.setMany([['probe', '1']], 1_000);
    if ((await store.getMany(['probe']))[0] === '1') return;
    if (Date.now() - started > 5_000) throw new Error('the store did not connect within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
