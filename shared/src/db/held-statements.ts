import { type AfterCommit, CommitCallbacks, takeAfterCommit } from './held-results.js';

/**
 * Statements held back and sent in one message with the next one, to save round trips to
 * PostgreSQL. On the saga's hot path a round trip costs tens of µs of CPU on each side
 * (`npm run bench:db`) and, in `bench:orders`, 0.5 to 1 ms of an order's wall time: every hop wakes
 * another process. Three kinds are held:
 *
 * - a transaction's `begin`, sent with the transaction's first statement; a transaction ended
 *   before any statement reached the server (commit or rollback of an empty one) sends nothing;
 * - inside a transaction, an `insert into "table" (...) values (...)` without `returning` or
 *   `on conflict`: the shape of MikroORM's flush inserts whose result it does not read (it reads an
 *   insert's rows only for `returning`, and no count). It is answered at once and sent with the
 *   next statement, usually the `commit`: `placeOrder`'s order and lines go out with it;
 * - inside a transaction, a statement its caller marked as one whose result it does not read
 *   (`withNext`): held and answered the same way. A reservation's stock update goes with its commit;
 *   one whose caller reads its rows after the commit (`withNextThen`, held-results.ts) is held too,
 *   and may match nothing: a confirmation's update, with its event's insert, goes with the commit.
 *
 * Safe because MikroORM sends every statement as text with its parameters inlined (PostgreSQL's
 * simple query protocol), where a message may hold several statements, run in order in the open
 * transaction exactly as if sent apart. A statement sent with parameters (the extended protocol,
 * one statement a message) gets what is held queued ahead of it on the same connection instead.
 *
 * What changes: a held insert that fails (a unique key taken) fails the statement it went out with,
 * with the same error, and nothing of the transaction commits. pool-guard.ts converts such an error
 * as MikroORM converts a statement's (MikroORM itself converts none of a `commit`'s), so
 * `UniqueConstraintViolationException` still reaches the code that handles it, and keeps the
 * connection: the caller's rollback follows. A failed unit of work also clears its EntityManager
 * (unit-of-work.ts), which MikroORM filled from the flush before the commit refused it.
 */

/** The statements Kysely (under MikroORM) opens a transaction with: `begin`, or `start transaction ...`. */
const BEGIN = /^\s*(begin|start\s+transaction)\b/i;
const END = /^\s*(commit|rollback)\s*;?\s*$/i;
/** Kysely's savepoint statements (MikroORM's nested transactions): `savepoint "trx1"`, `rollback to "trx1"`. */
const SAVEPOINT = /^\s*savepoint\s+(\S+)\s*$/i;
const ROLLBACK_TO = /^\s*rollback\s+to\s+(?:savepoint\s+)?(\S+)\s*$/i;
/** MikroORM's insert (a quoted table, a values list); `returning` or `on conflict` anywhere keeps it out. */
const INSERT = /^\s*insert\s+into\s+"[^"]+"\s*\([^)]*\)\s*values\s*\(/i;
const READS_RESULT = /\breturning\b|\bon\s+conflict\b/i;
/** The start of the mark `withNext` (and `withNextThen`, held-results.ts, with a number) puts first. */
const WITH_NEXT = '/* with next ';

/**
 * Marks `sql` as a statement whose caller reads no result (no rows, no count): inside a transaction
 * it is held and sent with the next statement, like a plain insert. Its failure (a constraint) then
 * fails that statement, usually the commit, and the whole transaction with it: use it only for a
 * statement that cannot do less than asked without failing.
 */
export const withNext = (sql: string): string => `${WITH_NEXT}*/ ${sql}`;

/** What pg answers for a statement that returns no rows; Kysely reads `command`, `rowCount` and `rows`. */
const answered = (command: string, rowCount: number | null = null) => ({ command, rowCount, rows: [], fields: [] });

/** Plain text with no parameters: a statement that may share a message with others. */
const isPlain = (values: unknown) => values === undefined || (Array.isArray(values) && values.length === 0);

export type Send = (text: string, values?: unknown) => Promise<unknown>;

/** A message that carried held statements failed: the error may be theirs rather than the statement's. */
export class HeldStatementsFailed extends Error {
  constructor(override readonly cause: unknown) {
    super((cause as Error)?.message ?? String(cause));
  }
}

/** A statement held back, with the callback that wants its rows after the commit (held-results.ts). */
interface Held {
  text: string;
  afterCommit?: AfterCommit;
}

export class HeldStatements {
  #begin: string | undefined;
  #writes: Held[] = [];
  #inTransaction = false;
  readonly #callbacks = new CommitCallbacks();
  /** Per savepoint, how many callbacks were due when it was set: a rollback to it drops the later ones. */
  readonly #savepoints = new Map<string, number>();

  /** `enabled` false sends every statement as it comes: only to measure the difference (bench:db). */
  constructor(private readonly enabled = true) {}

