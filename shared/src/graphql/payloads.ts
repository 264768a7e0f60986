import type { UserError } from './errors.js';

/** What a business operation returns: its value, or every reason it was refused. */
export type Result<T> = { ok: true; value: T } | { ok: false; errors: UserError[] };

export const succeeded = <T>(value: T): Result<T> => ({ ok: true, value });
export const refused = <T>(errors: UserError[]): Result<T> => ({ ok: false, errors });

/**
 * Builds a mutation payload that carries only user errors: its main field stays null, as the API
 * contract says. Every subgraph's payload classes default the main field to null and the errors to [].
 */
export const failed = <T extends { userErrors: UserError[] }>(payload: T, userErrors: UserError[]): T =>
  Object.assign(payload, { userErrors });

/** The payload of an operation: its main field on success, only user errors otherwise. */
export function toPayload<P extends { userErrors: UserError[] }, K extends keyof P>(
  payload: P,
  field: K,
  result: Result<NonNullable<P[K]>>,
): P {
  return result.ok ? Object.assign(payload, { [field]: result.value }) : failed(payload, result.errors);
}
