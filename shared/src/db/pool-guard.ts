import type { Logger } from 'pino';
import { HeldStatements, HeldStatementsFailed, lastResult, type Send } from './held-statements.js';
import { CommitRefused, postgresCode } from './refused.js';

/** The parts of `pg`'s pool and client the guard uses (the package ships no types of its own). */
interface PgClient {
  query(...args: unknown[]): unknown;
  release(error?: Error | boolean): void;
  on(event: 'error', listener: (error: Error) => void): unknown;
  off(event: 'error', listener: (error: Error) => void): unknown;
  processID?: number | null;
  connection?: { stream?: { destroy(error?: Error): void } };
}

type ConnectCallback = (error: Error | undefined, client?: PgClient, done?: () => void) => void;

interface PgPool {
  connect(callback?: ConnectCallback): Promise<PgClient> | undefined;
}

export interface PoolGuardOptions {
  /**
   * A query that has not answered after this long is abandoned: its connection is cut, so the
   * caller gets an error and the pool a free slot. The server's statement_timeout should end a
   * slow statement first; this is for a server that does not answer at all.
   */
  queryDeadlineMs: number;
  log: Logger;
  /** Hold a transaction's `begin` and MikroORM's plain inserts back, to go with the next statement (held-statements.ts). Default true. */
  holdStatements?: boolean;
  /**
   * Makes a driver error what the ORM would have made it (MikroORM's exception converter): for a
   * statement that failed on an insert held back to go with it (a commit, which the ORM does not convert).
   */
  convertError?: (error: Error) => Error;
}

/** Statements that open or end a transaction: when one fails, the connection's state is unknown. */
const TRANSACTION_CONTROL = /^\s*(begin|start\s+transaction|commit|rollback)\b(?!\s+to\b)/i;

const COMMIT = /^\s*commit\b/i;

const guarded = new WeakSet<object>();

/** True when `pool` hands out guarded leases (openDatabase checks that MikroORM called the hook). */
export const isGuarded = (pool: unknown): boolean => typeof pool === 'object' && pool !== null && guarded.has(pool);

/**
 * Makes every checkout of `pool` a lease that always goes back to the pool, however the connection
 * ends. Without it, a connection can stay checked out forever: Kysely (0.29, under MikroORM 7)
 * releases a transaction's connection only after a *successful* begin, commit or rollback. When
 * PostgreSQL goes away mid-transaction, the statement fails, the rollback fails too ("Client has
 * encountered a connection error and is not queryable"), MikroORM only logs that, and the dead
 * connection still counts against the pool's maximum. Once every slot is taken that way, each
 * later acquire waits forever and `pool.end()` never returns: the service hangs, with no
 * connection to the database at all.
 *
 * A lease is discarded (released with an error, so the pool destroys the client and frees its
 * slot) when its connection dies, when a transaction-control statement on it fails, or when a
 * query passes the deadline. A discarded or released lease refuses further queries, so a late
 * caller can never touch a connection that is back in the pool, and a second release is a no-op.
 */
export function guardPool(pool: PgPool, options: PoolGuardOptions): void {
  const connect = pool.connect.bind(pool);
  pool.connect = ((callback?: ConnectCallback) => {
    // The callback form is pg's own (pool.query uses it and always releases): left as it is.
    if (callback) return connect(callback);
    return (connect() as Promise<PgClient>).then((client) => new Lease(client, options) as unknown as PgClient);
  }) as PgPool['connect'];
  guarded.add(pool);
}

class Lease {
  #client: PgClient;
  #released = false;
  #discardedBy: Error | undefined;
  readonly #held: HeldStatements;
  readonly #send: Send = (text, values) => this.#client.query(text, values) as Promise<unknown>;
  readonly #options: PoolGuardOptions;
  readonly #onError = (error: Error) => this.#discard(error, 'connection lost while checked out');

