import type { UserError } from '@commerce-supergraph/shared/graphql/errors';

/** What an order operation returns: its value, or every reason it was refused. */
export type Result<T> = { ok: true; value: T } | { ok: false; errors: UserError[] };

export const succeeded = <T>(value: T): Result<T> => ({ ok: true, value });
export const refused = <T>(errors: UserError[]): Result<T> => ({ ok: false, errors });
