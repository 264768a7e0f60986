const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether a client-supplied ID can be a key of a uuid column. Checked before querying: PostgreSQL
 * answers a malformed uuid with an error, where the client should simply find nothing.
 */
export const isUuid = (value: string): boolean => UUID.test(value);
