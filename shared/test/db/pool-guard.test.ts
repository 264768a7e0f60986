import { EventEmitter } from 'node:events';
import { expect, it } from 'vitest';
import { guardPool, isGuarded } from '../../src/db/pool-guard.js';
import { silentLog } from '../events/helpers.js';

/** A pg client stand-in: answers each query with `answer(text)`, records releases. */
class FakeClient extends EventEmitter {
  readonly releases: unknown[] = [];
  destroyed = false;
  readonly connection = { stream: { destroy: () => (this.destroyed = true) } };
  constructor(private readonly answer: (text: string) => Promise<unknown>) {
    super();
  }
  query(text: string) {
    return this.answer(text);
  }
  release(error?: unknown) {
    this.releases.push(error);
  }
}

function guarded(answer: (text: string) => Promise<unknown>, queryDeadlineMs = 1_000) {
  const client = new FakeClient(answer);
  const pool = {
    connect: (callback?: (error: undefined, raw: FakeClient) => void) =>
      callback ? callback(undefined, client) : Promise.resolve(client),
  };
  guardPool(pool as never, { queryDeadlineMs, log: silentLog() });
  expect(isGuarded(pool)).toBe(true);
  return {
    client,
    lease: () => (pool.connect as () => Promise<any>)(),
    withCallback: () => new Promise((resolve) => pool.connect((_error, raw) => resolve(raw))),
  };
}

it('gives a connection whose rollback failed back to the pool, as broken, exactly once', async () => {
  const { client, lease } = guarded(async (text) => {
    if (text === 'rollback') throw new Error('Client has encountered a connection error and is not queryable');
    return { rows: [] };
  });
  const connection = await lease();
  await connection.query('begin');
  await expect(connection.query('rollback')).rejects.toThrow(/not queryable/);
  // Discarded at once: released with the error, so pg destroys it and frees its slot.
  expect(client.releases).toHaveLength(1);
  expect(client.releases[0]).toBeInstanceOf(Error);
  connection.release(); // whoever holds it may still release it: a no-op
  expect(client.releases).toHaveLength(1);
  await expect(connection.query('select 1')).rejects.toThrow(/Cannot query a connection discarded/);
});

it('discards a connection that dies while checked out, and one whose query passes the deadline', async () => {
  const dying = guarded(async () => ({ rows: [] }));
  const first = await dying.lease();
  dying.client.emit('error', new Error('Connection terminated unexpectedly'));
  expect(dying.client.releases).toHaveLength(1);
  expect(dying.client.destroyed).toBe(true);

  const hanging = guarded(() => new Promise(() => undefined), 50);
  const second = await hanging.lease();
  void second.query('select pg_sleep(60)');
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(hanging.client.destroyed).toBe(true);
  expect(String(hanging.client.releases[0])).toMatch(/did not answer within 50 ms/);
  first.release();
  expect(dying.client.releases).toHaveLength(1);
});

it('returns a healthy connection to the pool as it is, and leaves the callback form alone', async () => {
  const { client, lease, withCallback } = guarded(async () => ({ rows: [{ one: 1 }] }));
  const connection = await lease();
  expect(await connection.query('select 1')).toEqual({ rows: [{ one: 1 }] });
  connection.release();
  expect(client.releases).toEqual([undefined]);
  // pg's pool.query() uses the callback form and releases by itself: it gets the client unwrapped.
  expect(await withCallback()).toBe(client);
});
