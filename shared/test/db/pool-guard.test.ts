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
  await connection.query('select 1');
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

it("holds a transaction's begin back and sends it in one message with the first statement", async () => {
  const sent: string[] = [];
  const { lease } = guarded(async (text) => {
    sent.push(text);
    // pg answers a message of several statements with one result each.
    return text.includes(';') ? [{ command: 'BEGIN', rows: [] }, { rows: [{ one: 1 }] }] : { rows: [{ two: 2 }] };
  });
  const connection = await lease();
  expect(await connection.query('begin', [])).toMatchObject({ command: 'BEGIN', rows: [] });
  expect(sent).toEqual([]);
  expect(await connection.query('select 1 as one', [])).toEqual({ rows: [{ one: 1 }] });
  expect(await connection.query('commit', [])).toEqual({ rows: [{ two: 2 }] });
  expect(sent).toEqual(['begin;\nselect 1 as one', 'commit']);
});

it('sends a held begin ahead of a statement with parameters, and nothing for an empty transaction', async () => {
  const sent: unknown[][] = [];
  const client = guarded(async () => ({ rows: [] }));
  client.client.query = ((text: string, values?: unknown[]) => {
    sent.push(values === undefined ? [text] : [text, values]);
    return Promise.resolve({ rows: [] });
  }) as never;
  const connection = await client.lease();
  await connection.query('start transaction isolation level serializable', []);
  await connection.query('select $1::int', [7]);
  await connection.query('commit', []);
  expect(sent).toEqual([['start transaction isolation level serializable'], ['select $1::int', [7]], ['commit', []]]);

  sent.length = 0;
  await connection.query('begin', []);
  expect(await connection.query('rollback', [])).toMatchObject({ command: 'ROLLBACK' });
  await connection.query('begin', []);
  await connection.query('commit', []);
  expect(sent).toEqual([]);
  // A begin left held when the connection goes back opened nothing: the next lease starts clean.
  await connection.query('begin', []);
  connection.release();
  const next = await client.lease();
  await next.query('select 2', []);
  expect(sent).toEqual([['select 2', []]]);
});