  /** Sends `text` with `send`, together with what is held, unless it is held itself or needs no message. */
  query(send: Send, text: string, values: unknown): Promise<unknown> {
    const plain = isPlain(values);
    const afterCommit = plain ? takeAfterCommit(text) : undefined;
    if (!this.#inTransaction) {
      // Outside a transaction a statement is its own unit of work: committed once answered.
      if (!plain || !BEGIN.test(text)) return this.#sendNow(send, text, values, afterCommit, true);
      this.#inTransaction = true;
      if (!this.enabled) return send(text, values);
      this.#begin = text;
      return Promise.resolve(answered('BEGIN'));
    }
    const end = END.exec(text);
    if (end) return this.#end(send, (end[1] as string).toUpperCase(), text, values);
    const savepoint = plain ? SAVEPOINT.exec(text) : null;
    if (savepoint) return this.#setSavepoint(savepoint[1] as string, this.#withHeld(send, this.#take(), text, values));
    const rollbackTo = plain ? ROLLBACK_TO.exec(text) : null;
    if (rollbackTo) return this.#rollbackTo(send, rollbackTo[1] as string, text, values);
    if (!this.enabled) return this.#sendNow(send, text, values, afterCommit, false);
    if (plain && INSERT.test(text) && !READS_RESULT.test(text)) {
      this.#writes.push({ text });
      return Promise.resolve(answered('INSERT', 1));
    }
    if (plain && text.startsWith(WITH_NEXT)) {
      this.#writes.push({ text, afterCommit });
      return Promise.resolve(answered('HELD'));
    }
    return this.#withHeld(send, this.#take(), text, values);
  }

  /** Sends what is held now: before a statement that is not plain text (a cursor). */
  flush(send: Send): Promise<unknown> | undefined {
    const held = this.#take();
    return held.length === 0 ? undefined : this.#answered(held, send(held.map(({ text }) => text).join(';\n')));
  }

  /** The connection goes back to the pool: nothing held was sent, so nothing was opened or written. */
  reset(): void {
    this.#begin = undefined;
    this.#writes = [];
    this.#inTransaction = false;
    this.#savepoints.clear();
    this.#callbacks.drop();
  }

  /** The callbacks due once the savepoint is set (those of what went out with it among them) stay due. */
  async #setSavepoint(name: string, sent: Promise<unknown>): Promise<unknown> {
    const answer = await sent;
    this.#savepoints.set(name, this.#callbacks.due);
    return answer;
  }

  /**
   * A rollback to a savepoint undoes what came after it: what is held now (held after the savepoint
   * went out) is not sent, and the callbacks of statements answered since are dropped, so no event
   * whose row it undid is told to the relay at the commit.
   */
  async #rollbackTo(send: Send, name: string, text: string, values: unknown): Promise<unknown> {
    this.#writes = [];
    const answer = await send(text, values);
    this.#callbacks.dropAfter(this.#savepoints.get(name) ?? 0);
    return answer;
  }

  /** A commit or rollback: with what is held, and the callbacks run only if the commit took. */
  #end(send: Send, command: string, text: string, values: unknown): Promise<unknown> {
    const opened = this.#begin === undefined; // the begin went out with an earlier statement
    // A rollback undoes the held writes anyway.
    if (command === 'ROLLBACK') this.#writes = [];
    const held = this.#take();
    this.#inTransaction = false;
    this.#savepoints.clear();
    // With the begin still held and nothing written, the transaction was never opened.
    const sent =
      !opened && held.length === 1 ? Promise.resolve(answered(command)) : this.#withHeld(send, held, text, values);
    return sent.then(
      (answer) => {
        // PostgreSQL answers the commit of a failed transaction with ROLLBACK (pool-guard.ts refuses it).
        if ((lastResult(answer) as { command?: unknown })?.command === 'COMMIT') this.#callbacks.committed();
        else this.#callbacks.drop();
        return answer;
      },
      (error: unknown) => {
        this.#callbacks.drop();
        throw error;
      },
    );
  }

  /** Sends `text` alone; its callback's rows are committed with the answer outside a transaction. */
  #sendNow(send: Send, text: string, values: unknown, afterCommit: AfterCommit | undefined, autocommit: boolean) {
    if (!afterCommit) return send(text, values);
    return send(text, values).then((answer) => {
      this.#callbacks.answered([afterCommit], answer);
      if (autocommit) this.#callbacks.committed();
      return answer;
    });
  }

  #take(): Held[] {
    const held = this.#begin === undefined ? [...this.#writes] : [{ text: this.#begin }, ...this.#writes];
    this.#begin = undefined;
    this.#writes = [];
    return held;
  }

  /** Keeps the rows of the held statements a message carried, for their callbacks. */
  #answered(held: Held[], sent: Promise<unknown>): Promise<unknown> {
    if (!held.some(({ afterCommit }) => afterCommit)) return sent;
    return sent.then((answer) => {
      this.#callbacks.answered(
        held.map(({ afterCommit }) => afterCommit),
        answer,
      );
      return answer;
    });
  }

  #withHeld(send: Send, held: Held[], text: string, values: unknown): Promise<unknown> {
    if (held.length === 0) return send(text, values);
    const carriesWrites = held.length > (BEGIN.test((held[0] as Held).text) ? 1 : 0);
    const mark = (error: unknown) => {
      throw carriesWrites ? new HeldStatementsFailed(error) : error;
    };
    const texts = held.map((statement) => statement.text).join(';\n');
    // One statement a result, in the order sent: the held first (each one statement), then `text`.
    if (isPlain(values)) return this.#answered(held, send(`${texts};\n${text}`, values)).catch(mark);
    // pg sends a connection's queries one after the other, in the order asked: the held go first.
    const before = this.#answered(held, send(texts));
    const after = send(text, values);
    return before.then(
      () => after,
      (error: unknown) => {
        after.catch(() => undefined);
        return mark(error);
      },
    );
  }
}

/**
 * A message of several statements answers with one result each; the caller (Kysely, MikroORM) reads
 * one, so it gets the last: the statement it sent, after what was held, or the last of `inOneTrip`.
 */
export const lastResult = (result: unknown): unknown => (Array.isArray(result) ? result.at(-1) : result);
