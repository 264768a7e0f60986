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
 * recovery), 53300 (too many connections).
 */
const SQLSTATE = /^(08\w{3}|57P0[123]|53300)$/;

/**
 * What pg, pg-pool and the pool guard (db/pool-guard.ts) say when there is no usable connection;
 * they set no code on these.
 */
const MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
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
