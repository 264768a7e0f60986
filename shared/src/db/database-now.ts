import type { Opt } from '@mikro-orm/core';

/**
 * A timestamptz value PostgreSQL reads as the transaction's start time: `'now'` is one of its
 * special date/time inputs, the same instant as `now()`. For a column whose time must come from the
 * database clock, the one clock every instance shares, set by the application in the entity: the
 * insert then carries it, so MikroORM asks for no `returning` of a `defaultRaw` column, and an insert
 * without `returning` can be held back and sent with the commit (held-statements.ts): one round trip
 * fewer for every event recorded.
 *
 * In memory the property holds this marker, not the time: whoever needs the time reads the row.
 */
export const DATABASE_NOW = 'now' as unknown as Date & Opt;
