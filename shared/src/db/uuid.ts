/** A uuid as ids are issued: canonical, lower case (the event contracts check ids with it too). */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Whether a client-supplied ID can name a row. Checked before querying: PostgreSQL answers a
 * malformed uuid with an error, where the client should simply find nothing. IDs are issued in
 * canonical lower case and are opaque, so only that form names anything: PostgreSQL would match an
 * upper-case spelling, but loaders match rows to keys by their text, and every operation must agree.
 */
export const isUuid = (value: string): boolean => UUID.test(value);
