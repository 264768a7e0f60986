import type { MikroORM } from '@mikro-orm/postgresql';

type Query = (this: unknown, ...args: unknown[]) => unknown;

/**
 * The messages `run` sent to PostgreSQL through `orm`'s pool, in order: one per round trip (what
 * the connection guard holds goes out inside the next one, held-statements.ts). For tests that pin
 * a hot path's round trips. It watches pg's client class, so anything else querying in this
 * process meanwhile is counted too: run nothing beside it.
 */
export async function messagesSent(orm: MikroORM, run: () => Promise<unknown>): Promise<string[]> {
  const pool = (await orm.em.getConnection().getNativeClient()) as { Client: { prototype: { query: Query } } };
  const client = pool.Client.prototype;
  const query = client.query;
  const sent: string[] = [];
  client.query = function (this: unknown, ...args: unknown[]) {
    const [first] = args;
    sent.push(typeof first === 'string' ? first : String((first as { text?: unknown })?.text ?? ''));
    return query.apply(this, args);
  };
  try {
    await run();
  } finally {
    client.query = query;
  }
  return sent;
}