  constructor(client: PgClient, options: PoolGuardOptions) {
    this.#client = client;
    this.#options = options;
    this.#held = new HeldStatements(options.holdStatements ?? true);
    client.on('error', this.#onError);
  }

  /** Kysely reads the backend pid (to cancel a query) from here. */
  get processID(): number | null | undefined {
    return this.#client.processID;
  }

  query(...args: unknown[]): unknown {
    const [first] = args;
    if (this.#released) {
      const reason = this.#discardedBy ? `connection discarded: ${this.#discardedBy.message}` : 'connection released';
      const error = new Error(`Cannot query a ${reason}`);
      // A submittable (a cursor) is driven by the client; plain queries return a promise.
      if (isSubmittable(first)) throw error;
      return Promise.reject(error);
    }
    if (isSubmittable(first)) return this.#passOn(args);
    const sent =
      typeof first === 'string' && args.length <= 2 ? this.#held.query(this.#send, first, args[1]) : this.#passOn(args);
    const text = typeof first === 'string' ? first : String((first as { text?: unknown })?.text ?? '');
    const deadline = setTimeout(() => {
      const error = new Error(`query did not answer within ${this.#options.queryDeadlineMs} ms`);
      this.#discard(error, 'query deadline passed');
    }, this.#options.queryDeadlineMs);
    deadline.unref();
    return sent.then(
      (result) => {
        clearTimeout(deadline);
        const last = lastResult(result);
        // PostgreSQL answers the commit of a failed transaction with ROLLBACK, and no error: a caller
        // that caught a statement's error (one a held insert caused, say) would take it for done.
        if (COMMIT.test(text) && (last as { command?: unknown })?.command === 'ROLLBACK')
          throw new CommitRefused('commit refused: the transaction had failed, and was rolled back');
        return last;
      },
      (failure: Error) => {
        clearTimeout(deadline);
        const control = TRANSACTION_CONTROL.test(text);
        if (failure instanceof HeldStatementsFailed) {
          const error = failure.cause as Error;
          // The server refused a held insert (or the statement): the transaction is aborted, not
          // lost, and the caller's rollback ends it. Only a dead connection is discarded.
          if (!isServerError(error)) this.#discard(error, 'held statements failed');
          // Converted here, whatever the statement: MikroORM converts none of transaction control
          // (commit, release savepoint), and converting twice keeps the exception's class.
          throw this.#options.convertError?.(error) ?? error;
        }
        if (control) this.#discard(failure, `${text.trim().split(/\s/)[0]} failed`);
        throw failure;
      },
    );
  }

  /** Any other form of query (a cursor, pg's config object) goes out as it is, after a held `begin`. */
  #passOn(args: unknown[]): Promise<unknown> {
    // A failed begin means a broken connection, a failed insert an aborted transaction: the query
    // behind them fails and reports that.
    this.#held.flush(this.#send)?.catch(() => undefined);
    return this.#client.query(...args) as Promise<unknown>;
  }

  release(error?: Error | boolean): void {
    if (this.#released) return;
    this.#released = true;
    this.#held.reset();
    this.#client.off('error', this.#onError);
    // With an error the pool destroys the client instead of keeping it idle.
    const failure = this.#discardedBy ?? (error instanceof Error ? error : undefined);
    this.#client.release(failure ?? error);
  }

  #discard(error: Error, why: string): void {
    if (this.#released) return;
    this.#discardedBy = error;
    this.#options.log.warn({ err: error, component: 'db-pool' }, `database connection discarded: ${why}`);
    // Cut the socket so a statement still waiting fails now rather than when the server answers.
    this.#client.connection?.stream?.destroy();
    this.release(error);
  }
}

/** PostgreSQL refused a statement and the session goes on (not a connection failure, class 08). */
const isServerError = (error: unknown): boolean => {
  const code = postgresCode(error);
  return code !== undefined && !code.startsWith('08');
};

const isSubmittable = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && typeof (value as { submit?: unknown }).submit === 'function';
