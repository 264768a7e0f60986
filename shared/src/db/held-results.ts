/**
 * The rows of a held statement, handed to its caller once the transaction that sent it commits.
 *
 * A statement held to go with the commit (`withNext`, held-statements.ts) is answered at once with
 * no rows, so its caller cannot read what it did. Some callers need to: a saga step that moves an
 * order and inserts its event in one statement must tell the outbox relay which event rows it
 * stored, and only once they are committed. `withNextThen` marks such a statement with a number
 * and keeps its callback here; the connection guard takes the callback when the statement reaches
 * it, and calls it with the statement's rows after the commit that made them visible. A
 * transaction that rolls back, fails or never commits calls nothing, and a rollback to a savepoint
 * (MikroORM's nested transaction) drops the callbacks of what it undid. The statement must reach the
 * guard as plain text, as MikroORM sends every statement (its parameters inlined); one sent
 * otherwise would keep its callback here, uncalled, and its events would wait for the relay's sweep.
 */

export type Rows = Record<string, unknown>[];
export type AfterCommit = (rows: Rows) => void;

/** The mark `withNextThen` puts first: `withNext`'s, with the callback's number. */
const MARK = /^\/\* with next (\d+) \*\/ /;

const waiting = new Map<number, AfterCommit>();
let lastMark = 0;

/**
 * Marks `sql` as held to go with the next statement (see `withNext`) and registers `afterCommit`,
 * called with its rows once its transaction commits. `forget` drops the callback when the statement
 * never reached the connection (the caller failed before sending it).
 */
export function withNextThen(sql: string, afterCommit: AfterCommit): { sql: string; forget: () => void } {
  lastMark = lastMark === Number.MAX_SAFE_INTEGER ? 1 : lastMark + 1;
  const mark = lastMark;
  waiting.set(mark, afterCommit);
  return { sql: `/* with next ${mark} */ ${sql}`, forget: () => waiting.delete(mark) };
}

/** The callback registered for `text`, taken out of the registry (a statement is sent once). */
export function takeAfterCommit(text: string): AfterCommit | undefined {
  const mark = MARK.exec(text);
  if (!mark) return undefined;
  const callback = waiting.get(Number(mark[1]));
  waiting.delete(Number(mark[1]));
  return callback;
}

/** How many callbacks wait for their statement: for tests that check none is left behind. */
export const waitingCallbacks = (): number => waiting.size;

/** What pg answers for one statement of a message: its rows. */
const rowsOf = (result: unknown): Rows => ((result as { rows?: Rows } | undefined)?.rows ?? []) as Rows;

/** A message's answer, one result per statement (pg gives a lone statement's result bare). */
export const resultsOf = (answer: unknown): unknown[] => (Array.isArray(answer) ? answer : [answer]);

/**
 * One transaction's callbacks with the rows their statements answered, run after its commit. A
 * statement can be answered before the commit (sent with a read that came after it): its rows
 * wait here until then.
 */
export class CommitCallbacks {
  #due: (() => void)[] = [];

  /** The statements of one answered message, with their callbacks (undefined where none). */
  answered(callbacks: readonly (AfterCommit | undefined)[], answer: unknown): void {
    const results = resultsOf(answer);
    for (const [i, callback] of callbacks.entries()) {
      if (!callback) continue;
      const rows = rowsOf(results[i]);
      this.#due.push(() => callback(rows));
    }
  }

  /**
   * The transaction committed: each callback runs once, in the order its statement was sent. One
   * that throws must not make a commit that happened look failed, nor stop the others: it is
   * reported as a process warning (for an outbox row, the relay's sweep publishes it later).
   */
  committed(): void {
    const due = this.#due;
    this.#due = [];
    for (const run of due) {
      try {
        run();
      } catch (error) {
        process.emitWarning(error as Error, { code: 'AFTER_COMMIT_FAILED' });
      }
    }
  }

  /** The transaction rolled back, failed, or its connection went back to the pool. */
  drop(): void {
    this.#due = [];
  }

  /** How many callbacks are due at the commit. */
  get due(): number {
    return this.#due.length;
  }

  /** A rollback to a savepoint: only the first `count` stay due (those before the savepoint). */
  dropAfter(count: number): void {
    this.#due.length = Math.min(this.#due.length, count);
  }
}
