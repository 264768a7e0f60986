/** Deadlines for waits that must never be endless (see docs/operations.md, "Deadlines"). */

export class DeadlineError extends Error {
  override name = 'DeadlineError';
}

/**
 * Settles like `work`, or rejects with a DeadlineError once `ms` have passed. `work` itself goes on
 * (a promise cannot be cancelled): use this where giving up waiting is enough.
 */
export function deadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(`${what} did not finish within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

/** True when `work` finished within `ms` (it rejects if `work` did), false when the time ran out. */
export async function withDeadline(work: Promise<unknown>, ms: number): Promise<boolean> {
  try {
    await deadline(work, ms, 'work');
    return true;
  } catch (error) {
    if (error instanceof DeadlineError) return false;
    throw error;
  }
}
