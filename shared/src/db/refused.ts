/** A commit PostgreSQL answered ROLLBACK: the transaction had failed, and nothing of it committed. */
export class CommitRefused extends Error {
  override name = 'CommitRefused';
}

/** SQLSTATE classes that say nothing certain of a transaction: connection, operator intervention, system, internal. */
const UNCERTAIN = /^(08|57|58|XX)/;

/**
 * Whether PostgreSQL refused the work, so that nothing of the transaction committed: a statement
 * answered with an error (a unique key, a deadlock, a lock or statement timeout), or a commit
 * answered ROLLBACK. A lost connection, a server shutting down or the client's deadline leave it
 * unknown whether a commit went through. Reads the error and its `cause` chain.
 */
export function refusedByServer(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 8; depth++) {
    if (current instanceof CommitRefused) return true;
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return !UNCERTAIN.test(code);
    current = current.cause;
  }
  return false;
}
