import { EventEmitter } from 'node:events';
import { expect, it } from 'vitest';
import { waitingCallbacks, withNextThen } from '../../src/db/held-results.js';
import { withNext } from '../../src/db/held-statements.js';
import { guardPool, isGuarded } from '../../src/db/pool-guard.js';
import { CommitRefused } from '../../src/db/refused.js';
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

function guarded(
  answer: (text: string) => Promise<unknown>,
  queryDeadlineMs = 1_000,
  convertError?: (error: Error) => Error,
) {
  const client = new FakeClient(answer);
  const pool = {
    connect: (callback?: (error: undefined, raw: FakeClient) => void) =>
      callback ? callback(undefined, client) : Promise.resolve(client),
  };
  guardPool(pool as never, { queryDeadlineMs, log: silentLog(), convertError });
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

/** A guarded pool whose client records each query as [text] or [text, values]. */
function recording() {
  const sent: unknown[][] = [];
  const client = guarded(async () => ({ rows: [] }));
  client.client.query = ((text: string, values?: unknown[]) => {
    sent.push(values === undefined ? [text] : [text, values]);
    return Promise.resolve({ rows: [] });
  }) as never;
  return { sent, client };
}

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
  const { sent, client } = recording();
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

const ORDER = `insert into "orders" ("id", "note") values ('o1', 'a (b); c')`;
const LINE = `insert into "order_items" ("id", "order_id") values ('i1', 'o1'), ('i2', 'o1')`;

it("holds MikroORM's plain inserts in a transaction and sends them with the next statement", async () => {
  const sent: string[] = [];
  const { lease } = guarded(async (text) => {
    sent.push(text);
    return text.includes(';')
      ? [
          { command: 'INSERT', rows: [] },
          { command: 'COMMIT', rows: [] },
        ]
      : { rows: [] };
  });
  const connection = await lease();
  // Outside a transaction an insert is the whole unit of work: it goes at once.
  await connection.query(ORDER, []);
  expect(sent).toEqual([ORDER]);

  sent.length = 0;
  await connection.query('begin', []);
  // Answered at once, as pg answers an insert without returning (MikroORM reads nothing else).
  expect(await connection.query(ORDER, [])).toMatchObject({ command: 'INSERT', rowCount: 1, rows: [] });
  await connection.query(LINE, []);
  expect(sent).toEqual([]);
  expect(await connection.query('commit', [])).toEqual({ command: 'COMMIT', rows: [] });
  expect(sent).toEqual([`begin;\n${ORDER};\n${LINE};\ncommit`]);

  // One whose result is read (returning, on conflict) goes out with what is held, in order.
  sent.length = 0;
  const outbox = `insert into "outbox_messages" ("id") values ('e1') returning "created_at"`;
  const upsert = `insert into "prices" ("id") values ('p1') on conflict do nothing`;
  await connection.query('begin', []);
  await connection.query(ORDER, []);
  await connection.query(outbox, []);
  await connection.query(upsert, []);
  await connection.query(LINE, []);
  await connection.query('commit', []);
  expect(sent).toEqual([`begin;\n${ORDER};\n${outbox}`, upsert, `${LINE};\ncommit`]);
});

it('holds a statement marked withNext like a plain insert, in a transaction only', async () => {
  const { sent, client } = recording();
  const connection = await client.lease();
  const update = withNext(`update "products" set reserved = reserved + 1 where id = 'p1'`);
  // Outside a transaction it is the whole unit of work: it goes at once.
  await connection.query(update, []);
  expect(sent).toEqual([[update, []]]);
  sent.length = 0;
  await connection.query('begin', []);
  expect(await connection.query(update, [])).toMatchObject({ command: 'HELD', rows: [] });
  await connection.query(ORDER, []);
  await connection.query('commit', []);
  expect(sent).toEqual([[`begin;\n${update};\n${ORDER};\ncommit`, []]]);
});

it('drops held inserts on rollback, and sends them ahead of a statement with parameters', async () => {
  const { sent, client } = recording();
  const connection = await client.lease();
  await connection.query('begin', []);
  await connection.query(ORDER, []);
  expect(await connection.query('rollback', [])).toMatchObject({ command: 'ROLLBACK' });
  expect(sent).toEqual([]);

  await connection.query('begin', []);
  await connection.query('select 1', []);
  await connection.query(ORDER, []);
  await connection.query('rollback', []);
  await connection.query('begin', []);
  await connection.query(ORDER, []);
  await connection.query('select $1::int', [7]);
  await connection.query('commit', []);
  expect(sent).toEqual([
    ['begin;\nselect 1', []],
    ['rollback', []],
    [`begin;\n${ORDER}`],
    ['select $1::int', [7]],
    ['commit', []],
  ]);
});

it('reports a held insert that fails on the commit as the ORM would, and keeps the connection', async () => {
  // As pg reports PostgreSQL's own errors: a SQLSTATE and a severity.
  const duplicate = Object.assign(new Error('duplicate key value violates unique constraint'), {
    code: '23505',
    severity: 'ERROR',
  });
  const converted = new Error('converted');
  const sent: string[] = [];
  let failure: Error = duplicate;
  const { client, lease } = guarded(
    async (text) => {
      sent.push(text);
      if (text.includes(ORDER)) throw failure;
      return { rows: [] };
    },
    1_000,
    (error) => (error === duplicate ? converted : error),
  );
  const connection = await lease();
  await connection.query('begin', []);
  await connection.query('select 1', []);
  await connection.query(ORDER, []);
  await expect(connection.query('commit', [])).rejects.toBe(converted);
  // The transaction is aborted, not lost: the caller's rollback ends it on the same connection.
  expect(client.releases).toEqual([]);
  await connection.query('rollback', []);
  expect(sent.at(-1)).toBe('rollback');

  // Any statement carrying it gets it converted (the ORM converts a select's error again: same class).
  await connection.query('begin', []);
  await connection.query(ORDER, []);
  await expect(connection.query('select 2', [])).rejects.toBe(converted);
  await connection.query('rollback', []);

  // A connection that failed under it is discarded, as for any failed commit.
  await connection.query('begin', []);
  await connection.query('select 3', []);
  await connection.query(ORDER, []);
  failure = new Error('Connection terminated unexpectedly');
  await expect(connection.query('commit', [])).rejects.toBe(failure);
  expect(client.releases).toHaveLength(1);
});

it('discards a connection whose held statements met a socket error, though its code looks like a SQLSTATE', async () => {
  // A write to a socket the server closed: five capital letters, as a SQLSTATE is, but no severity.
  const brokenPipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE', errno: -32, syscall: 'write' });
  const { client, lease } = guarded(async (text) => {
    if (text.includes(ORDER)) throw brokenPipe;
    return { rows: [] };
  });
  const connection = await lease();
  await connection.query('begin', []);
  await connection.query('select 1', []);
  await connection.query(ORDER, []);
  await expect(connection.query('commit', [])).rejects.toBe(brokenPipe);
  expect(client.releases).toHaveLength(1);
  expect(client.releases[0]).toBe(brokenPipe);
});

it('refuses a commit PostgreSQL answered with ROLLBACK: the transaction had failed', async () => {
  const { client, lease } = guarded(async (text) =>
    text === 'commit' ? { command: 'ROLLBACK', rows: [] } : { rows: [] },
  );
  const connection = await lease();
  await connection.query('begin', []);
  await connection.query('select 1', []);
  await expect(connection.query('commit', [])).rejects.toThrow(CommitRefused);
  // The transaction is over either way: the connection is fine and stays.
  expect(client.releases).toEqual([]);
  expect(await connection.query('rollback', [])).toEqual({ rows: [] });
});

/** Answers each statement of a message (split on `;\n`) as PostgreSQL would: `returning` gives its row. */
function perStatement(commitAnswer = 'COMMIT') {
  const sent: string[] = [];
  const answer = async (text: string) => {
    sent.push(text);
    const results = text.split(';\n').map((statement) => ({
      command: /^commit/.test(statement) ? commitAnswer : 'OTHER',
      rows: /returning/.test(statement) ? [{ said: statement.replace(/^\/\*.*?\*\/ /, '') }] : [],
    }));
    return results.length === 1 ? results[0] : results;
  };
  return { sent, answer };
}

it('hands a withNextThen statement its rows once its transaction commits, and never without a commit', async () => {
  const { sent, answer } = perStatement();
  const { lease } = guarded(answer);
  const connection = await lease();
  const told: unknown[] = [];
  const held = withNextThen('update t set n = n + 1 returning n', (rows) => told.push(rows));
  await connection.query('begin', []);
  expect(await connection.query(held.sql, [])).toMatchObject({ command: 'HELD', rows: [] });
  // Carried by a read before the commit: its rows wait for the commit.
  await connection.query('select 1', []);
  expect(told).toEqual([]);
  await connection.query('commit', []);
  expect(told).toEqual([[{ said: 'update t set n = n + 1 returning n' }]]);
  expect(sent).toEqual([`begin;\n${held.sql};\nselect 1`, 'commit']);

  // Rolled back: nothing, whether it was sent or still held.
  for (const read of [true, false]) {
    const dropped = withNextThen('update t set n = 0 returning n', (rows) => told.push(rows));
    await connection.query('begin', []);
    await connection.query(dropped.sql, []);
    if (read) await connection.query('select 1', []);
    await connection.query('rollback', []);
  }
  // Outside a transaction the statement is its own commit: told with the answer.
  await connection.query(withNextThen('delete from t returning n', (rows) => told.push(rows)).sql, []);
  expect(told).toEqual([[{ said: 'update t set n = n + 1 returning n' }], [{ said: 'delete from t returning n' }]]);
  expect(waitingCallbacks()).toBe(0);
});

it('tells no withNextThen statement of a commit PostgreSQL answered with ROLLBACK', async () => {
  const { answer } = perStatement('ROLLBACK');
  const { lease } = guarded(answer);
  const connection = await lease();
  const told: unknown[] = [];
  await connection.query('begin', []);
  await connection.query(withNextThen('update t set n = 1 returning n', (rows) => told.push(rows)).sql, []);
  await expect(connection.query('commit', [])).rejects.toThrow(CommitRefused);
  expect(told).toEqual([]);
});

it('drops the rows of what a rollback to a savepoint undid, keeps the rest, and forgets all on release', async () => {
  const { sent, answer } = perStatement();
  const { lease } = guarded(answer);
  const connection = await lease();
  const told: unknown[] = [];
  const held = (n: number) => withNextThen(`update t set n = ${n} returning n`, (rows) => told.push(rows)).sql;
  await connection.query('begin', []);
  await connection.query(held(1), []);
  await connection.query(held(2), []);
  // Both go out with the savepoint, one result each: they come before it, and stay.
  await connection.query('savepoint "trx1"', []);
  await connection.query(held(3), []);
  await connection.query('select 1', []);
  await connection.query(held(4), []);
  // 3 went out with the read, 4 is still held: the rollback undoes both, and 4 is not even sent.
  await connection.query('rollback to "trx1"', []);
  await connection.query('commit', []);
  expect(told).toEqual([[{ said: 'update t set n = 1 returning n' }], [{ said: 'update t set n = 2 returning n' }]]);
  expect(sent.join('\n')).not.toContain('n = 4');

  // Waiting for a commit that never comes: the connection goes back to the pool.
  told.length = 0;
  await connection.query('begin', []);
  await connection.query(held(5), []);
  await connection.query('select 1', []);
  connection.release();
  expect(told).toEqual([]);
  expect(waitingCallbacks()).toBe(0);
});
