/** A commit PostgreSQL answered ROLLBACK: the transaction had failed, and nothing of it committed. */
export class CommitRefused extends Error {
  override name = 'CommitRefused';
}

/** SQLSTATE classes that say nothing certain of a transaction: connection, operator intervention, system, internal. */
const UNCERTAIN = /^(08|57|58|XX)/;

/**
 * Whether PostgreSQL refused the work, so that nothing of the transaction committed: a statement
 * answered with an error (a unique key, a deadlock, a lock timeout), or a commit answered
 * ROLLBACK. A lost connection, a server shutting down, a cancelled statement or the client's
 * deadline leave it unknown whether a commit went through. Only PostgreSQL's own errors count (pg
 * gives them a `severity`; MikroORM's exceptions copy it): a socket's EPIPE is not one. Reads the
 * error and its `cause` chain.
 */
export function refusedByServer(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 8; depth++) {
    if (current instanceof CommitRefused) return true;
    const code = postgresCode(current);
    if (code !== undefined) return !UNCERTAIN.test(code);
    current = current.cause;
  }
  return false;
}

/**
 * The SQLSTATE of an error PostgreSQL itself sent (pg gives those a `severity` beside the `code`;
 * MikroORM's exceptions copy both), undefined for anything else: a socket's `EPIPE` is five capital
 * letters too, like a SQLSTATE, and says the connection is gone, not what the server decided.
 */
export function postgresCode(error: unknown): string | undefined {
  const { code, severity } = (error ?? {}) as { code?: unknown; severity?: unknown };
  return typeof code === 'string' && typeof severity === 'string' ? code : undefined;
}
