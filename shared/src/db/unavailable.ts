/**
 * Whether an error means "the database is not there right now" (down, restarting, unreachable, or
 * the pool could not hand out a connection in time) rather than "this work is wrong". Retrying
 * the first kind succeeds once PostgreSQL is back, so event delivery waits for it instead of
 * spending the message's deliveries on it (see events/dispatch.ts), and start-up tries again
 * (db/orm.ts).
 *
 * Pure: it reads the error, its `cause` chain and an AggregateError's errors, nothing else.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  while (pending.length > 0 && seen.size < 16) {
    const current = pending.shift();
    if (current === null || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    if (matches(current as ErrorLike)) return true;
    const { cause, errors } = current as ErrorLike;
    pending.push(cause);
    if (Array.isArray(errors)) pending.push(...errors);
  }
  return false;
}

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  sqlState?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/** Socket-level failures: the server refused, went away, or could not be reached or resolved. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs of a server that cannot serve now: class 08 (connection exception), 57P01-57P03
 * (shut down by the administrator, crash shutdown, "the database system is starting up" or in
 * recovery).
 */
const SQLSTATE = /^(08\w{3}|57P0[123])$/;

/**
 * What pg, pg-pool and the pool guard (db/pool-guard.ts) say when there is no usable connection;
 * they set no code on these. pg-pool's "timeout exceeded when trying to connect" (no pooled
 * connection free in time) is left out on purpose: that is a busy service, not an absent
 * database, and retrying it at once only lengthens the queue (see isDatabaseBusy).
 */
const MESSAGES = [
  /Connection terminated/i,
  /not queryable/i,
  /the database system is (starting up|shutting down|in recovery mode|not yet accepting connections)/i,
  /Cannot query a connection discarded/i,
  /query did not answer within/i,
];

function matches(error: ErrorLike): boolean {
  // MikroORM wraps driver connection failures in ConnectionException.
  if (error.name === 'ConnectionException') return true;
  if (typeof error.code === 'string' && (SOCKET_CODES.has(error.code) || SQLSTATE.test(error.code))) return true;
  if (typeof error.sqlState === 'string' && SQLSTATE.test(error.sqlState)) return true;
  return typeof error.message === 'string' && MESSAGES.some((pattern) => pattern.test(error.message as string));
}

/**
 * Whether an error means the database is there but every connection is taken: the pool gave none
 * in time, or the server refused one more (53300, too many connections). Retrying such work at
 * once only adds to the queue that caused it; it is retried with the usual backoff instead.
 */
export function isDatabaseBusy(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 8; current = current.cause, depth++) {
    if (/timeout exceeded when trying to connect/i.test(current.message)) return true;
    if ((current as ErrorLike).code === '53300' || (current as ErrorLike).sqlState === '53300') return true;
  }
  return false;
}
