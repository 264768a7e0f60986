/**
 * A transaction's `begin`, held back and sent in one message with the transaction's first
 * statement: one round trip to PostgreSQL instead of two. A round trip costs tens of µs of CPU on
 * each side (`npm run bench:db`; the socket writes of queries are a fifth to a third of a subgraph's
 * busy time in bench:orders profiles), and every event handling and mutation is a transaction.
 *
 * Safe because MikroORM sends every statement as text with its parameters inlined (PostgreSQL's
 * simple query protocol), where a message may hold several statements: `begin` opens the
 * transaction block and the statement runs in it, exactly as if sent apart. A statement sent with
 * parameters (the extended protocol, one statement a message) gets the `begin` queued ahead of it
 * on the same connection instead. A transaction ended before any statement reached the server
 * (commit or rollback of an empty one) is answered without a round trip: there is nothing to end.
 */

/** The statements Kysely (under MikroORM) opens a transaction with: `begin`, or `start transaction ...`. */
const BEGIN = /^\s*(begin|start\s+transaction)\b/i;
const END = /^\s*(commit|rollback)\s*;?\s*$/i;

/** What pg answers for a statement that returns no rows; Kysely reads `command`, `rowCount` and `rows`. */
const answered = (command: string) => ({ command, rowCount: null, rows: [], fields: [] });

export type Send = (text: string, values?: unknown) => Promise<unknown>;

export class DeferredBegin {
  #pending: string | undefined;

  /** `enabled` false sends every statement as it comes: only to measure the difference (bench:db). */
  constructor(private readonly enabled = true) {}

  /**
   * Sends `text` with `send`, unless it is a `begin` (held back) or it ends a transaction whose
   * `begin` is still held back. A pending `begin` goes out with the statement.
   */
  query(send: Send, text: string, values: unknown): Promise<unknown> {
    const plain = values === undefined || (Array.isArray(values) && values.length === 0);
    if (this.#pending === undefined) {
      if (this.enabled && plain && BEGIN.test(text)) {
        this.#pending = text;
        return Promise.resolve(answered('BEGIN'));
      }
      return send(text, values);
    }
    const begin = this.#pending;
    this.#pending = undefined;
    const end = END.exec(text);
    if (end) return Promise.resolve(answered((end[1] as string).toUpperCase()));
    if (plain) return send(`${begin};\n${text}`, values);
    // pg sends a connection's queries one after the other, in the order asked: the begin goes first.
    // Should it fail, the connection is broken and the statement behind it fails too.
    send(begin).catch(() => undefined);
    return send(text, values);
  }

  /** Sends a held `begin` now: before a statement that is not plain text (a cursor). */
  flush(send: Send): Promise<unknown> | undefined {
    const begin = this.#pending;
    this.#pending = undefined;
    return begin === undefined ? undefined : send(begin);
  }

  /** The connection goes back to the pool: a `begin` never sent opened nothing. */
  reset(): void {
    this.#pending = undefined;
  }
}

/**
 * A message of several statements answers with one result each; the caller (Kysely, MikroORM) reads
 * one, so it gets the last: the statement it sent, after a `begin`, or the last of `inOneTrip`.
 */
export const lastResult = (result: unknown): unknown => (Array.isArray(result) ? result.at(-1) : result);
