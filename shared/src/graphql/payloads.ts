import type { UserError } from './errors.js';

/**
 * What a business operation returns: its value, or every reason it was refused. A refusal may still
 * carry a value the client should see (a declined payment is stored, and shown, with its error).
 */
export type Result<T> = { ok: true; value: T } | { ok: false; errors: UserError[]; value?: T };

export const succeeded = <T>(value: T): Result<T> => ({ ok: true, value });
export const refused = <T>(errors: UserError[], value?: T): Result<T> =>
  value === undefined ? { ok: false, errors } : { ok: false, errors, value };

/**
 * The one way a resolver turns a Result into its mutation payload: the main field gets the value
 * (null when there is none, as docs/api.md says) and `userErrors` every reason it was refused.
 * Payload classes default the main field to null and the errors to [].
 */
export function toPayload<P extends { userErrors: UserError[] }, K extends keyof P>(
  payload: P,
  field: K,
  result: Result<NonNullable<P[K]>>,
): P {
  if (result.value !== undefined) Object.assign(payload, { [field]: result.value });
  if (!result.ok) payload.userErrors = result.errors;
  return payload;
}
